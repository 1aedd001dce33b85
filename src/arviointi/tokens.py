"""Corpus → tokens: lemmas, part of speech, morphology, entities, compound parts.

:func:`tokenize` parses every segment of a corpus with the Finnish spaCy model
and returns one row per token (:data:`TOKEN_COLUMNS`):

=================  ==================================================================
``doc_id``         the document (join ``Corpus.documents`` on it for metadata)
``segment_id``     the paragraph or speaker turn
``sent_id``        sentence number within the document (0-based)
``token_id``       token number within the document (0-based)
``start_char``     offset of the token in the document's cleaned ``text``
``end_char``       end offset (exclusive): ``text[start_char:end_char] == token text``
``text``           the word form as written
``lemma``          base form from the model's Voikko lemmatizer ("asunnottomuuden" → "asunnottomuus")
``pos``            Universal Dependencies part of speech
``morph``          UD morphological features ("Case=Gen|Number=Sing")
``ent_type``       named-entity label (PERSON, ORG, GPE, LOC, …) or ``""``
``ent_iob``        ``"B"`` begins an entity, ``"I"`` continues it, ``""`` outside
``is_stop``        form or lemma is in spaCy's Finnish stop-word list
``is_punct``       punctuation
``is_mark``        part of a transcription mark — ``(.)``, ``(--)``, ``[naurua]``, overlap
                   brackets (:func:`arviointi.transcripts.mark_spans`) — or of a
                   pseudonymisation token (``[HENKILÖ 1]``); word statistics leave these out
``compound_parts`` compound parts in base form, joined with ``+``: "asunnottomuus+työ";
                   one part for a simple word; ``""`` for tokens without letters
``role``           the speaker's role in a transcript turn (``interviewer``,
                   ``interviewee``, …); ``""`` in documents
=================  ==================================================================

Interviewer turns are left out by default (``include_interviewer=True`` keeps them):
analyses are about what the interviewees say.

Parsing is cached on disk, one file per document, keyed by the document's text
and segmentation, the model and Voikko versions and the settings; a changed
document is re-parsed, an unchanged one is read back. Cache files are written
to a temporary name and renamed into place, so an interrupted run never leaves
a half-written entry; an unreadable entry is discarded and re-parsed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pandas as pd

from .errors import ArviointiWarning
from .nlp import compound_parts, load_model, model_version, voikko_version
from .transcripts import mark_spans

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus

__all__ = ["TOKEN_COLUMNS", "tokenize", "entities", "default_cache_dir"]

TOKEN_COLUMNS = [
    "doc_id", "segment_id", "sent_id", "token_id", "start_char", "end_char", "text",
    "lemma", "pos", "morph", "ent_type", "ent_iob", "is_stop", "is_punct", "is_mark", "compound_parts",
    "role",
]
#: The columns kept in the cache (``role`` depends on the speaker map, so it is joined afterwards).
_PARSED_COLUMNS = TOKEN_COLUMNS[:-1]
#: Bump when the token table changes shape or meaning: old cache entries are then ignored.
TOKENS_FORMAT = 3
#: A pseudonymisation token written by :func:`arviointi.pseudonymize` ("[HENKILÖ 1]").
PSEUDONYM_TOKEN = re.compile(r"\[(?:HENKILÖ|OSOITE|PAIKKA|ORGANISAATIO|PUHELIN|SÄHKÖPOSTI|HENKILÖTUNNUS) \d+\]")
#: Segments longer than this are parsed in pieces (spaCy's ``max_length`` is 1 000 000).
CHUNK_CHARS = 100_000


def default_cache_dir() -> Path:
    """``$ARVIOINTI_CACHE_DIR``, else ``$XDG_CACHE_HOME/arviointi``, else ``~/.cache/arviointi``."""
    env = os.environ.get("ARVIOINTI_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "arviointi"


def tokenize(
    corpus: Corpus,
    *,
    cache_dir: str | Path | None = None,
    progress: bool | None = None,
    batch_size: int = 64,
    chunk_chars: int = CHUNK_CHARS,
    include_interviewer: bool = False,
) -> pd.DataFrame:
    """Parse a corpus into a token table (see the module docstring for the columns).

    Parameters
    ----------
    corpus
        A loaded :class:`~arviointi.corpus.Corpus`.
    cache_dir
        Where parsed documents are kept (default :func:`default_cache_dir`).
    progress
        Show a progress bar while parsing; ``None`` shows one when more than
        50 segments need parsing.
    batch_size
        Segments per batch given to ``nlp.pipe``.
    chunk_chars
        Segments longer than this are parsed in pieces cut at line, sentence or
        word boundaries, so texts longer than spaCy's ``max_length`` work.
    include_interviewer
        Keep the tokens of interviewer turns (left out by default).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from arviointi import load_corpus
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "kuopio.txt").write_text("Kuopiossa asunnottomuustyö jatkuu.", encoding="utf-8")
    >>> toks = tokenize(load_corpus(folder), cache_dir=folder / "cache", progress=False)
    >>> toks[["text", "lemma", "ent_type", "compound_parts"]].to_dict("records")[:2]
    [{'text': 'Kuopiossa', 'lemma': 'Kuopio', 'ent_type': 'GPE', 'compound_parts': 'Kuopio'}, {'text': 'asunnottomuustyö', 'lemma': 'asunnottomuustyö', 'ent_type': '', 'compound_parts': 'asunnottomuus+työ'}]
    """
    if chunk_chars < 1000:
        raise ValueError("chunk_chars must be at least 1000")
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    settings = {"format": TOKENS_FORMAT, "model": model_version(), "voikko": voikko_version(),
                "chunk_chars": chunk_chars, "components": "all"}
    segments = corpus.segments
    by_doc = {doc_id: seg for doc_id, seg in segments.groupby("doc_id", sort=False)}

    tables: dict[str, pd.DataFrame] = {}
    todo: list[tuple[str, str, pd.DataFrame]] = []
    for doc_id, text in zip(corpus.documents["doc_id"], corpus.documents["text"]):
        seg = by_doc.get(doc_id)
        if seg is None or seg.empty:
            continue
        key = _cache_key(text, seg, settings)
        cached = _read_cache(cache, key)
        if cached is not None:
            tables[doc_id] = cached
        else:
            todo.append((doc_id, key, seg))

    if todo:
        n_segments = sum(len(seg) for _, _, seg in todo)
        show = progress if progress is not None else n_segments > 50
        for doc_id, key, table in _parse(todo, batch_size=batch_size, chunk_chars=chunk_chars,
                                         progress=show, total=n_segments):
            _write_cache(cache, key, table)
            tables[doc_id] = table

    ordered = [tables[d] for d in corpus.documents["doc_id"] if d in tables and len(tables[d])]
    out = pd.concat(ordered, ignore_index=True) if ordered else _with_dtypes(pd.DataFrame(columns=_PARSED_COLUMNS))
    roles = segments.set_index("segment_id")["role"].fillna("").astype(str)
    out["role"] = out["segment_id"].map(roles).fillna("").astype("str")
    if not include_interviewer:
        out = out[out["role"] != "interviewer"].reset_index(drop=True)
    return out[TOKEN_COLUMNS]


def _cache_key(text: str, segments: pd.DataFrame, settings: dict[str, Any]) -> str:
    payload = json.dumps(
        {
            "text": text,
            "segments": [[s, int(a), int(b)] for s, a, b in
                         zip(segments["segment_id"], segments["start_char"], segments["end_char"])],
            "settings": settings,
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _cache_path(cache: Path, key: str) -> Path:
    return cache / key[:2] / f"{key}.parquet"


def _read_cache(cache: Path, key: str) -> pd.DataFrame | None:
    path = _cache_path(cache, key)
    if not path.exists():
        return None
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable entry is discarded
        warnings.warn(f"{path}: unreadable cache entry discarded and re-parsed ({type(exc).__name__})",
                      ArviointiWarning, stacklevel=3)
        path.unlink(missing_ok=True)
        return None
    if list(table.columns) != _PARSED_COLUMNS:
        path.unlink(missing_ok=True)
        return None
    return _with_dtypes(table)


def _write_cache(cache: Path, key: str, table: pd.DataFrame) -> None:
    path = _cache_path(cache, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:8]}-", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        warnings.warn(f"{cache}: cannot write the token cache ({exc.strerror}); parsing will not be cached",
                      ArviointiWarning, stacklevel=3)
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            table.to_parquet(fh, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _chunks(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """Cut ``text`` into pieces of at most ``limit`` characters at natural boundaries."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        # prefer a line break, then a sentence end, then any space; never cut inside a word
        cut = max(window.rfind("\n") + 1, *(window.rfind(end) + len(end) for end in (". ", "? ", "! ")))
        if cut < limit // 2:
            cut = window.rfind(" ") + 1 or limit
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]


