"""Pseudonymisation of a corpus before analysis and publication (GDPR, FSD guidance).

Three steps, in the order the Finnish Social Science Data Archive (FSD) advises:

1. **Find** — :func:`find_identifiers` lists candidates: persons, street addresses,
   places (below the compared cities), organisations, phone numbers, e-mail
   addresses and Finnish personal identity codes (henkilötunnus, checksum
   validated). Sources: the Finnish model's named-entity recognition, Voikko's
   name lexicon (first names, surnames, place names), speaker labels that are names,
   and patterns. Candidates are keyed on the **lemma**, so "Aino", "Ainon" and
   "Ainolle" are one candidate, and the parts of a full name share its number.
2. **Review** — the candidate table has a ``decision`` column (``"replace"`` or
   ``"keep"``): the researcher edits it and passes it back.
3. **Apply** — :func:`pseudonymize` replaces every accepted candidate consistently
   across the corpus with an FSD-style category token (``[HENKILÖ 1]``,
   ``[OSOITE 1]``, …) and writes the key (original ↔ token) to a separate file
   *outside* the corpus folder. :func:`residual_check` then lists whatever still
   looks like personal data.

Automatic detection is a starting point: a researcher reads the residual list
and the pseudonymised texts before anything is published.
"""

from __future__ import annotations

import re
from dataclasses import replace as _dc_replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import numpy as np
import pandas as pd

from ._files import atomic_output
from .errors import ArviointiError
from .nlp import _voikko
from .tokens import PSEUDONYM_TOKEN, entities
from .transcripts import default_role

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus

__all__ = ["CATEGORIES", "find_identifiers", "pseudonymize", "residual_check", "valid_henkilotunnus"]

#: Category of personal data → FSD-style replacement word.
CATEGORIES = {
    "person": "HENKILÖ",
    "address": "OSOITE",
    "place": "PAIKKA",
    "organisation": "ORGANISAATIO",
    "phone": "PUHELIN",
    "email": "SÄHKÖPOSTI",
    "id_code": "HENKILÖTUNNUS",
}
CANDIDATE_COLUMNS = ["type", "key", "candidate", "forms", "count", "n_documents", "contexts",
                     "replacement", "decision"]
_TOKEN_RE = PSEUDONYM_TOKEN
_NER_TYPES = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "ORG": "organisation"}
_NAME_CLASSES = {"etunimi": "person", "sukunimi": "person", "paikannimi": "place"}
_LEGAL_FORMS = {"ry", "oy", "ab", "rf", "oyj", "ky", "tmi", "r.y.", "säätiö", "sr"}
_STREET_PARTS = {"katu", "tie", "kuja", "polku", "väylä", "kaari", "rinne", "ranta", "raitti", "tori",
                 "aukio", "puistikko", "bulevardi", "esplanadi", "kaarre", "portti", "piha", "kulma"}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HETU = re.compile(r"(?<![\w-])(\d{6})([-+A-FU-Y])(\d{3})([0-9A-Y])(?![\w-])")
_PHONE = re.compile(r"(?<![\w.,/])(?:\+358[ -]?\d{1,2}|0\d{1,2})(?:[ -]?\d){5,8}(?![\w.,/]?\d)")
_APARTMENT = re.compile(r"\s*\d+(?:[ ]?[a-zA-ZÄÖ](?:[ ]?\d+)?)?(?![\w])")
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_SOURCE_RANK = {"pattern": 0, "ner": 1, "label": 1, "lexicon": 2, "consistency": 3}
_PRIORITY = {"id_code": 0, "email": 1, "phone": 2, "address": 3, "person": 4, "organisation": 5, "place": 6}


def valid_henkilotunnus(code: str) -> bool:
    """Whether ``code`` is a Finnish personal identity code with a valid checksum.

    Examples
    --------
    >>> valid_henkilotunnus("131052-308T"), valid_henkilotunnus("131052-308A")
    (True, False)
    """
    m = _HETU.fullmatch(code.strip())
    if not m:
        return False
    day, month = int(m.group(1)[:2]), int(m.group(1)[2:4])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    return _HETU_CHECK[int(m.group(1) + m.group(3)) % 31] == m.group(4)


