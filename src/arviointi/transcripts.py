"""Interview transcripts: plain text, .docx, WebVTT and SRT → speaker turns.

Every reader gives a :class:`Transcript`: its metadata (from YAML front matter
and a header block before the first turn) and its speaker turns. Formats:

``.txt`` / ``.md``
    One turn starts with a speaker label and a colon: ``H:``/``V:``,
    ``H1:``/``V2:``, ``Haastattelija:``/``Haastateltava:``, a name (``Aino:``),
    or a WhisperX label (``[SPEAKER_00]:``). Lines without a label continue
    the turn. Lines before the first turn of the form ``Päivämäärä: 12.3.2019``,
    ``Kesto: 45 min`` (keys in :data:`HEADER_KEYS`) are metadata, not turns.
``.docx``
    The same, one paragraph at a time; the label may be bold, with or without a
    colon (``**Haastattelija** Kerro…``). "Line" in error messages is the paragraph number.
``.vtt`` / ``.srt``
    Subtitle cues from speech recognition, with timestamps. The speaker comes from
    a WebVTT voice tag (``<v Haastattelija>``), a WhisperX prefix
    (``[SPEAKER_00]: ``) or a plain label; a cue without one continues the
    previous speaker. **Consecutive cues of one speaker are merged into one turn**
    whose ``start_time`` is the first cue's start and ``end_time`` the last cue's end.

Transcription marks in the FSD style — pauses ``(.)``, ``(..)``, ``(2.0)``, unclear
speech ``(--)``/``(x)``, transcriber comments ``((…))``, non-verbal events
``[naurua]`` and overlap brackets ``[ ]`` — stay in the text; :func:`mark_spans`
finds them so token statistics can leave them out (``tokens.is_mark``).

Roles come from a speaker map: the defaults in :func:`default_role` (``H`` →
interviewer, ``V`` → interviewee), a corpus-wide ``transcripts/speakers.yaml``
and a transcript's own ``speakers`` field. An unknown label loads with role
``"unknown"`` and a warning.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ArviointiError, ArviointiWarning
from .readers import read_text, split_front_matter

__all__ = [
    "TRANSCRIPT_SUFFIXES", "HEADER_KEYS", "Turn", "Transcript", "read_transcript",
    "default_role", "mark_spans",
]

#: File types read from a corpus's ``transcripts/`` folder.
TRANSCRIPT_SUFFIXES = {".txt", ".md", ".docx", ".vtt", ".srt"}

#: Header lines before the first turn: Finnish or English key → metadata field.
HEADER_KEYS = {
    "päivämäärä": "date", "pvm": "date", "date": "date",
    "kesto": "duration", "duration": "duration",
    "kaupunki": "city", "paikkakunta": "city", "city": "city",
    "hanke": "project", "project": "project",
    "rooli": "interviewee_role", "haastateltavan rooli": "interviewee_role",
    "interviewee role": "interviewee_role",
    "tunniste": "interview_id", "haastattelun tunniste": "interview_id",
    "litteroija": "transcriber", "litterointi": "transcription", "kieli": "language",
    "tallenne": "recording", "huom": "note", "huomautus": "note",
}

_DEFAULT_ROLES = (
    (re.compile(r"(h|haastattelija|i|interviewer|int)\s*\d*", re.I), "interviewer"),
    (re.compile(r"(v|haastateltava|r|respondent|interviewee)\s*\d*", re.I), "interviewee"),
)
_LABEL_LINE = re.compile(r"^\s*(?:\*\*)?\[?([^\s:\[\]*][^:\[\]*]{0,39}?)\]?(?:\*\*)?\s*:(?:\s+(.*)|\s*)$")
_NAME_WORD = re.compile(r"[A-ZÄÖÅ][\wäöåÄÖÅ'\-]*\.?|\d+")
_WHISPERX = re.compile(r"SPEAKER_\d+")
_TIMESTAMP = r"(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}"
_CUE_TIMING = re.compile(rf"^\s*({_TIMESTAMP})\s*-->\s*({_TIMESTAMP})(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAGS = re.compile(r"</?[a-z][^>]*>|</v>")


@dataclass
class Turn:
    """One speaker turn: the label as written, the words, where it came from."""

    speaker: str
    text: str
    line: int
    start_time: float | None = None
    end_time: float | None = None
    n_cues: int = 1


@dataclass
class Transcript:
    """A read transcript: metadata from front matter and header, and its turns."""

    path: Path
    format: str
    meta: dict[str, Any] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)
    encoding: str = "utf-8"


def default_role(label: str) -> str | None:
    """The role a label implies by convention, or ``None``.

    Examples
    --------
    >>> default_role("H"), default_role("V2"), default_role("Haastattelija"), default_role("Aino")
    ('interviewer', 'interviewee', 'interviewer', None)
    """
    for pattern, role in _DEFAULT_ROLES:
        if pattern.fullmatch(label.strip()):
            return role
    return None


def read_transcript(path: str | Path, *, known_labels: set[str] | frozenset[str] = frozenset()) -> Transcript:
    """Read one transcript file (``.txt``, ``.md``, ``.docx``, ``.vtt``, ``.srt``).

    Parameters
    ----------
    path
        The file.
    known_labels
        Speaker labels from the speaker map: accepted as labels even when they do
        not look like names.

    Raises
    ------
    ArviointiError
        No speaker labels, text before the first turn that is not a header,
        malformed timestamps, a corrupt .docx; the message names the file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "h1.txt"
    >>> _ = p.write_text("Päivämäärä: 12.3.2019\\n\\nH: Miten asumisneuvonta auttoi?\\nV: Häätö vältettiin (.) onneksi.\\n",
    ...                  encoding="utf-8")
    >>> t = read_transcript(p)
    >>> t.meta, [(turn.speaker, turn.text) for turn in t.turns]
    ({'date': '12.3.2019'}, [('H', 'Miten asumisneuvonta auttoi?'), ('V', 'Häätö vältettiin (.) onneksi.')])
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        lines = _docx_lines(path)
        transcript = Transcript(path=path, format="docx", encoding="docx")
        _parse_labelled_lines(transcript, lines, known_labels)
    elif suffix in (".vtt", ".srt"):
        decoded = read_text(path)
        transcript = Transcript(path=path, format=suffix[1:], encoding=decoded.encoding)
        _parse_subtitles(transcript, decoded.text, known_labels)
    elif suffix in (".txt", ".md"):
        decoded = read_text(path)
        front, body, body_line = split_front_matter(decoded.text, path)
        transcript = Transcript(path=path, format="text", meta=dict(front), encoding=decoded.encoding)
        lines = [(body_line + i, line) for i, line in enumerate(body.split("\n"))]
        _parse_labelled_lines(transcript, lines, known_labels)
    else:
        raise ArviointiError(f"unsupported transcript format {suffix!r} (use .txt, .md, .docx, .vtt or .srt)",
                             path=path)
    return transcript