def _parse(
    todo: list[tuple[str, str, pd.DataFrame]], *, batch_size: int, chunk_chars: int, progress: bool, total: int
) -> Iterator[tuple[str, str, pd.DataFrame]]:
    from tqdm import tqdm

    nlp = load_model()
    stop_words = nlp.Defaults.stop_words

    def inputs() -> Iterator[tuple[str, tuple[int, int, str, int, list[tuple[int, int]]]]]:
        for i, (_, _, seg) in enumerate(todo):
            for seg_id, seg_start, seg_text, speaker in zip(seg["segment_id"], seg["start_char"], seg["text"],
                                                            seg["speaker"]):
                # transcription marks only in transcript turns (segments with a speaker);
                # pseudonymisation tokens anywhere
                marks = mark_spans(seg_text) if isinstance(speaker, str) else []
                marks += [m.span() for m in PSEUDONYM_TOKEN.finditer(seg_text)]
                pieces = list(_chunks(seg_text, chunk_chars))
                for j, (offset, piece) in enumerate(pieces):
                    local = [(a - offset, b - offset) for a, b in marks if a < offset + len(piece) and b > offset]
                    # the last piece of a segment carries a flag for the progress bar
                    yield piece, (i, int(seg_start) + offset, seg_id, int(j == len(pieces) - 1), local)

    rows: dict[int, dict[str, list[Any]]] = {}
    sent_counter: dict[int, int] = {}
    done_segments: dict[int, int] = {}
    seg_counts = [len(seg) for _, _, seg in todo]
    next_doc = 0
    with tqdm(total=total, desc="Jäsennetään (spaCy)", unit="kpl", disable=not progress) as bar:
        for doc, (i, offset, seg_id, last_piece, marks) in nlp.pipe(inputs(), as_tuples=True,
                                                                     batch_size=batch_size):
            cols = rows.setdefault(i, {c: [] for c in _PARSED_COLUMNS})
            sent = sent_counter.get(i, -1)
            for tok in doc:
                if tok.is_space:
                    continue
                if tok.is_sent_start or sent < 0:
                    sent += 1
                lemma = tok.lemma_ or tok.text
                cols["segment_id"].append(seg_id)
                cols["sent_id"].append(sent)
                cols["start_char"].append(offset + tok.idx)
                cols["end_char"].append(offset + tok.idx + len(tok.text))
                cols["text"].append(tok.text)
                cols["lemma"].append(lemma)
                cols["pos"].append(tok.pos_)
                cols["morph"].append(str(tok.morph))
                cols["ent_type"].append(tok.ent_type_)
                cols["ent_iob"].append(tok.ent_iob_ if tok.ent_iob_ in ("B", "I") else "")
                cols["is_stop"].append(bool(tok.is_stop or lemma.lower() in stop_words))
                cols["is_punct"].append(bool(tok.is_punct))
                cols["is_mark"].append(any(a <= tok.idx and tok.idx + len(tok.text) <= b for a, b in marks))
                cols["compound_parts"].append("+".join(compound_parts(tok.text, lemma)))
            sent_counter[i] = sent
            if last_piece:
                bar.update(1)
                done_segments[i] = done_segments.get(i, 0) + 1
            # documents finish in order: hand each over as soon as all its segments are parsed
            while next_doc < len(todo) and done_segments.get(next_doc, 0) == seg_counts[next_doc]:
                doc_id, key, _ = todo[next_doc]
                yield doc_id, key, _table(doc_id, rows.pop(next_doc, {c: [] for c in _PARSED_COLUMNS}))
                next_doc += 1