def find_identifiers(
    corpus: Corpus,
    *,
    allow: Iterable[str] = (),
    kinds: Iterable[str] | None = None,
    cache_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Candidates for pseudonymisation, one row per identifier, for the researcher to review.

    Parameters
    ----------
    corpus
        The corpus to search.
    allow
        Names that stay as they are: the compared cities, project names, public
        bodies. Matched on lemmas and compound parts, so "Espoo" keeps "Espoossa"
        and "AKU" keeps "AKU-hankkeessa".
    kinds
        Document kinds to search (``("transcript",)``); ``None`` searches all.
    cache_dir
        Token cache (see :func:`arviointi.tokens.tokenize`).

    Returns
    -------
    pandas.DataFrame
        ``type`` (person, address, place, organisation, phone, email, id_code),
        ``key`` (the lemma it is keyed on), ``candidate`` (its most frequent form),
        ``forms`` (every form found), ``count``, ``n_documents``, ``contexts`` (up
        to three snippets), ``replacement`` (e.g. ``[HENKILÖ 1]``) and ``decision``
        (``"replace"``; set it to ``"keep"`` to keep a candidate). The table holds
        original personal data: review it locally, never publish it.
    """
    mentions = _mentions(corpus, allow=allow, kinds=kinds, cache_dir=cache_dir)
    return _candidate_table(corpus, mentions)


def pseudonymize(
    corpus: Corpus,
    *,
    allow: Iterable[str] = (),
    key_path: str | Path | None = None,
    candidates: pd.DataFrame | None = None,
    kinds: Iterable[str] | None = None,
    cache_dir: str | Path | None = None,
) -> Corpus:
    """A pseudonymised copy of ``corpus``: identifiers replaced by category tokens.

    Parameters
    ----------
    corpus
        The corpus (left unchanged).
    allow
        Names to keep (compared cities, project names); see :func:`find_identifiers`.
    key_path
        Where to write the key (original ↔ token) as CSV. It must be outside the
        corpus folder. ``None`` writes no key: the pseudonymisation cannot be undone.
    candidates
        A reviewed candidate table from :func:`find_identifiers`; rows whose
        ``decision`` is ``"keep"`` are left as they are. ``None`` finds and
        replaces every candidate.
    kinds
        Document kinds to pseudonymise; ``None`` means all.

    Returns
    -------
    Corpus
        Texts, segments (offsets recomputed), speaker labels, titles and the
        cleaning log with identifiers replaced; ``documents.pseudonymized`` is True.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from arviointi import load_corpus
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "aineisto" / "transcripts").mkdir(parents=True)
    >>> _ = (root / "aineisto" / "transcripts" / "h.txt").write_text(
    ...     "H: Kuka auttoi?\\nV: Aino auttoi Espoossa. Soitin Ainolle numeroon 050 555 0199.\\n",
    ...     encoding="utf-8")
    >>> corpus = load_corpus(root / "aineisto")
    >>> safe = pseudonymize(corpus, allow=["Espoo"], key_path=root / "avain.csv", cache_dir=root / "c")
    >>> safe.segments["text"].tolist()[1]
    '[HENKILÖ 1] auttoi Espoossa. Soitin [HENKILÖ 1] numeroon [PUHELIN 1].'
    """
    allow = tuple(allow)
    mentions = _mentions(corpus, allow=allow, kinds=kinds, cache_dir=cache_dir)
    table = _candidate_table(corpus, mentions)
    if candidates is not None:
        missing = {"type", "key", "decision"} - set(candidates.columns)
        if missing:
            raise ArviointiError(f"the candidate table lacks the column(s) {sorted(missing)}")
        bad = set(candidates["decision"]) - {"replace", "keep"}
        if bad:
            raise ArviointiError(f"decision must be 'replace' or 'keep', found {sorted(bad)}")
        keep = set(zip(candidates.loc[candidates["decision"] == "keep", "type"],
                       candidates.loc[candidates["decision"] == "keep", "key"]))
        table = table[[(t, k) not in keep for t, k in zip(table["type"], table["key"])]]
        mentions = mentions[[(t, k) not in keep for t, k in zip(mentions["type"], mentions["key"])]]
    if key_path is not None:
        _check_key_location(Path(key_path), corpus)
    replacement = dict(zip(zip(table["type"], table["key"]), table["replacement"]))
    new = _apply(corpus, mentions, replacement, table)
    if key_path is not None:
        _write_key(Path(key_path), table)
    return new


def residual_check(
    corpus: Corpus,
    *,
    allow: Iterable[str] = (),
    key_path: str | Path | None = None,
    cache_dir: str | Path | None = None,
) -> pd.DataFrame:
    """What in a (pseudonymised) corpus still looks like personal data.

    Runs the same detection as :func:`find_identifiers`, ignoring replacement tokens
    and allowed names, and — given the key file — also searches every original
    form from the key. Returns the candidate table of what remains (empty when
    nothing does), with a ``source`` column (``detector`` or ``key``).
    """
    table = find_identifiers(corpus, allow=allow, cache_dir=cache_dir)
    table = table.assign(source="detector")
    if key_path is not None:
        key = pd.read_csv(key_path)
        rows = []
        for forms, kind in zip(key["forms"], key["type"]):
            for form in str(forms).split(" | "):
                pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE)
                hits = [(doc_id, m.start()) for doc_id, text in zip(corpus.documents["doc_id"],
                                                                     corpus.documents["text"])
                        for m in pattern.finditer(text)]
                if hits:
                    rows.append({"type": kind, "key": form.lower(), "candidate": form, "forms": form,
                                 "count": len(hits), "n_documents": len({d for d, _ in hits}),
                                 "contexts": "", "replacement": "", "decision": "replace", "source": "key"})
        if rows:
            table = pd.concat([table, pd.DataFrame(rows)], ignore_index=True)
    return table.reset_index(drop=True)


# ------------------------------------------------------------------ detection

def _is_allowed(token_text: str, lemma: str, parts: str, allow: set[str]) -> bool:
    pieces = {token_text.lower(), lemma.lower(), *parts.lower().split("+"),
              *re.split(r"[-:]", lemma.lower()), *re.split(r"[-:]", token_text.lower())}
    return bool(pieces & allow)


def _mentions(corpus: Corpus, *, allow: Iterable[str], kinds: Iterable[str] | None,
              cache_dir: str | Path | None) -> pd.DataFrame:
    """Every mention: doc_id, start_char, end_char, type, key, form."""
    allowed = {a.lower() for a in allow} | _allow_lemmas(allow)
    docs = corpus.documents
    if kinds is not None:
        docs = docs[docs["kind"].isin(tuple(kinds))]
    doc_ids = set(docs["doc_id"])
    texts = dict(zip(docs["doc_id"], docs["text"]))
    tokens = corpus.tokens(cache_dir=cache_dir, progress=False, include_interviewer=True)
    tokens = tokens[tokens["doc_id"].isin(doc_ids)].reset_index(drop=True)
    voikko = _voikko()
    rows: list[dict[str, object]] = []

    def add(doc_id: str, start: int, end: int, kind: str, key: str, source: str) -> None:
        form = texts[doc_id][start:end]
        if form.strip() and not _TOKEN_RE.fullmatch(form.strip()):
            rows.append({"doc_id": doc_id, "start_char": start, "end_char": end, "type": kind,
                         "key": key.lower(), "form": form, "source": source})

    # 1. patterns over the whole text (labels included)
    for doc_id, text in texts.items():
        for m in _EMAIL.finditer(text):
            add(doc_id, m.start(), m.end(), "email", m.group(), "pattern")
        for m in _HETU.finditer(text):
            if valid_henkilotunnus(m.group()):
                add(doc_id, m.start(), m.end(), "id_code", m.group(), "pattern")
        for m in _PHONE.finditer(text):
            add(doc_id, m.start(), m.end(), "phone", re.sub(r"\D", "", m.group()), "pattern")

    first = tokens.groupby(["doc_id", "sent_id"], sort=False)["start_char"].min()
    sentence_starts = set(first.to_numpy().tolist())

    # 2. street addresses: a capitalised street name (by its last compound part) and a number
    for row in tokens.itertuples(index=False):
        last = row.compound_parts.split("+")[-1] if row.compound_parts else ""
        if row.text[:1].isupper() and (last in _STREET_PARTS or row.lemma.lower().endswith(tuple(_STREET_PARTS))):
            if _is_allowed(row.text, row.lemma, row.compound_parts, allowed):
                continue
            tail = _APARTMENT.match(texts[row.doc_id], row.end_char)
            if tail and tail.group().strip():
                add(row.doc_id, row.start_char, tail.end(), "address", f"{row.lemma} {tail.group().strip()}",
                    "pattern")
            elif row.pos == "PROPN" and row.start_char not in sentence_starts:
                add(row.doc_id, row.start_char, row.end_char, "place", row.lemma, "ner")

    # 3. named entities, trimmed of allowed names, common words and punctuation
    ents = entities(tokens, types=tuple(_NER_TYPES))
    by_doc = {d: g for d, g in tokens.groupby("doc_id", sort=False)}
    for ent in ents.itertuples(index=False):
        doc_tokens = by_doc[ent.doc_id]
        span = doc_tokens[(doc_tokens["start_char"] >= ent.start_char) & (doc_tokens["end_char"] <= ent.end_char)]
        kept = [t for t in span.itertuples(index=False) if _keep_in_entity(t, allowed)]
        if not kept:
            continue
        if len(kept) == 1 and kept[0].start_char in sentence_starts and _common_word(voikko, kept[0].text):
            continue  # "Byrokratia." opening a sentence is a common noun, not a name
        kind = _NER_TYPES[ent.ent_type]
        if kind == "person":
            kept = _extend_name(kept, doc_tokens, allowed, sentence_starts)
        if len(kept) == 1 and kind == "organisation":
            cls = _name_class(voikko, kept[0].text)
            kind = {"place": "place", "person": "person"}.get(cls or "", kind)
        key = " ".join(_name_key(voikko, t) for t in kept if t.text.lower().strip(":") not in _LEGAL_FORMS
                       or len(kept) == 1)
        add(ent.doc_id, kept[0].start_char, kept[-1].end_char, kind, key or kept[0].lemma, "ner")

    # 4. names Voikko knows (first names, surnames, place names) that the NER missed
    for row in tokens.itertuples(index=False):
        if not row.text[:1].isupper() or row.pos not in ("PROPN", "NOUN", "X") or row.is_punct:
            continue
        cls = _name_class(voikko, row.text)
        if cls is None or _is_allowed(row.text, row.lemma, row.compound_parts, allowed):
            continue
        add(row.doc_id, row.start_char, row.end_char, cls, _name_key(voikko, row), "lexicon")

    # 5. speaker labels that are names (not H/V/Haastattelija/SPEAKER_00)
    for seg in corpus.segments[corpus.segments["doc_id"].isin(doc_ids) & corpus.segments["speaker"].notna()].itertuples():
        label = str(seg.speaker)
        if default_role(label) is not None or re.fullmatch(r"SPEAKER_\d+|\?", label):
            continue
        if label.lower() in allowed:
            continue
        start = seg.start_char - len(label) - 2
        analyses = voikko.analyze(label)
        key = analyses[0].get("BASEFORM", label) if analyses else label
        add(seg.doc_id, start, start + len(label), "person", key, "label")

    mentions = pd.DataFrame(rows, columns=["doc_id", "start_char", "end_char", "type", "key", "form", "source"])
    mentions = _outside_tokens(mentions, texts)
    mentions = _one_type_per_key(mentions)
    mentions = _merge_person_parts(mentions)
    mentions = _consistency_pass(mentions, tokens, texts, allowed)
    return _resolve_overlaps(mentions)


def _allow_lemmas(allow: Iterable[str]) -> set[str]:
    """Lemmas of the allowed names as well ("Espoossa" → "espoo"), for matching."""
    out = set()
    voikko = _voikko()
    for name in allow:
        for analysis in voikko.analyze(name):
            out.add(analysis.get("BASEFORM", name).lower())
    return out


def _extend_name(kept: list, doc_tokens: pd.DataFrame, allowed: set[str], sentence_starts: set[int]) -> list:
    """Add adjacent capitalised proper nouns to a person's name ("Sina" + "Rasilainen")."""
    ids = doc_tokens.set_index("token_id")
    first, last = kept[0].token_id, kept[-1].token_id
    while first - 1 in ids.index:
        prev = ids.loc[first - 1]
        if (prev["pos"] == "PROPN" and prev["text"][:1].isupper() and prev["end_char"] + 1 == ids.loc[first, "start_char"]
                and not _is_allowed(prev["text"], prev["lemma"], prev["compound_parts"], allowed)):
            first -= 1
        else:
            break
    while last + 1 in ids.index:
        nxt = ids.loc[last + 1]
        if (nxt["pos"] == "PROPN" and nxt["text"][:1].isupper() and nxt["start_char"] == ids.loc[last, "end_char"] + 1
                and nxt["start_char"] not in sentence_starts
                and not _is_allowed(nxt["text"], nxt["lemma"], nxt["compound_parts"], allowed)):
            last += 1
        else:
            break
    if (first, last) == (kept[0].token_id, kept[-1].token_id):
        return kept
    span = doc_tokens[(doc_tokens["token_id"] >= first) & (doc_tokens["token_id"] <= last)]
    return list(span.itertuples(index=False))


