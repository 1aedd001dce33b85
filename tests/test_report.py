"""The published report, opened in a real browser (Debian's headless Chromium via Playwright).

`make test` builds the report first (`make report`); run alone, these tests skip with the reason
when there is no built report or no Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from arviointi.report import CHROMIUM_FLAGS, check_report, chromium, toc_pages

from .conftest import REPO

HTML = REPO / "_build" / "html"
PDF = REPO / "_build" / "pdf" / "raportti.pdf"
PAGES = toc_pages(REPO / "notebooks" / "_toc.yml")


def _built() -> None:
    if not (HTML / "index.html").exists():
        pytest.skip("no built report in _build/html: run `make report` (make test does)")


@pytest.fixture(scope="module")
def browser():
    _built()
    exe = chromium()
    if exe is None:
        pytest.skip("Chromium is not installed (sudo apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        yield b
        b.close()


def test_every_page_of_the_table_of_contents_is_built():
    _built()
    assert PAGES == ["intro", "01_aineisto", "02_haastattelut", "03_teemat", "04_kaupunkivertailu",
                     "05_uusi_arviointi", "menetelmat", "lahteet", "api"]
    for name in PAGES:
        assert (HTML / f"{name}.html").exists(), name


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_with_all_figures_and_working_links(browser, name):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto((HTML / f"{name}.html").as_uri())
    assert response is None or response.ok
    page.wait_for_load_state("load")
    assert page.locator("h1").count() >= 1
    images = page.evaluate("Array.from(document.images).map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])")
    for src, complete, width in images:
        assert complete and width > 0, f"{name}: image {src} did not load"
    links = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    for href in links:
        url = urlparse(href)
        if url.scheme != "file":
            continue  # external sources (the documents' addresses) are not followed offline
        target = Path(unquote(url.path))
        assert target.exists(), f"{name}: broken link {href}"
        if url.fragment and target.suffix == ".html":
            text = target.read_text(encoding="utf-8")
            assert re.search(rf'id="{re.escape(unquote(url.fragment))}"', text), f"{name}: missing anchor {href}"
    # sphinx-book-theme loads sphinx-thebe's script twice on every page, which redeclares one constant;
    # that third-party error is the only one tolerated
    assert [e for e in errors if "THEBE_JS_URL" not in e] == []
    page.close()


def test_figures_have_captions_and_alt_text():
    _built()
    figures = 0
    for name in PAGES:
        html = (HTML / f"{name}.html").read_text(encoding="utf-8")
        for img in re.findall(r"<img [^>]*>", html):
            if "_static" in img or "logo" in img:
                continue
            alt = re.search(r'alt="([^"]*)"', img)
            assert alt and len(alt.group(1)) > 20, f"{name}: image without a real alt text: {img[:120]}"
            figures += 1
        assert html.count("<figcaption") == html.count("<figure"), name
    assert figures == 8


def test_fictional_interviews_are_flagged_where_they_are_shown():
    _built()
    for name in ("intro", "02_haastattelut", "03_teemat", "04_kaupunkivertailu", "05_uusi_arviointi", "lahteet"):
        text = (HTML / f"{name}.html").read_text(encoding="utf-8").lower()
        assert "fiktiivi" in text or "keksitty" in text, name


def test_report_holds_no_original_value_of_any_key():
    _built()
    keys = REPO / ".avain"
    assert sorted(p.name for p in keys.glob("*.csv")) == [
        "avain-02-haastattelut.csv", "avain-03-teemat.csv", "avain-04-kaupunkivertailu.csv"]
    assert check_report(HTML, keys).empty


def test_check_report_finds_a_planted_leak(tmp_path):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "sivu.html").write_text("<p>Haastateltava kertoi, että Matti Virtanen auttoi.</p>",
                                                 encoding="utf-8")
    (tmp_path / "avain").mkdir()
    (tmp_path / "avain" / "avain.csv").write_text(
        "replacement,type,key,forms,count,n_documents\n[HENKILÖ 1],person,matti virtanen,Matille | Matti Virtanen,2,1\n",
        encoding="utf-8")
    leaks = check_report(tmp_path / "html", tmp_path / "avain")
    assert leaks[["page", "original"]].values.tolist() == [["sivu.html", "Matti Virtanen"]]


def test_pdf_report_has_every_page():
    _built()
    if not PDF.exists():
        pytest.skip("no PDF: `make report` prints it with Chromium")
    from pypdf import PdfReader

    reader = PdfReader(str(PDF))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert len(reader.pages) >= 20
    for title in ("Asunnottomuuden ennaltaehkäisyn hankkeiden arviointi", "Kaupunkivertailu", "Liite A"):
        assert title in text, title