def _table(doc_id: str, cols: dict[str, list[Any]]) -> pd.DataFrame:
    n = len(cols["text"])
    cols["doc_id"] = [doc_id] * n
    cols["token_id"] = list(range(n))
    return _with_dtypes(pd.DataFrame({c: cols[c] for c in _PARSED_COLUMNS}))


_DTYPES = {
    **{c: "int64" for c in ("sent_id", "token_id", "start_char", "end_char")},
    **{c: "bool" for c in ("is_stop", "is_punct", "is_mark")},
    **{c: "str" for c in ("doc_id", "segment_id", "text", "lemma", "pos", "morph", "ent_type", "ent_iob",
                          "compound_parts")},
}


def _with_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    """The same dtypes whether a table was parsed now or read from the cache."""
    return df.astype(_DTYPES)


def entities(tokens: pd.DataFrame, *, types: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Named entities as spans: one row per entity found by the model's NER.

    Parameters
    ----------
    tokens
        A token table from :func:`tokenize`.
    types
        Keep only these labels (e.g. ``("GPE", "LOC", "ORG")``); ``None`` keeps all.

    Returns
    -------
    pandas.DataFrame
        ``doc_id``, ``segment_id``, ``start_char``, ``end_char``, ``ent_type``,
        ``text`` (as written) and ``lemma`` (the tokens' lemmas joined with spaces:
        "Espoossa" → "Espoo", so inflected mentions of a place count together).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from arviointi import load_corpus
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("Hanke toimi Espoossa ja Vantaalla.", encoding="utf-8")
    >>> toks = tokenize(load_corpus(folder), cache_dir=folder / "cache", progress=False)
    >>> entities(toks)[["text", "lemma", "ent_type"]].to_dict("records")
    [{'text': 'Espoossa', 'lemma': 'Espoo', 'ent_type': 'GPE'}, {'text': 'Vantaalla', 'lemma': 'Vantaa', 'ent_type': 'GPE'}]
    """
    columns = ["doc_id", "segment_id", "start_char", "end_char", "ent_type", "text", "lemma"]
    ent = tokens[tokens["ent_iob"] != ""]
    if types is not None:
        ent = ent[ent["ent_type"].isin(types)]
    if ent.empty:
        return pd.DataFrame(columns=columns)
    # a new span starts at "B", or where the type, document or token sequence changes
    new = (
        (ent["ent_iob"] == "B")
        | (ent["ent_type"] != ent["ent_type"].shift())
        | (ent["doc_id"] != ent["doc_id"].shift())
        | (ent["token_id"] != ent["token_id"].shift() + 1)
    )
    span = new.cumsum().rename("span")
    grouped = ent.groupby(span, sort=False)
    out = grouped.agg(
        doc_id=("doc_id", "first"), segment_id=("segment_id", "first"),
        start_char=("start_char", "first"), end_char=("end_char", "last"),
        ent_type=("ent_type", "first"),
    ).reset_index(drop=True)
    spans = [g for _, g in grouped[["text", "lemma", "start_char", "end_char"]]]
    out["text"] = [_join_spaced(g["text"], g) for g in spans]
    out["lemma"] = [_join_spaced(g["lemma"], g) for g in spans]
    return out[columns]


def _join_spaced(values: pd.Series, tokens: pd.DataFrame) -> str:
    """Join a span's token values with the spacing of the original text ("#" + "kotimatkalla")."""
    parts = []
    prev_end = None
    for text, start, end in zip(values, tokens["start_char"], tokens["end_char"]):
        if prev_end is not None:
            parts.append(" " * (start - prev_end))
        parts.append(text)
        prev_end = end
    return "".join(parts)