def _keep_in_entity(token, allowed: set[str]) -> bool:  # noqa: ANN001 - a token row
    if token.is_punct or token.is_mark:
        return False
    if _is_allowed(token.text, token.lemma, token.compound_parts, allowed):
        return False
    text = token.text.strip(":")
    return text[:1].isupper() or text.lower().split(":")[0] in _LEGAL_FORMS or text[:1].isdigit()


def _name_class(voikko, word: str) -> str | None:  # noqa: ANN001
    analyses = voikko.analyze(word)
    classes = [a.get("CLASS") for a in analyses]
    if not classes:
        return None
    # a word that is also a common noun or verb ("Lahti", "Kela") is a name only if every reading is one
    for cls in classes:
        if cls not in _NAME_CLASSES:
            return None
    return _NAME_CLASSES[classes[0]]


def _common_word(voikko, word: str) -> bool:  # noqa: ANN001
    """Voikko reads ``word`` only as a common word (lower-case base form, no name class)."""
    analyses = voikko.analyze(word)
    return bool(analyses) and all(a.get("CLASS") not in _NAME_CLASSES and a.get("BASEFORM", "")[:1].islower()
                                  for a in analyses)


def _name_key(voikko, token) -> str:  # noqa: ANN001
    for analysis in voikko.analyze(token.text):
        if analysis.get("CLASS") in _NAME_CLASSES:
            return analysis.get("BASEFORM", token.lemma)
    return token.lemma.split(":")[0]


