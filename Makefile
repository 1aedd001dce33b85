# arviointi — two commands do everything on a fresh Debian machine:
#   make report   set up, execute the notebooks and publish the report into _build/
#   make test     set up and run the tests (library, doctests, notebooks)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test bench setup voikko clean

report: setup
	$(BIN)/jupyter-book build notebooks --path-output . --warningiserror --keep-going
	@echo ">> Report: $(CURDIR)/_build/html/index.html"

test: setup
	$(BIN)/python -m pytest tests src --doctest-modules --nbmake notebooks

bench: setup
	$(BIN)/python bench/run.py

setup: voikko $(STAMP)

voikko:
	@tools/ensure-voikko.sh

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

clean:
	rm -rf _build notebooks/_build .pytest_cache
