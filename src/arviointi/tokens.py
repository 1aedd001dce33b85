"""Corpus → tokens: lemmas, part of speech, morphology, entities, compound parts.

:func:`tokenize` parses every segment of a corpus with the Finnish spaCy model
and returns one row per token (:data:`TOKEN_COLUMNS`):

- ``doc_id`` — the document (join ``Corpus.documents`` on it for metadata)
- ``segment_id`` — the paragraph or speaker turn
- ``sent_id`` — sentence number within the document (0-based)
- ``token_id`` — token number within the document (0-based)
- ``start_char``, ``end_char`` — offsets in the document's cleaned ``text``:
  ``text[start_char:end_char]`` is the token
- ``text`` — the word form as written
- ``lemma`` — base form from the model's Voikko lemmatizer ("asunnottomuuden" → "asunnottomuus")
- ``pos`` — Universal Dependencies part of speech
- ``morph`` — UD morphological features ("Case=Gen|Number=Sing")
- ``ent_type`` — named-entity label (PERSON, ORG, GPE, LOC, …) or ``""``
- ``ent_iob`` — ``"B"`` begins an entity, ``"I"`` continues it, ``""`` outside
- ``is_stop`` — form or lemma is in spaCy's Finnish stop-word list
- ``is_punct`` — punctuation
- ``is_mark`` — part of a transcription mark (``(.)``, ``(--)``, ``[naurua]``, overlap brackets;
  :func:`arviointi.transcripts.mark_spans`) or of a pseudonymisation token (``[HENKILÖ 1]``);
  word statistics leave these out
- ``compound_parts`` — compound parts in base form joined with ``+``: "asunnottomuus+työ";
  one part for a simple word; ``""`` for tokens without letters
- ``role`` — the speaker's role in a transcript turn (``interviewer``, ``interviewee``, …);
  ``""`` in documents

Interviewer turns are left out by default (``include_interviewer=True`` keeps them):
analyses are about what the interviewees say.

Parsing is cached on disk, one Arrow IPC file per document, keyed by the document's text
and segmentation, the model and Voikko versions and the settings; a changed
document is re-parsed, an unchanged one is read back. Cache files are written
to a temporary name and renamed into place, so an interrupted run never leaves
a half-written entry; an unreadable entry is discarded and re-parsed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute
import pyarrow.ipc  # noqa: F401 - pa.ipc

from ._files import atomic_output
from .errors import ArviointiWarning
from .nlp import compound_parts, fast_lemma, guess_pos, load_model, model_version, voikko_version
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
#: The token attributes read with ``Doc.to_array``, and their column numbers.
_ATTRS = ["ORTH", "LEMMA", "POS", "MORPH", "ENT_TYPE", "ENT_IOB", "IDX", "IS_SPACE", "SENT_START", "IS_PUNCT",
          "IS_STOP"]
(_A_ORTH, _A_LEMMA, _A_POS, _A_MORPH, _A_ENT, _A_IOB, _A_IDX, _A_SPACE, _A_SENT, _A_PUNCT, _A_STOP) = range(11)
_IOB = {1: "I", 3: "B"}
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
    components: str = "full",
    n_process: int | None = None,
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
    components
        ``"full"``: the whole Finnish pipeline (POS, morphology, dependency-based
        sentences, NER, lemmas). ``"lemma"``: the fast lemma path — the model's
        tokenizer, a rule-based sentencizer and the model's Voikko lemmatizer with a
        part of speech guessed from Voikko and the model's word frequencies, no
        neural components (``pos`` is that guess; ``morph``, ``ent_type`` are empty).
        It agrees with the full pipeline on 96.8 % of the seed documents' lemmas and is
        much faster; text statistics use it when given a :class:`Corpus`.
    n_process
        Worker processes for parsing; ``None`` uses every core when more than
        20 000 characters need parsing, else one.

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
    if components not in ("full", "lemma"):
        raise ValueError("components must be 'full' or 'lemma'")
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    settings = json.dumps({"format": TOKENS_FORMAT, "model": model_version(), "voikko": voikko_version(),
                           "chunk_chars": chunk_chars, "components": components}, sort_keys=True)
    segments = corpus.segments
    by_doc = {doc_id: seg for doc_id, seg in segments.groupby("doc_id", sort=False)}

    tables: dict[str, pa.Table] = {}
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
        n_chars = sum(int(seg["text"].str.len().sum()) for _, _, seg in todo)
        show = progress if progress is not None else n_segments > 50
        if n_process is None:
            n_process = (os.cpu_count() or 1) if n_chars > 20_000 else 1
        for doc_id, key, table in _parse(todo, components=components, batch_size=batch_size, chunk_chars=chunk_chars,
                                         progress=show, total=n_segments, n_process=n_process):
            _write_cache(cache, key, table)
            tables[doc_id] = table

    ordered = [tables[d] for d in corpus.documents["doc_id"] if d in tables]
    out = _with_dtypes(pa.concat_tables(ordered).to_pandas() if ordered else _SCHEMA.empty_table().to_pandas())
    # (the cache keeps plain strings: categories are assigned here, once, for the whole table)
    roles = segments.set_index("segment_id")["role"].fillna("").astype(str)
    out["role"] = out["segment_id"].map(roles).fillna("").astype("category")
    if not include_interviewer:
        out = out[out["role"] != "interviewer"].reset_index(drop=True)
    return out[TOKEN_COLUMNS]


def _cache_key(text: str, segments: pd.DataFrame, settings_json: str) -> str:
    """SHA-256 of the settings, the document text and its segmentation (ids and offsets)."""
    h = hashlib.sha256(settings_json.encode("utf-8"))
    h.update(b"\x00")
    h.update(text.encode("utf-8"))
    h.update(b"\x00")
    for seg_id, a, b in zip(segments["segment_id"].tolist(), segments["start_char"].tolist(),
                            segments["end_char"].tolist()):
        h.update(f"{seg_id}\x1f{a}\x1f{b}\x1e".encode("utf-8"))
    return h.hexdigest()


def _cache_path(cache: Path, key: str) -> Path:
    # Arrow IPC files, memory-mapped on reading: a thousand small documents load in well under a second
    return cache / key[:2] / f"{key}.arrow"


def _read_cache(cache: Path, key: str) -> pa.Table | None:
    path = _cache_path(cache, key)
    if not path.exists():
        return None
    try:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
    except Exception as exc:  # noqa: BLE001 - any unreadable entry is discarded
        warnings.warn(f"{path}: unreadable cache entry discarded and re-parsed ({type(exc).__name__})",
                      ArviointiWarning, stacklevel=3)
        path.unlink(missing_ok=True)
        return None
    if not table.schema.equals(_SCHEMA):
        path.unlink(missing_ok=True)
        return None
    return table


def _write_cache(cache: Path, key: str, table: pa.Table) -> None:
    path = _cache_path(cache, key)
    opened = False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path) as fh:
            opened = True
            _write_ipc(table, fh)
    except OSError as exc:
        if opened:  # the folder is writable but writing failed: a real error
            raise
        warnings.warn(f"{cache}: cannot write the token cache ({exc.strerror}); parsing will not be cached",
                      ArviointiWarning, stacklevel=3)


def _write_ipc(table: pa.Table, fh: Any) -> None:
    with pa.ipc.new_file(fh, table.schema) as writer:
        writer.write_table(table)


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


def _inputs(todo: list[tuple[str, str, pd.DataFrame]], chunk_chars: int
            ) -> Iterator[tuple[str, tuple[int, int, str, int, list[tuple[int, int]]]]]:
    """(text, context) pairs for every piece of every segment to parse."""
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


def _length_sorted_pipe(nlp: Any, items: Iterator[tuple[str, Any]], *, batch_size: int,
                        window: int = 1024) -> Iterator[tuple[Any, Any]]:
    """``nlp.pipe`` over windows of texts sorted by length (similar lengths batch faster), yielding the
    results in the original order; the window bounds memory and keeps the progress bar moving."""
    import itertools

    while True:
        block = list(itertools.islice(items, window))
        if not block:
            return
        order = sorted(range(len(block)), key=lambda k: len(block[k][0]))
        parsed = dict(zip(order, nlp.pipe((block[k] for k in order), as_tuples=True, batch_size=batch_size)))
        for k in range(len(block)):
            yield parsed.pop(k)


def _fast_docs(items: Iterator[tuple[str, Any]]) -> Iterator[tuple[Any, Any]]:
    """The fast lemma path: the model's tokenizer and a rule-based sentencizer, no neural components;
    lemmas from Voikko via :func:`arviointi.nlp.fast_lemma`, cached per word form."""
    from spacy.pipeline import Sentencizer

    nlp = load_model()
    sentencizer = Sentencizer()
    for text, context in items:
        yield sentencizer(nlp.make_doc(text)), context


def _parse_serial(
    todo: list[tuple[str, str, pd.DataFrame]], *, components: str, batch_size: int, chunk_chars: int,
    on_segment: Any = None,
) -> Iterator[tuple[str, str, pa.Table]]:
    """Parse documents in this process; yield each document's table as soon as it is complete."""
    nlp = load_model()
    stop_words = nlp.Defaults.stop_words
    if components == "full":
        docs = _length_sorted_pipe(nlp, _inputs(todo, chunk_chars), batch_size=batch_size)
    else:
        docs = _fast_docs(_inputs(todo, chunk_chars))
    rows: dict[int, dict[str, list[Any]]] = {}
    sent_counter: dict[int, int] = {}
    done_segments: dict[int, int] = {}
    seg_counts = [len(seg) for _, _, seg in todo]
    next_doc = 0
    strings = nlp.vocab.strings
    lexeme_cache: dict[tuple[int, int, int], tuple[str, str, str, bool]] = {}  # (orth, lemma, pos) → strings
    fast_cache: dict[tuple[int, bool], tuple[str, str, str, bool]] = {}       # (orth, initial) → strings
    with _one_blas_thread():
        for doc, (i, offset, seg_id, last_piece, marks) in docs:
            cols = rows.setdefault(i, {c: [] for c in _PARSED_COLUMNS})
            sent = sent_counter.get(i, -1)
            arr = doc.to_array(_ATTRS)  # uint64: string hashes; SENT_START -1 wraps, only == 1 is tested
            keep = arr[:, _A_SPACE] == 0
            n = int(keep.sum())
            if n:
                arr = arr[keep]
                starts = arr[:, _A_SENT] == 1
                if sent < 0:
                    starts[0] = True
                sent_ids = sent + np.cumsum(starts)
                sent = int(sent_ids[-1])
                texts_, lemmas, poss, parts, stops = [], [], [], [], []
                for orth, lemma_h, pos_h, is_stop, initial in zip(arr[:, _A_ORTH].tolist(), arr[:, _A_LEMMA].tolist(),
                                                                  arr[:, _A_POS].tolist(), arr[:, _A_STOP].tolist(),
                                                                  starts.tolist()):
                    if components == "full":
                        key3 = (orth, lemma_h, pos_h)
                        hit = lexeme_cache.get(key3)
                        if hit is None:
                            text = strings[orth]
                            lemma = strings[lemma_h] if lemma_h else text
                            hit = (text, lemma, "+".join(compound_parts(text, lemma)), lemma.lower() in stop_words)
                            lexeme_cache[key3] = hit
                        pos = strings[pos_h] if pos_h else ""
                    else:
                        key2 = (orth, initial)
                        hit = fast_cache.get(key2)
                        if hit is None:
                            text = strings[orth]
                            pos_guess = guess_pos(text, initial)
                            lemma = fast_lemma(text, pos_guess)
                            hit = (text, lemma, "+".join(compound_parts(text, lemma)), lemma.lower() in stop_words,
                                   pos_guess)
                            fast_cache[key2] = hit
                        pos = hit[4]
                    texts_.append(hit[0])
                    lemmas.append(hit[1])
                    parts.append(hit[2])
                    stops.append(bool(is_stop) or hit[3])
                    poss.append(pos)
                idx = arr[:, _A_IDX].astype(np.int64)
                lengths = np.fromiter((len(t) for t in texts_), dtype=np.int64, count=n)
                cols["segment_id"].extend([seg_id] * n)
                cols["sent_id"].extend(sent_ids.tolist())
                cols["start_char"].extend((offset + idx).tolist())
                cols["end_char"].extend((offset + idx + lengths).tolist())
                cols["text"].extend(texts_)
                cols["lemma"].extend(lemmas)
                cols["pos"].extend(poss)
                if components == "full":
                    cols["morph"].extend(strings[h] if h else "" for h in arr[:, _A_MORPH].tolist())
                    cols["ent_type"].extend(strings[h] if h else "" for h in arr[:, _A_ENT].tolist())
                    cols["ent_iob"].extend(_IOB.get(v, "") for v in arr[:, _A_IOB].tolist())
                else:
                    cols["morph"].extend([""] * n)
                    cols["ent_type"].extend([""] * n)
                    cols["ent_iob"].extend([""] * n)
                cols["is_stop"].extend(stops)
                cols["is_punct"].extend((arr[:, _A_PUNCT] == 1).tolist())
                if marks:
                    cols["is_mark"].extend(any(a <= s0 and s0 + ln <= b for a, b in marks)
                                           for s0, ln in zip(idx.tolist(), lengths.tolist()))
                else:
                    cols["is_mark"].extend([False] * n)
                cols["compound_parts"].extend(parts)
            sent_counter[i] = sent
            if last_piece:
                done_segments[i] = done_segments.get(i, 0) + 1
                if on_segment is not None:
                    on_segment()
            # documents finish in order: hand each over as soon as all its segments are parsed
            while next_doc < len(todo) and done_segments.get(next_doc, 0) == seg_counts[next_doc]:
                doc_id, key, _ = todo[next_doc]
                yield doc_id, key, _table(doc_id, rows.pop(next_doc, {c: [] for c in _PARSED_COLUMNS}))
                next_doc += 1


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Parse with one BLAS thread: measured faster than OpenBLAS's default two threads for these
    small matrices, and it leaves the other core to a second worker process."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(1):
        yield