def _outside_tokens(mentions: pd.DataFrame, texts: dict[str, str]) -> pd.DataFrame:
    """Drop mentions that touch a replacement token already in the text ("[ORGANISAATIO 2]")."""
    spans = {d: [m.span() for m in _TOKEN_RE.finditer(t)] for d, t in texts.items()}
    keep = np.array([not any(s < b and a < e for a, b in spans[d])
                     for d, s, e in zip(mentions["doc_id"], mentions["start_char"], mentions["end_char"])], dtype=bool)
    return mentions[keep].reset_index(drop=True)


def _one_type_per_key(mentions: pd.DataFrame) -> pd.DataFrame:
    """A name the NER labels differently in different places ("Keusoten": GPE, PERSON) gets the
    label it has most often, so it is replaced by one token everywhere."""
    names = mentions[mentions["type"].isin(["person", "place", "organisation"])]
    if names.empty:
        return mentions
    # the most reliable source decides: NER and speaker labels before the name lexicon
    names = names.assign(rank=names["source"].map(_SOURCE_RANK))
    names = names[names["rank"] == names.groupby("key")["rank"].transform("min")]
    counts = names.groupby(["key", "type"]).size().reset_index(name="n")
    counts["order"] = counts["type"].map(_PRIORITY)
    best = counts.sort_values(["key", "n", "order"], ascending=[True, False, True]).drop_duplicates("key")
    winner = dict(zip(best["key"], best["type"]))
    mentions = mentions.copy()
    is_name = mentions["type"].isin(["person", "place", "organisation"])
    mentions.loc[is_name, "type"] = mentions.loc[is_name, "key"].map(winner)
    return mentions


