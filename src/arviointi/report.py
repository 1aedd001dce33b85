"""The published report: build it with Jupyter Book, refuse to publish personal data, print a PDF.

:func:`build_report` runs the whole chain: Jupyter Book v1 executes the notebooks and writes
the HTML report into ``_build/html``; :func:`check_report` then searches every built page for
every original value in the pseudonymisation keys (``.avain/*.csv`` in the project folder,
outside the corpus) and fails the build if one is found; finally every page, in the order of
the table of contents, is printed with headless Chromium and the pages are joined into
``_build/pdf/raportti.pdf`` (the notebooks are executed once).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from ._files import atomic_output
from .errors import ArviointiError

__all__ = ["KEY_DIR", "build_report", "check_report", "print_pdf", "CHROMIUM_FLAGS"]

#: Where the notebooks keep their pseudonymisation keys (relative to the project root; git-ignored).
KEY_DIR = ".avain"
#: Flags for Debian's chromium in a sandboxed, offline machine.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.DOTALL | re.IGNORECASE)


def _page_text(raw: str) -> str:
    """A page's visible text (tags, scripts and styles removed, entities decoded)."""
    return html.unescape(_TAGS.sub(" ", raw))


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
        raw = page.read_text(encoding="utf-8", errors="replace")
        text = _page_text(raw)
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


def toc_pages(toc: Path) -> list[str]:
    """The page names of a Jupyter Book ``_toc.yml`` in reading order (root first)."""
    import yaml

    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    names = [data["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections", []))

    walk(data.get("chapters", []))
    for part in data.get("parts", []):
        walk(part.get("chapters", []))
    return [Path(n).with_suffix("").as_posix() for n in names]


def join_pdf(pages: list[Path], pdf: Path) -> Path:
    """Print every page to PDF with Chromium and join them, in order, into ``pdf``."""
    from pypdf import PdfWriter

    parts = []
    for i, page in enumerate(pages):
        parts.append(print_pdf(page, pdf.parent / f".osa-{i:02d}.pdf"))
    writer = PdfWriter()
    for part in parts:
        writer.append(str(part))
    with atomic_output(pdf) as fh:
        writer.write(fh)
    for part in parts:
        part.unlink(missing_ok=True)
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
    cmd = [*_jupyter_book(), "build", str(book), "--all", "--path-output", str(root), "--warningiserror",
           "--keep-going"]  # --all: every notebook is executed again, so no page is stale
    if subprocess.run(cmd, cwd=root).returncode != 0:
        raise ArviointiError("the Jupyter Book build failed (see the messages above)", path=book)
    leaks = check_report(build / "html", root / KEY_DIR)
    if not leaks.empty:
        listed = "; ".join(f"{r.page}: {r.original!r} ({r.replacement})" for r in leaks.head(10).itertuples())
        shutil.rmtree(build / "html", ignore_errors=True)
        raise ArviointiError(f"the report contains unpseudonymised values and was removed: {listed}", path=build)
    if pdf:
        pages = [build / "html" / f"{name}.html" for name in toc_pages(book / "_toc.yml")]
        join_pdf(pages, build / "pdf" / "raportti.pdf")
    return build / "html" / "index.html"
