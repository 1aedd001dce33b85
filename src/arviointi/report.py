"""The published report: build it with Jupyter Book, refuse to publish personal data, print a PDF.

:func:`build_report` runs the whole chain: Jupyter Book v1 executes the notebooks and writes
the HTML report into ``_build/html``; :func:`check_report` then searches every built page for
every original value in the pseudonymisation keys (``.avain/*.csv`` beside the notebooks'
project, outside the corpus) and fails the build if one is found; finally the book is built as
a single page and printed to ``_build/pdf/raportti.pdf`` with headless Chromium.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from .errors import ArviointiError

__all__ = ["KEY_DIR", "build_report", "check_report", "print_pdf", "CHROMIUM_FLAGS"]

#: Where the notebooks keep their pseudonymisation keys (relative to the project root; git-ignored).
KEY_DIR = ".avain"
#: Flags for Debian's chromium in a sandboxed, offline machine.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.DOTALL | re.IGNORECASE)


def _page_text(path: Path) -> str:
    return html.unescape(_TAGS.sub(" ", path.read_text(encoding="utf-8", errors="replace")))


def check_report(build_dir: str | Path, key_dir: str | Path) -> pd.DataFrame:
    """Every original value of every pseudonymisation key found in a built page.

    Returns a table ``page``, ``original``, ``replacement``, ``key_file`` — empty when the report is
    clean. Matching is on whole words, case-insensitive, in the pages' visible text and attributes.
    """
    build_dir, key_dir = Path(build_dir), Path(key_dir)
    forms: list[tuple[str, str, str]] = []
    for key_file in sorted(key_dir.glob("*.csv")) if key_dir.is_dir() else []:
        key = pd.read_csv(key_file)
        for replacement, originals in zip(key["replacement"], key["forms"]):
            for form in str(originals).split(" | "):
                if form.strip():
                    forms.append((form.strip(), replacement, key_file.name))
    found = []
    pages = sorted(p for p in build_dir.rglob("*.html") if "_static" not in p.parts)
    patterns = [(re.compile(rf"(?<!\w){re.escape(f)}(?!\w)", re.IGNORECASE), f, r, k) for f, r, k in forms]
    for page in pages:
        text = _page_text(page)
        raw = page.read_text(encoding="utf-8", errors="replace")
        for pattern, form, replacement, key_file in patterns:
            if pattern.search(text) or pattern.search(raw):
                found.append({"page": str(page.relative_to(build_dir)), "original": form,
                              "replacement": replacement, "key_file": key_file})
    return pd.DataFrame(found, columns=["page", "original", "replacement", "key_file"])


def _jupyter_book() -> list[str]:
    exe = Path(sys.executable).parent / "jupyter-book"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("jupyter-book")
    if found is None:
        raise ArviointiError("jupyter-book is not installed: pip install 'jupyter-book>=1,<2'")
    return [found]


def chromium() -> str | None:
    """The Chromium executable (Debian's ``chromium``), or ``None``."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def print_pdf(page: Path, pdf: Path) -> Path:
    """Print an HTML page to PDF with headless Chromium."""
    browser = chromium()
    if browser is None:
        raise ArviointiError("Chromium is needed to print the PDF: sudo apt-get install chromium")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    profile = pdf.parent / ".chromium-profile"
    cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
           f"--print-to-pdf={pdf}", page.resolve().as_uri()]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    shutil.rmtree(profile, ignore_errors=True)
    if result.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        raise ArviointiError(f"Chromium could not print the PDF: {result.stderr.strip()[-500:]}", path=pdf)
    return pdf


def build_report(root: str | Path = ".", *, pdf: bool = True) -> Path:
    """Execute the notebooks, build the HTML report, check it for personal data, print the PDF.

    Returns the path of ``_build/html/index.html``.

    Raises
    ------
    ArviointiError
        The book did not build, or a built page contains an original value from a
        pseudonymisation key (the pages and values are listed).
    """
    root = Path(root).resolve()
    book = root / "notebooks"
    build = root / "_build"
    cmd = [*_jupyter_book(), "build", str(book), "--path-output", str(root), "--warningiserror", "--keep-going"]
    if subprocess.run(cmd, cwd=root).returncode != 0:
        raise ArviointiError("the Jupyter Book build failed (see the messages above)", path=book)
    leaks = check_report(build / "html", root / KEY_DIR)
    if not leaks.empty:
        listed = "; ".join(f"{r.page}: {r.original!r} ({r.replacement})" for r in leaks.head(10).itertuples())
        shutil.rmtree(build / "html", ignore_errors=True)
        raise ArviointiError(f"the report contains unpseudonymised values and was removed: {listed}", path=build)
    if pdf:
        cmd = [*_jupyter_book(), "build", str(book), "--path-output", str(root), "--builder", "singlehtml"]
        if subprocess.run(cmd, cwd=root, capture_output=True, text=True).returncode != 0:
            raise ArviointiError("the single-page build for the PDF failed", path=book)
        single = build / "singlehtml" / "index.html"
        leaks = check_report(build / "singlehtml", root / KEY_DIR)
        if not leaks.empty:
            raise ArviointiError("the single-page report contains unpseudonymised values", path=single)
        print_pdf(single, build / "pdf" / "raportti.pdf")
    return build / "html" / "index.html"