# ------------------------------------------------------------------ text and .docx

def _label(candidate: str, known: set[str] | frozenset[str]) -> str | None:
    """``candidate`` if it is a speaker label, else ``None``."""
    label = candidate.strip()
    if not label:
        return None
    if label in known or label.lower() in {k.lower() for k in known}:
        return label
    if _WHISPERX.fullmatch(label) or default_role(label) is not None:
        return label
    words = label.split()
    if label.lower() in HEADER_KEYS or len(words) > 3:
        return None
    return label if all(_NAME_WORD.fullmatch(w) for w in words) and not label.isdigit() else None


def _parse_labelled_lines(t: Transcript, lines: list[tuple[int, str]], known: set[str] | frozenset[str]) -> None:
    current: Turn | None = None
    for number, raw in lines:
        line = raw.strip()
        if not line:
            continue
        match = _LABEL_LINE.match(line)
        if current is None and match:
            key = match.group(1).strip().lower()
            if key in HEADER_KEYS and match.group(2) is not None:
                t.meta.setdefault(HEADER_KEYS[key], match.group(2).strip())
                continue
        label = _label(match.group(1), known) if match else None
        if label is not None:
            current = Turn(speaker=label, text=(match.group(2) or "").strip(), line=number)
            t.turns.append(current)
        elif current is not None:
            current.text = f"{current.text} {line}".strip()
        else:
            raise ArviointiError(
                "text before the first speaker turn: expected a header line such as "
                "'Päivämäärä: 12.3.2019' or a turn such as 'H: …'",
                path=t.path, line=number,
            )
    if not t.turns:
        raise ArviointiError("no speaker labels found: expected turns such as 'H: …' and 'V: …'",
                             path=t.path, line=lines[0][0] if lines else None)
    empty = [turn for turn in t.turns if not turn.text]
    if empty:
        raise ArviointiError(f"speaker turn '{empty[0].speaker}:' has no text", path=t.path, line=empty[0].line)


def _docx_lines(path: Path) -> list[tuple[int, str]]:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ArviointiError(f"not a valid .docx file ({type(exc).__name__}); open and re-save it in Word",
                             path=path) from None
    lines: list[tuple[int, str]] = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        text = paragraph.text.strip()
        if not text:
            continue
        bold = ""
        for run in paragraph.runs:
            if run.bold and not bold.endswith(("\n",)):
                bold += run.text
            elif run.text.strip():
                break
            else:
                bold += run.text
        bold = bold.strip()
        label = bold.rstrip(":").strip()
        if label and text.startswith(bold) and ":" not in text[: len(bold)].rstrip(":") and len(label) <= 40:
            rest = text[len(bold):].lstrip(" :\t")
            text = f"{label}: {rest}"
        lines.append((number, text))
    if not lines:
        raise ArviointiError("the .docx file has no text", path=path)
    return lines


# ------------------------------------------------------------------ WebVTT and SRT

def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    seconds = float(parts[-1]) + 60 * int(parts[-2])
    return seconds + (3600 * int(parts[-3]) if len(parts) == 3 else 0)