def _merge_person_parts(mentions: pd.DataFrame) -> pd.DataFrame:
    """The parts of a full name share its key: "Aino Mäkelä", "Ainon" → one person."""
    persons = mentions[mentions["type"] == "person"]
    part_key: dict[str, str] = {}
    for key in sorted(set(persons["key"]), key=lambda k: -len(k.split())):
        for part in key.split():
            part_key.setdefault(part, key)
    def remap(row_type: str, key: str) -> str:
        if row_type != "person":
            return key
        if key in part_key:
            return part_key[key]
        return key
    mentions = mentions.copy()
    mentions["key"] = [remap(t, k) for t, k in zip(mentions["type"], mentions["key"])]
    return mentions


def _consistency_pass(mentions: pd.DataFrame, tokens: pd.DataFrame, texts: dict[str, str],
                      allowed: set[str]) -> pd.DataFrame:
    """Every capitalised token whose lemma is a known one-word key is a mention too."""
    single: dict[str, tuple[str, str]] = {}
    for kind, key in zip(mentions["type"], mentions["key"]):
        if kind in ("person", "place", "organisation"):
            for part in key.split():
                if part not in allowed:
                    single.setdefault(part, (kind, key))
    extra = []
    for row in tokens.itertuples(index=False):
        lemma = row.lemma.lower()
        if row.is_punct or not row.text[:1].isupper():
            continue
        if lemma in single:
            kind, key = single[lemma]
            extra.append({"doc_id": row.doc_id, "start_char": row.start_char, "end_char": row.end_char,
                          "type": kind, "key": key, "form": texts[row.doc_id][row.start_char:row.end_char],
                          "source": "consistency"})
        elif "-" in row.text:
            # a name inside a hyphenated compound: "ARA-asuntoihin", "AUNE-ohjelmaan"
            offset = 0
            for piece in row.text.split("-"):
                if piece.lower() in single and piece[:1].isupper():
                    kind, key = single[piece.lower()]
                    start = row.start_char + offset
                    extra.append({"doc_id": row.doc_id, "start_char": start, "end_char": start + len(piece),
                                  "type": kind, "key": key, "form": piece, "source": "consistency"})
                offset += len(piece) + 1
    if extra:
        mentions = pd.concat([mentions, pd.DataFrame(extra)], ignore_index=True)
    return mentions


