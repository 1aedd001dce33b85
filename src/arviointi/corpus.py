"""Files → :class:`Corpus`: documents with their metadata, and segments.

A corpus is a folder. Every ``.txt``/``.md`` file in it (at any depth) is a
document, except

* files under a ``transcripts/`` folder: interview transcripts (``.txt``,
  ``.md``, ``.docx``, ``.vtt``, ``.srt``), read by :mod:`arviointi.transcripts`.
  Each transcript is one document (``kind == "transcript"``) whose text is its
  turns, one ``Speaker: words`` paragraph each, and whose segments are the
  speaker turns (``speaker``, ``role``, ``start_time``, ``end_time``; a
  segment's offsets cover the words, not the label);
* ``README*``, ``LICENSE*`` and hidden files or folders (starting with ``.``),
  and the build folder ``_build``.

Speaker roles come from the transcript's ``speakers`` field, then from a
``speakers.yaml`` (label → role) in its folder or any folder above it inside
the corpus, then from :func:`arviointi.transcripts.default_role`.

Metadata for a document comes, in increasing precedence, from defaults
(``doc_id`` = file name without extension, ``title`` = first line), from a
``metadata.yaml``/``metadata.yml``/``metadata.csv`` file in the same folder,
and from YAML front matter at the top of the file. All are optional: any plain
folder of Finnish ``.txt`` files loads.

Scraped web text is cleaned with :func:`arviointi.cleaning.clean_text` (switch
off with ``clean=False``). ``documents.text`` is the cleaned text and every
character offset in arviointi (``start_char``/``end_char`` of segments, tokens
and codings) refers to it; ``documents.raw_text`` keeps the text as read.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
import re
import warnings

import pandas as pd

from .cleaning import clean_text
from .errors import ArviointiError, ArviointiWarning
from .readers import LIST_FIELDS as _LIST_FIELDS
from .readers import read_metadata_file, read_text, split_front_matter
from .transcripts import TRANSCRIPT_SUFFIXES, default_role, read_transcript

if TYPE_CHECKING:  # pragma: no cover
    from os import PathLike

__all__ = ["Corpus", "load_corpus", "DOCUMENT_COLUMNS", "SEGMENT_COLUMNS"]

#: Columns every ``Corpus.documents`` table has, in this order (extra metadata follows).
DOCUMENT_COLUMNS = [
    "doc_id", "kind", "project", "title", "organisation", "cities", "region",
    "published", "updated", "source", "fictional", "path", "encoding",
    "n_chars", "text", "raw_text",
]
#: Columns of ``Corpus.segments``.
SEGMENT_COLUMNS = ["doc_id", "segment_id", "start_char", "end_char", "speaker", "role",
                   "start_time", "end_time", "text"]

_TEXT_SUFFIXES = {".txt", ".md"}
_METADATA_FILES = ("metadata.yaml", "metadata.yml", "metadata.csv")
_SKIP_NAMES = re.compile(r"^(readme|license|licence|copying)(\..*)?$", re.IGNORECASE)
_DATE_FIELDS = ("published", "updated", "date")
_DOC_ID = re.compile(r"^[\w.\-#!äöåÄÖÅ ]+$")


@dataclass
class Corpus:
    """Documents and their analysis units (segments), as plain tables.

    Attributes
    ----------
    documents : pandas.DataFrame
        One row per document: :data:`DOCUMENT_COLUMNS` plus any further metadata.
        ``cities`` and ``region`` are lists of strings; ``published``/``updated``
        are dates (``NaT`` where the source gives none).
    segments : pandas.DataFrame
        One row per analysis unit: :data:`SEGMENT_COLUMNS`. For documents a
        segment is a paragraph; ``text == documents.text[start_char:end_char]``.
    cleaning_log : pandas.DataFrame
        What cleaning changed: ``doc_id``, ``step``, ``line`` (1-based, in the
        file), ``text``.
    root : pathlib.Path or None
        The folder the corpus was loaded from.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "lahti.txt").write_text(
    ...     "Asumisneuvonta auttoi.\\n\\nHäätöjä vältettiin.", encoding="utf-8")
    >>> corpus = load_corpus(folder)
    >>> corpus.documents[["doc_id", "title", "n_chars"]].to_dict("records")
    [{'doc_id': 'lahti', 'title': 'Asumisneuvonta auttoi.', 'n_chars': 43}]
    >>> corpus.segments[["segment_id", "start_char", "end_char", "text"]].to_dict("records")[1]
    {'segment_id': 'lahti:002', 'start_char': 24, 'end_char': 43, 'text': 'Häätöjä vältettiin.'}
    """

    documents: pd.DataFrame
    segments: pd.DataFrame
    cleaning_log: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["doc_id", "step", "line", "text"]))
    root: Path | None = None

    def __repr__(self) -> str:
        where = f" from {self.root}" if self.root is not None else ""
        return f"<Corpus{where}: {len(self.documents)} documents, {len(self.segments)} segments>"

    def __len__(self) -> int:
        return len(self.documents)

    def select(self, **conditions: Any) -> Corpus:
        """The documents whose metadata match every condition (a value or a list of values),
        with their segments and cleaning log.

        Examples
        --------
        >>> corpus = load_corpus("corpus")
        >>> len(corpus.select(kind="transcript")), len(corpus.select(city=["Espoo", "Lahti"]))
        (12, 6)
        """
        keep = pd.Series(True, index=self.documents.index)
        for column, wanted in conditions.items():
            if column not in self.documents.columns:
                raise KeyError(f"no document column {column!r}")
            values = wanted if isinstance(wanted, (list, tuple, set)) else [wanted]
            keep &= self.documents[column].isin(list(values))
        documents = self.documents[keep].reset_index(drop=True)
        ids = set(documents["doc_id"])
        return Corpus(documents=documents,
                      segments=self.segments[self.segments["doc_id"].isin(ids)].reset_index(drop=True),
                      cleaning_log=self.cleaning_log[self.cleaning_log["doc_id"].isin(ids)].reset_index(drop=True),
                      root=self.root)

    def tokens(
        self,
        *,
        cache_dir: str | Path | None = None,
        progress: bool | None = None,
        batch_size: int = 64,
        include_interviewer: bool = False,
        components: str = "full",
        n_process: int | None = None,
    ) -> pd.DataFrame:
        """Parse the corpus with the Finnish spaCy model: one row per token.

        See :func:`arviointi.tokens.tokenize` for the columns. Parsing is cached
        on disk, so only the first call pays. Interviewer turns are left out
        unless ``include_interviewer=True``. ``components="lemma"`` takes the fast
        lemma path (no neural components); ``n_process`` sets the worker processes.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "a.txt").write_text("Kokemusasiantuntijat kehittivät asunnottomuustyötä.", encoding="utf-8")
        >>> toks = load_corpus(folder).tokens(cache_dir=folder / "cache", progress=False)
        >>> toks[["text", "lemma", "compound_parts"]].values.tolist()
        [['Kokemusasiantuntijat', 'kokemusasiantuntija', 'kokemus+asiantuntija'], ['kehittivät', 'kehittää', 'kehittää'], ['asunnottomuustyötä', 'asunnottomuustyö', 'asunnottomuus+työ'], ['.', '.', '']]
        """
        from .tokens import tokenize

        return tokenize(self, cache_dir=cache_dir, progress=progress, batch_size=batch_size,
                        include_interviewer=include_interviewer, components=components, n_process=n_process)


def load_corpus(path: str | PathLike[str] = "corpus", *, clean: bool = True) -> Corpus:
    """Load a folder of documents into a :class:`Corpus`.

    Parameters
    ----------
    path
        The corpus folder (default ``"corpus"``).
    clean
        Clean scraped web text (boilerplate, wrapped lines, repeated paragraphs);
        see :mod:`arviointi.cleaning`. Offsets refer to the cleaned text.

    Raises
    ------
    ArviointiError
        The folder is missing or holds no documents; a file is empty, binary or
        has broken front matter; two files share a ``doc_id``.

    Examples
    --------
    >>> corpus = load_corpus("corpus")                      # doctest: +SKIP
    >>> corpus.documents.groupby("project").size()          # doctest: +SKIP
    """
    root = Path(path)
    if not root.exists():
        raise ArviointiError("corpus folder not found", path=root)
    if not root.is_dir():
        raise ArviointiError("expected a corpus folder, found a file", path=root)

    files, transcripts = _discover(root)
    if not files and not transcripts:
        raise ArviointiError("no .txt or .md documents (or transcripts) found in the corpus folder", path=root)

    folder_meta: dict[Path, dict[str, dict[str, Any]]] = {}
    rows: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    turn_rows: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for file in files + transcripts:
        if file.parent not in folder_meta:
            folder_meta[file.parent] = _folder_metadata(file.parent)
        meta = folder_meta[file.parent].get(file.name, {})
        if file in transcripts:
            row, turns = _read_transcript_document(file, root, meta)
            turn_rows.extend(turns)
            log = []
        else:
            row, log = _read_document(file, root, meta, clean=clean)
        doc_id = row["doc_id"]
        if doc_id in seen:
            raise ArviointiError(
                f"duplicate doc_id {doc_id!r}: also used by {seen[doc_id]}; give one of them "
                "its own doc_id in front matter or metadata",
                path=file,
            )
        seen[doc_id] = file
        rows.append(row)
        logs.extend({"doc_id": doc_id, **entry} for entry in log)

    documents = _documents_frame(rows)
    segments = _segments(documents, turn_rows)
    cleaning_log = pd.DataFrame(logs, columns=["doc_id", "step", "line", "text"])
    return Corpus(documents=documents, segments=segments, cleaning_log=cleaning_log, root=root)


def _discover(root: Path) -> tuple[list[Path], list[Path]]:
    files: list[Path] = []
    transcripts: list[Path] = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if any(part.startswith(".") or part == "_build" for part in rel.parts):
            continue
        if not p.is_file() or _SKIP_NAMES.match(p.name):
            continue
        if "transcripts" in rel.parts[:-1]:
            if p.suffix.lower() in TRANSCRIPT_SUFFIXES:
                transcripts.append(p)
        elif p.suffix.lower() in _TEXT_SUFFIXES:
            files.append(p)
    return files, transcripts


def _folder_metadata(folder: Path) -> dict[str, dict[str, Any]]:
    found = [folder / name for name in _METADATA_FILES if (folder / name).is_file()]
    if len(found) > 1:
        raise ArviointiError(
            f"more than one metadata file in this folder ({', '.join(p.name for p in found)}); keep one",
            path=folder,
        )
    return read_metadata_file(found[0]) if found else {}


def _read_document(file: Path, root: Path, meta_from_file: dict[str, Any], *, clean: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    decoded = read_text(file)
    front, body, body_line = split_front_matter(decoded.text, file)
    meta = {**meta_from_file, **front}
    raw = body.strip("\n")
    if not raw.strip():
        raise ArviointiError("document has front matter but no text", path=file, line=body_line)
    if clean:
        text, steps = clean_text(raw)
        offset = body_line - 1 + (len(body) - len(body.lstrip("\n")))
        log = [{"step": s.step, "line": s.line + offset, "text": s.text} for s in steps]
    else:
        text, log = raw.strip(), []
    if not text:
        raise ArviointiError("nothing is left of the document after cleaning", path=file)

    row = _document_row(meta, file, root, text=text, raw_text=raw, encoding=decoded.encoding,
                        default_kind="document", default_title=text.split("\n", 1)[0][:120])
    return row, log


def _document_row(meta: dict[str, Any], file: Path, root: Path, *, text: str, raw_text: str, encoding: str,
                  default_kind: str, default_title: str, **extra: Any) -> dict[str, Any]:
    """One row of ``Corpus.documents``: the standard columns, then the file's own metadata."""
    meta = dict(meta)
    doc_id = _doc_id(meta, file)
    meta.pop("doc_id", None)
    row: dict[str, Any] = {
        "doc_id": doc_id,
        "kind": meta.pop("kind", default_kind),
        "title": meta.pop("title", None) or default_title,
        "fictional": _as_bool(meta.pop("fictional", False), "fictional", file),
        "path": str(file.relative_to(root)),
        "encoding": encoding,
        "n_chars": len(text),
        "text": text,
        "raw_text": raw_text,
        **extra,
    }
    for key, value in meta.items():
        if key in _LIST_FIELDS:
            value = _as_list(value, key, file)
        elif key in _DATE_FIELDS:
            value = _as_date(value, key, file)
        row[key] = value
    return row


