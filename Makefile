# arviointi — two commands do everything on a fresh Debian machine:
#   make report   set up, execute the notebooks, publish the report (HTML + PDF) into _build/
#   make test     set up, build the report and run every test (library, doctests, notebooks, browser)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test bench setup system clean

report: setup
	$(BIN)/arviointi report
	@echo ">> Report: $(CURDIR)/_build/html/index.html and $(CURDIR)/_build/pdf/raportti.pdf"

test: report
	$(BIN)/python -m pytest tests src --doctest-modules --nbmake notebooks

bench: setup
	$(BIN)/python bench/run.py

setup: system $(STAMP)

system:
	@tools/ensure-voikko.sh
	@tools/ensure-chromium.sh

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

clean:
	rm -rf _build .pytest_cache