def _resolve_overlaps(mentions: pd.DataFrame) -> pd.DataFrame:
    """Keep one mention per stretch of text: patterns, then NER and labels, then the name lexicon;
    longer before shorter."""
    if mentions.empty:
        return mentions
    m = mentions.assign(priority=mentions["type"].map(_PRIORITY), rank=mentions["source"].map(_SOURCE_RANK),
                        length=mentions["end_char"] - mentions["start_char"])
    m = m.sort_values(["doc_id", "rank", "priority", "length"], ascending=[True, True, True, False])
    kept: list[int] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    for idx, row in zip(m.index, m.itertuples(index=False)):
        spans = taken.setdefault(row.doc_id, [])
        if any(row.start_char < b and a < row.end_char for a, b in spans):
            continue
        spans.append((row.start_char, row.end_char))
        kept.append(idx)
    out = mentions.loc[kept].sort_values(["doc_id", "start_char"])
    return out.reset_index(drop=True)


def _candidate_table(corpus: Corpus, mentions: pd.DataFrame) -> pd.DataFrame:
    if mentions.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    order = {d: i for i, d in enumerate(corpus.documents["doc_id"])}
    texts = dict(zip(corpus.documents["doc_id"], corpus.documents["text"]))
    m = mentions.assign(doc_order=mentions["doc_id"].map(order)).sort_values(["doc_order", "start_char"])
    rows = []
    numbers: dict[str, int] = {}
    for (kind, key), group in m.groupby(["type", "key"], sort=False):
        numbers[kind] = numbers.get(kind, 0) + 1
        forms = group["form"].value_counts()
        contexts = []
        for doc_id, start, end in zip(group["doc_id"], group["start_char"], group["end_char"]):
            if len(contexts) == 3:
                break
            text = texts[doc_id]
            contexts.append(f"…{text[max(0, start - 40):start]}[{text[start:end]}]{text[end:end + 40]}…"
                            .replace("\n", " "))
        rows.append({
            "type": kind, "key": key, "candidate": forms.index[0], "forms": " | ".join(sorted(forms.index)),
            "count": len(group), "n_documents": group["doc_id"].nunique(), "contexts": contexts,
            "replacement": f"[{CATEGORIES[kind]} {numbers[kind]}]", "decision": "replace",
        })
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)


