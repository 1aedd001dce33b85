"""Reproducible cleaning of scraped web text.

Web articles copied from project sites carry navigation ("Siirry sisältöön"),
comment widgets ("Ei kommentteja. Ole ensimmäinen kommentoija."), image alt
texts ("AKU-logo"), publication stamps, hard line breaks inside sentences and,
sometimes, a lead paragraph printed twice. :func:`clean_text` removes these in
fixed, documented steps and returns a log of every change, so the cleaned text
can be traced back to the raw one. Character offsets everywhere in arviointi
refer to the *cleaned* text (``Corpus.documents.text``); the raw text is kept
beside it (``raw_text``).

Steps, in order:

1. ``whitespace``: no-break spaces and other Unicode spaces become ordinary
   spaces; runs of spaces collapse to one; lines are stripped.
2. ``boilerplate``: whole lines matching :data:`BOILERPLATE_PATTERNS` are dropped.
3. ``join_lines``: inside a paragraph, a line that is long (at least
   :data:`JOIN_MIN_CHARS` characters) and does not end a sentence (``. ! ? : ;``)
   is joined with the next line: it was wrapped, not ended. Short lines (names,
   list items, headings) are left alone.
4. ``duplicate``: a paragraph identical to the one before it is dropped.
5. Paragraphs are separated by exactly one blank line; the text ends with no
   trailing newline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["BOILERPLATE_PATTERNS", "JOIN_MIN_CHARS", "CleaningStep", "clean_text"]

#: Whole lines (after whitespace normalisation) that are page furniture, not content.
BOILERPLATE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(siirry|hyppää) (suoraan )?sisältöön",
        r"ei kommentteja\.?( ole ensimmäinen kommentoija\.?)?",
        r"ole ensimmäinen kommentoija\.?",
        r"(jätä|kirjoita) kommentti",
        r"rss",
        r"jaa( sivu)?( facebookissa| twitterissä| linkedinissä)?",
        r"\S+-logo",
        r"julkaistu \d{1,2}\.\d{1,2}\.\d{4}.*",
        r"päivitetty \d{1,2}\.\d{1,2}\.\d{4}.*",
    )
)

#: A line this long that does not end a sentence was wrapped, and is joined to the next.
JOIN_MIN_CHARS = 60

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_SENTENCE_END = re.compile(r"[.!?:;…]['\"”’)]*$")


@dataclass(frozen=True)
class CleaningStep:
    """One change made by :func:`clean_text`: which step, on which raw line, what text."""

    step: str
    line: int
    text: str


def clean_text(raw: str, *, boilerplate: tuple[re.Pattern[str], ...] = BOILERPLATE_PATTERNS) -> tuple[str, list[CleaningStep]]:
    """Clean scraped text in fixed steps and log every change.

    Parameters
    ----------
    raw
        Decoded text (``\\n`` line endings).
    boilerplate
        Line patterns to drop (full-line, case-insensitive matches).

    Returns
    -------
    (text, log)
        The cleaned text and one :class:`CleaningStep` per removed line, joined
        line or dropped duplicate paragraph (``line`` is 1-based in ``raw``).

    Examples
    --------
    >>> raw = "Siirry sisältöön\\n\\nHanke alkoi.\\n\\nHanke alkoi.\\n\\nEi kommentteja. Ole ensimmäinen kommentoija."
    >>> text, log = clean_text(raw)
    >>> text
    'Hanke alkoi.'
    >>> [s.step for s in log]
    ['boilerplate', 'duplicate', 'boilerplate']
    """
    log: list[CleaningStep] = []
    # paragraphs as lists of (raw line number, line text)
    paragraphs: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(raw.split("\n"), start=1):
        line = _SPACES.sub(" ", line).strip()
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if any(p.fullmatch(line) for p in boilerplate):
            log.append(CleaningStep("boilerplate", number, line))
            continue
        paragraphs[-1].append((number, line))

    out: list[str] = []
    for para in paragraphs:
        if not para:
            continue
        joined = para[0][1]
        pieces: list[str] = []
        for (number, line), (_, nxt) in zip(para, para[1:]):
            if len(line) >= JOIN_MIN_CHARS and not _SENTENCE_END.search(line):
                log.append(CleaningStep("join_lines", number, f"{line[-30:]} ⏎ {nxt[:30]}"))
                joined += " " + nxt
            else:
                pieces.append(joined)
                joined = nxt
        pieces.append(joined)
        text = "\n".join(pieces)
        if out and text == out[-1]:
            log.append(CleaningStep("duplicate", para[0][0], text))
            continue
        out.append(text)
    log.sort(key=lambda s: s.line)
    return "\n\n".join(out), log