def _parse_subtitles(t: Transcript, text: str, known: set[str] | frozenset[str]) -> None:
    lines = text.split("\n")
    if t.format == "vtt" and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise ArviointiError("a WebVTT file must start with 'WEBVTT'", path=t.path, line=1)
    cues: list[tuple[int, float, float, str]] = []  # line, start, end, text
    i = 0
    while i < len(lines):
        line = lines[i]
        if "-->" in line:
            m = _CUE_TIMING.match(line)
            if not m:
                raise ArviointiError(f"malformed cue timing {line.strip()!r}: expected "
                                     "'00:00:01.000 --> 00:00:04.000'", path=t.path, line=i + 1)
            start, end = _seconds(m.group(1)), _seconds(m.group(2))
            if end < start:
                raise ArviointiError(f"cue ends before it starts ({m.group(1)} --> {m.group(2)})",
                                     path=t.path, line=i + 1)
            body: list[str] = []
            j = i + 1
            while j < len(lines) and lines[j].strip():
                body.append(lines[j].strip())
                j += 1
            cues.append((i + 1, start, end, " ".join(body)))
            i = j
        elif t.format == "vtt" and line.startswith("NOTE"):
            while i < len(lines) and lines[i].strip():
                i += 1
        else:
            i += 1
    if not cues:
        raise ArviointiError("no subtitle cues found (no 'start --> end' timing lines)", path=t.path)
    _validate_with_library(t, text)

    unlabelled = 0
    for number, start, end, cue_text in cues:
        speaker, words = _cue_speaker(cue_text, known)
        if not words:
            continue
        previous = t.turns[-1] if t.turns else None
        if speaker is None:
            if previous is None:
                unlabelled += 1
                speaker = "?"
            else:
                speaker = previous.speaker
        if previous is not None and previous.speaker == speaker:
            previous.text = f"{previous.text} {words}"
            previous.end_time = end
            previous.n_cues += 1
        else:
            t.turns.append(Turn(speaker=speaker, text=words, line=number, start_time=start, end_time=end))
    if not t.turns or all(turn.speaker == "?" for turn in t.turns):
        raise ArviointiError("no speaker labels found in the cues: expected '<v Name>', "
                             "'[SPEAKER_00]: ' or 'H: ' at the start of a cue", path=t.path, line=cues[0][0])
    if unlabelled:
        warnings.warn(f"{t.path}: the first {unlabelled} cue(s) have no speaker; speaker set to '?'",
                      ArviointiWarning, stacklevel=4)


def _cue_speaker(cue_text: str, known: set[str] | frozenset[str]) -> tuple[str | None, str]:
    voice = _VOICE.search(cue_text)
    speaker = voice.group(1).strip() if voice else None
    words = _TAGS.sub("", cue_text).strip()
    m = _LABEL_LINE.match(words)
    if m and m.group(2) is not None:
        label = _label(m.group(1), known)
        if label is not None:
            speaker = speaker or label
            words = m.group(2).strip()
    words = re.sub(r"^-\s+", "", words)
    return speaker, words


def _validate_with_library(t: Transcript, text: str) -> None:
    """Parse once with webvtt-py / srt as well, so files those tools reject are caught here."""
    try:
        if t.format == "vtt":
            import webvtt

            webvtt.from_string(text)
        else:
            import srt

            list(srt.parse(text))
    except Exception as exc:  # noqa: BLE001 - the libraries raise their own error types
        line = None
        offset = getattr(exc, "actual_start", None)
        if isinstance(offset, int):
            line = text.count("\n", 0, offset) + 1
        raise ArviointiError(f"not a valid {t.format.upper()} file: {exc}", path=t.path, line=line) from None


# ------------------------------------------------------------------ transcription marks

_NONVERBAL = (
    "naurua|naurahdus|naurahtaa|nauraa|naurahtelua|yskii|yskäisy|yskähdys|huokaus|huokaisee|"
    "tauko|hiljaisuus|epäselvä|epäselvää|keskeytys|puhelin soi|ovikello|taustamelua|itkee|itkua|"
    "niiskaisu|hymähdys|hymähtää|maiskutus|kuiskaten|kuiskaa|nauhuri|nauhoitus|katkos"
)
#: FSD-style transcription marks (non-verbal events, pauses, unclear speech, comments, overlap brackets).
MARK_PATTERN = re.compile(
    rf"\[(?:{_NONVERBAL})[^\]]*\]"       # [naurua], [yskii], [tauko 3 s]
    r"|\(\(.*?\)\)"                       # ((transcriber's comment))
    r"|\(\.+\)|\(\d+(?:[.,]\d+)?\)"      # pauses (.) (..) (2.0)
    r"|\(-+\)|\(x+\)"                     # unclear speech (--) (x)
    r"|[\[\]]",                           # overlap brackets
    re.IGNORECASE,
)


def mark_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of transcription marks in ``text``.

    Examples
    --------
    >>> text = "No (.) se oli [naurua] vaikeaa [mm] (--) ((puhelin))"
    >>> [text[a:b] for a, b in mark_spans(text)]
    ['(.)', '[naurua]', '[', ']', '(--)', '((puhelin))']
    """
    return [m.span() for m in MARK_PATTERN.finditer(text)]