# ------------------------------------------------------------------ applying

def _check_key_location(key_path: Path, corpus: Corpus) -> None:
    if corpus.root is None:
        return
    root = corpus.root.resolve()
    target = key_path.resolve()
    if target == root or root in target.parents:
        raise ArviointiError("the pseudonymisation key must be kept outside the corpus folder "
                             f"({root}), so it is never shared with the data", path=key_path)


def _write_key(key_path: Path, table: pd.DataFrame) -> None:
    key_path.parent.mkdir(parents=True, exist_ok=True)
    columns = ["replacement", "type", "key", "forms", "count", "n_documents"]
    with atomic_output(key_path, private=True) as fh:  # the key is for the researcher's eyes only
        fh.write(table[columns].to_csv(index=False).encode("utf-8"))


def _apply(corpus: Corpus, mentions: pd.DataFrame, replacement: dict[tuple[str, str], str],
           table: pd.DataFrame) -> Corpus:
    docs = corpus.documents.copy()
    segments = corpus.segments.copy()
    by_doc = {d: g for d, g in mentions.groupby("doc_id", sort=False)}
    # every original form, longest first, for the fields that are not offset-addressed
    literal = sorted(
        ((form, replacement[(t, k)]) for t, k, forms in zip(table["type"], table["key"], table["forms"])
         for form in forms.split(" | ") if (t, k) in replacement),
        key=lambda pair: -len(pair[0]),
    )
    new_texts = []
    for doc_id, text in zip(docs["doc_id"], docs["text"]):
        spans = by_doc.get(doc_id)
        if spans is None:
            new_texts.append(text)
            continue
        pieces, shifts, pos = [], [], 0
        for start, end, kind, key in zip(spans["start_char"], spans["end_char"], spans["type"], spans["key"]):
            token = replacement[(kind, key)]
            pieces.append(text[pos:start])
            pieces.append(token)
            shifts.append((start, end, len(token) - (end - start)))
            pos = end
        pieces.append(text[pos:])
        new_texts.append("".join(pieces))
        mask = segments["doc_id"] == doc_id
        segments.loc[mask, "start_char"] = [_shift(p, shifts) for p in segments.loc[mask, "start_char"]]
        segments.loc[mask, "end_char"] = [_shift(p, shifts) for p in segments.loc[mask, "end_char"]]
    docs["text"] = new_texts
    docs["n_chars"] = docs["text"].str.len()
    new_by_id = dict(zip(docs["doc_id"], docs["text"]))
    segments["text"] = [new_by_id[d][a:b] for d, a, b in zip(segments["doc_id"], segments["start_char"],
                                                             segments["end_char"])]
    segments["speaker"] = [None if s is None or (isinstance(s, float) and s != s) else _literal(str(s), literal)
                           for s in segments["speaker"]]
    for col in ("raw_text", "title"):
        docs[col] = [_literal(v, literal) if isinstance(v, str) else v for v in docs[col]]
    docs["pseudonymized"] = True
    log = corpus.cleaning_log.copy()
    log["text"] = [_literal(v, literal) if isinstance(v, str) else v for v in log["text"]]
    return _dc_replace(corpus, documents=docs, segments=segments, cleaning_log=log)


def _shift(pos: int, shifts: list[tuple[int, int, int]]) -> int:
    delta = 0
    for a, b, d in shifts:
        if b <= pos:  # replacements that end before this position move it
            delta += d
    return pos + delta


def _literal(value: str, literal: list[tuple[str, str]]) -> str:
    for form, token in literal:
        value = re.sub(rf"(?<!\w){re.escape(form)}(?!\w)", token, value)
    return value