def _worker(job: tuple[list[tuple[str, str, pd.DataFrame]], str, int, int]) -> list[tuple[str, str, pa.Table]]:
    todo, components, batch_size, chunk_chars = job
    return list(_parse_serial(todo, components=components, batch_size=batch_size, chunk_chars=chunk_chars))


def _split(todo: list[tuple[str, str, pd.DataFrame]], parts: int) -> list[list[tuple[str, str, pd.DataFrame]]]:
    """Split documents into ``parts`` groups of about equal text length (long documents first)."""
    sizes = [int(seg["text"].str.len().sum()) for _, _, seg in todo]
    groups: list[list[int]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for i in sorted(range(len(todo)), key=lambda k: -sizes[k]):
        g = loads.index(min(loads))
        groups[g].append(i)
        loads[g] += sizes[i]
    return [[todo[i] for i in sorted(g)] for g in groups if g]


def _parse(
    todo: list[tuple[str, str, pd.DataFrame]], *, components: str, batch_size: int, chunk_chars: int,
    progress: bool, total: int, n_process: int,
) -> Iterator[tuple[str, str, pa.Table]]:
    from tqdm import tqdm

    load_model()  # loaded before any fork, so worker processes share it copy-on-write
    desc = "Jäsennetään (spaCy)" if components == "full" else "Perusmuodot (Voikko)"
    with tqdm(total=total, desc=desc, unit="kpl", disable=not progress) as bar:
        if n_process <= 1 or len(todo) < 2:
            yield from _parse_serial(todo, components=components, batch_size=batch_size, chunk_chars=chunk_chars,
                                     on_segment=lambda: bar.update(1))
            return
        import multiprocessing

        # several jobs per process, so the progress bar moves and the cores stay busy to the end
        jobs = _split(todo, min(len(todo), n_process * 4))
        context = multiprocessing.get_context("fork")
        with context.Pool(n_process) as pool:
            for tables in pool.imap_unordered(_worker, [(job, components, batch_size, chunk_chars) for job in jobs]):
                for doc_id, key, table in tables:
                    bar.update(len(pa.compute.unique(table["segment_id"])) if len(table) else 0)
                    yield doc_id, key, table


def _table(doc_id: str, cols: dict[str, list[Any]]) -> pa.Table:
    """One document's tokens as an Arrow table (cheap to build, cache and pickle; converted to pandas once)."""
    n = len(cols["text"])
    cols["doc_id"] = [doc_id] * n
    cols["token_id"] = list(range(n))
    return pa.table({c: cols[c] for c in _PARSED_COLUMNS}, schema=_SCHEMA)


_SCHEMA = pa.schema([
    (c, pa.int64() if c in ("sent_id", "token_id", "start_char", "end_char")
     else pa.bool_() if c in ("is_stop", "is_punct", "is_mark") else pa.string())
    for c in _PARSED_COLUMNS
])


#: Compact dtypes: Arrow-backed strings, and categories for the few-valued columns.
_DTYPES = {
    **{c: "int64" for c in ("sent_id", "token_id", "start_char", "end_char")},
    **{c: "bool" for c in ("is_stop", "is_punct", "is_mark")},
    **{c: "str" for c in ("doc_id", "segment_id", "text", "lemma", "compound_parts")},
    **{c: "category" for c in ("pos", "morph", "ent_type", "ent_iob")},
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