def _as_bool(value: Any, key: str, file: Path) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "yes", "kyllä", "1"):
        return True
    if text in ("false", "no", "ei", "0", ""):
        return False
    raise ArviointiError(f"'{key}' must be true or false, got {value!r}", path=file)


def _doc_id(meta: dict[str, Any], file: Path) -> str:
    doc_id = str(meta.get("doc_id", file.stem)).strip()
    if not doc_id or not _DOC_ID.match(doc_id):
        raise ArviointiError(f"doc_id {doc_id!r} must be a non-empty name without '/' or ':'", path=file)
    return doc_id


def _as_list(value: Any, key: str, file: Path) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[;,]", value) if v.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    raise ArviointiError(f"'{key}' must be a list of names, got {value!r}", path=file)


_FINNISH_DATE = re.compile(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*")


def _as_date(value: Any, key: str, file: Path) -> pd.Timestamp:
    """A date from YAML, ISO text (2019-03-14) or Finnish text (14.3.2019)."""
    if value is None or value == "":
        return pd.NaT
    if isinstance(value, (_dt.date, _dt.datetime)):
        return pd.Timestamp(value)
    text = str(value)
    try:
        m = _FINNISH_DATE.fullmatch(text)
        if m:
            return pd.Timestamp(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return pd.Timestamp(_dt.date.fromisoformat(text.strip()))
    except ValueError:
        raise ArviointiError(f"'{key}' is not a date: {value!r} (use YYYY-MM-DD or D.M.YYYY)", path=file) from None


def _documents_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for col in DOCUMENT_COLUMNS:
        if col not in df.columns:
            df[col] = None
    for col in _LIST_FIELDS:
        df[col] = [v if isinstance(v, list) else [] for v in df[col]]
    for col in ("published", "updated", "date"):
        if col in df.columns:
            df[col] = pd.to_datetime(df[col])
    extra = [c for c in df.columns if c not in DOCUMENT_COLUMNS]
    return df[DOCUMENT_COLUMNS[:-2] + extra + DOCUMENT_COLUMNS[-2:]].reset_index(drop=True)


#: A paragraph: lines with visible text, up to a blank (or whitespace-only) line.
_PARAGRAPH = re.compile(r"[^\S\n]*\S[^\n]*(?:\n[^\S\n]*\S[^\n]*)*")


def _segments(documents: pd.DataFrame, turn_rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Paragraph segments for documents, speaker-turn segments for transcripts."""
    turns_by_doc: dict[str, list[dict[str, Any]]] = {}
    for turn in turn_rows:
        turns_by_doc.setdefault(turn["doc_id"], []).append(turn)
    rows: list[dict[str, Any]] = []
    for doc_id, kind, text in zip(documents["doc_id"], documents["kind"], documents["text"]):
        if doc_id in turns_by_doc:
            rows.extend(turns_by_doc[doc_id])
            continue
        for n, m in enumerate(_PARAGRAPH.finditer(text), start=1):
            start = m.start() + (len(m.group()) - len(m.group().lstrip()))
            end = m.end() - (len(m.group()) - len(m.group().rstrip()))
            rows.append({
                "doc_id": doc_id, "segment_id": f"{doc_id}:{n:03d}", "start_char": start,
                "end_char": end, "speaker": None, "role": None, "start_time": float("nan"),
                "end_time": float("nan"), "text": text[start:end],
            })
    segments = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    segments["start_time"] = segments["start_time"].astype(float)
    segments["end_time"] = segments["end_time"].astype(float)
    return segments


def _paragraph_segments_frame(documents: pd.DataFrame) -> pd.DataFrame:
    """Paragraph segments for every document (used for corpora read from other tools)."""
    return _segments(documents, [])


def _speaker_map(file: Path, root: Path) -> dict[str, str]:
    """``speakers.yaml`` files from the corpus root down to the file's folder (nearer wins)."""
    mapping: dict[str, str] = {}
    folders = [file.parent, *file.parent.parents]
    for folder in reversed([f for f in folders if f == root or root in f.parents]):
        path = folder / "speakers.yaml"
        if path.is_file():
            data = _load_yaml_mapping(path)
            mapping.update({str(k): str(v) for k, v in data.items()})
    return mapping


def _load_yaml_mapping(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(read_text(path).text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ArviointiError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                             line=mark.line + 1 if mark is not None else None) from None
    if not isinstance(data, dict):
        raise ArviointiError("expected a mapping of speaker label → role", path=path)
    return data


def _read_transcript_document(file: Path, root: Path, meta_from_file: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    corpus_map = _speaker_map(file, root)
    file_map = meta_from_file.get("speakers") or {}
    known = frozenset(corpus_map) | frozenset(str(k) for k in file_map)
    transcript = read_transcript(file, known_labels=known)
    meta = {**meta_from_file, **transcript.meta}
    file_map = meta.pop("speakers", None) or {}
    if not isinstance(file_map, dict):
        raise ArviointiError("'speakers' must map speaker labels to roles", path=file)
    roles = {**{k.lower(): v for k, v in corpus_map.items()}, **{str(k).lower(): str(v) for k, v in file_map.items()}}

    doc_id = _doc_id(meta, file)
    pieces: list[str] = []
    turns: list[dict[str, Any]] = []
    offset = 0
    unknown: dict[str, int] = {}
    for n, turn in enumerate(transcript.turns, start=1):
        role = roles.get(turn.speaker.lower()) or default_role(turn.speaker)
        if role is None:
            role = "unknown"
            if turn.speaker != "?":  # cues without a speaker were warned about by the reader
                unknown.setdefault(turn.speaker, turn.line)
        prefix = f"{turn.speaker}: "
        start = offset + len(prefix)
        pieces.append(prefix + turn.text)
        turns.append({
            "doc_id": doc_id, "segment_id": f"{doc_id}:{n:03d}", "start_char": start,
            "end_char": start + len(turn.text), "speaker": turn.speaker, "role": role,
            "start_time": turn.start_time if turn.start_time is not None else float("nan"),
            "end_time": turn.end_time if turn.end_time is not None else float("nan"),
            "text": turn.text,
        })
        offset += len(prefix) + len(turn.text) + 2
    for label, line in unknown.items():
        warnings.warn(
            f"{file}, line {line}: unknown speaker label {label!r}: role set to 'unknown'; "
            "map it in speakers.yaml or the transcript's 'speakers' metadata",
            ArviointiWarning, stacklevel=4,
        )
    text = "\n\n".join(pieces)
    city = meta.pop("city", None)
    if city is not None and "cities" not in meta:
        meta["cities"] = [city]
    row = _document_row(meta, file, root, text=text, raw_text=text, encoding=transcript.encoding,
                        default_kind="transcript", default_title=file.stem, format=transcript.format,
                        n_turns=len(turns), city=city)
    return row, turns
