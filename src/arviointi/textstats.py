"""Text statistics on the token table: frequencies, keyness, KWIC, collocations, n-grams, DTM.

Every function takes the token table from :func:`arviointi.tokens.tokenize` and
returns a plain table. Grouping is by any column: a token column (``doc_id``,
``role``) or a document variable (``project``, ``kind``, ``city``, ``cities``)
taken from ``documents``; list-valued variables such as ``cities`` count a
document once for each city it names. Counting is on **lemmas** (``unit="lemma"``)
or on **compound parts** (``unit="compound_part"``: "asunnottomuustyön" counts for
*asunnottomuus* and *työ*), never on raw word forms. Punctuation, transcription
marks and (by default) stop words are left out. All counting is vectorised with
pandas/numpy.

Keyness follows Rayson & Garside (2000) and Hardie (2014): for a term with
``a`` occurrences in the target (``c`` tokens) and ``b`` in the reference
(``d`` tokens), ``E1 = c(a+b)/(c+d)``, ``E2 = d(a+b)/(c+d)``,
``G2 = 2(a ln(a/E1) + b ln(b/E2))`` (signed: negative when the term is
relatively rarer in the target), ``log_ratio = log2((a/c)/(b/d))`` with 0.5
added to zero counts, Pearson's χ² of the 2×2 table without continuity
correction, and ``pct_diff`` = %DIFF (Gabrielatos & Marchi 2012).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import sparse, stats

__all__ = ["terms", "frequencies", "keyness", "kwic", "collocations", "ngrams", "DocumentTermMatrix", "dtm"]


def _token_table(tokens: Any, documents: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A token table and the documents: given a :class:`~arviointi.corpus.Corpus`, its tokens from the fast
    lemma path (frequencies and keyness need no POS or NER) and its documents."""
    from .corpus import Corpus

    if isinstance(tokens, Corpus):
        return tokens.tokens(components="lemma", progress=False), documents if documents is not None else tokens.documents
    return tokens, documents


def _words(tokens: pd.DataFrame, *, drop_stop: bool) -> np.ndarray:
    """Which tokens count as words: not punctuation, not a transcription or pseudonym mark, and (if
    ``drop_stop``) not a stop word."""
    keep = ~tokens["is_punct"].to_numpy(bool)
    if "is_mark" in tokens.columns:
        keep &= ~tokens["is_mark"].to_numpy(bool)
    if drop_stop:
        keep &= ~tokens["is_stop"].to_numpy(bool)
    return keep


def terms(tokens: pd.DataFrame, *, unit: str = "lemma", by: str | Sequence[str] | None = None,
          documents: pd.DataFrame | None = None, drop_stop: bool = True) -> pd.DataFrame:
    """The counted terms: one row per lemma (or compound part), with ``doc_id`` and the ``by`` columns.

    ``tokens`` is a token table or a :class:`~arviointi.corpus.Corpus` (then its fast-lemma-path tokens
    and its documents are used; so for every function in this module).

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a", "a", "a"], "lemma": ["asunnottomuustyö", "ja", "."],
    ...     "compound_parts": ["asunnottomuus+työ", "ja", ""], "is_stop": [False, True, False],
    ...     "is_punct": [False, False, True], "is_mark": [False, False, False]})
    >>> terms(toks, unit="compound_part")["term"].tolist()
    ['asunnottomuus', 'työ']
    """
    tokens, documents = _token_table(tokens, documents)
    keep = _words(tokens, drop_stop=drop_stop)
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    token_cols = [c for c in by_cols if c in tokens.columns and c != "doc_id"]
    doc_cols = [c for c in by_cols if c not in tokens.columns]
    if unit == "lemma":
        out = tokens.loc[keep, ["doc_id", *token_cols, "lemma"]].rename(columns={"lemma": "term"})
    elif unit == "compound_part":
        out = tokens.loc[keep, ["doc_id", *token_cols, "compound_parts"]]
        out = out.assign(term=out["compound_parts"].str.split("+")).explode("term").drop(columns="compound_parts")
        out = out[out["term"].str.len() > 0]
    else:
        raise ValueError("unit must be 'lemma' or 'compound_part'")
    if doc_cols:
        if documents is None:
            raise ValueError(f"grouping by {doc_cols} needs the documents table")
        meta = documents[["doc_id", *doc_cols]]
        for col in doc_cols:
            if meta[col].map(lambda v: isinstance(v, list)).any():
                meta = meta.explode(col)
        out = out.merge(meta.dropna(subset=doc_cols), on="doc_id")
    return out.reset_index(drop=True)


def frequencies(tokens: pd.DataFrame, *, by: str | Sequence[str] | None = None, documents: pd.DataFrame | None = None,
                unit: str = "lemma", drop_stop: bool = True) -> pd.DataFrame:
    """Term frequencies: ``[by…]``, ``term``, ``count``, ``doc_freq`` (documents containing it),
    ``share`` (of all counted terms in the group), ranked within each group.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a", "a", "b"], "lemma": ["asunto", "asunto", "asunto"],
    ...     "compound_parts": ["asunto"] * 3, "is_stop": [False] * 3, "is_punct": [False] * 3})
    >>> frequencies(toks).to_dict("records")
    [{'term': 'asunto', 'count': 3, 'doc_freq': 2, 'share': 1.0, 'rank': 1}]
    """
    table = terms(tokens, unit=unit, by=by, documents=documents, drop_stop=drop_stop)
    groups = [] if by is None else ([by] if isinstance(by, str) else list(by))
    keys = [*groups, "term"]
    out = table.groupby(keys, sort=False, observed=True).agg(count=("doc_id", "size"), doc_freq=("doc_id", "nunique"))
    out = out.reset_index()
    totals = out.groupby(groups, observed=True)["count"].transform("sum") if groups else out["count"].sum()
    out["share"] = out["count"] / totals
    out = out.sort_values([*groups, "count", "term"], ascending=[True] * len(groups) + [False, True])
    out["rank"] = out.groupby(groups, observed=True).cumcount() + 1 if groups else np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def keyness(tokens: pd.DataFrame, *, by: str, target: str, reference: str | Sequence[str] | None = None,
            documents: pd.DataFrame | None = None, unit: str = "lemma", drop_stop: bool = True,
            correction: str = "fdr_bh") -> pd.DataFrame:
    """Keyness of the ``target`` group against the rest (or against ``reference``).

    Returns
    -------
    pandas.DataFrame
        ``term`` (also as ``lemma``), ``n_target``, ``n_reference``, ``total_target``,
        ``total_reference``, ``G2`` (signed log-likelihood), ``p_value``, ``p_adjusted``
        (``correction``: Benjamini–Hochberg by default), ``log_ratio`` (binary log of
        the ratio of relative frequencies), ``chi2``, ``pct_diff``; sorted by G2.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["e"] * 3 + ["v"] * 3, "city": ["Espoo"] * 3 + ["Vantaa"] * 3,
    ...     "lemma": ["asunto", "asunto", "tuki", "tuki", "tuki", "asunto"], "compound_parts": [""] * 6,
    ...     "is_stop": [False] * 6, "is_punct": [False] * 6})
    >>> keyness(toks, by="city", target="Espoo")[["term", "n_target", "n_reference", "log_ratio"]].to_dict("records")
    [{'term': 'asunto', 'n_target': 2, 'n_reference': 1, 'log_ratio': 1.0}, {'term': 'tuki', 'n_target': 1, 'n_reference': 2, 'log_ratio': -1.0}]
    """
    from statsmodels.stats.multitest import multipletests

    table = terms(tokens, unit=unit, by=by, documents=documents, drop_stop=drop_stop)
    group = table[by].astype(str)
    is_target = (group == str(target)).to_numpy()
    if reference is None:
        is_reference = ~is_target
    else:
        refs = [reference] if isinstance(reference, str) else list(reference)
        is_reference = group.isin([str(r) for r in refs]).to_numpy() & ~is_target
    if not is_target.any():
        raise ValueError(f"no tokens in the target group {target!r} of {by!r}")
    counts_t = table.loc[is_target, "term"].value_counts()
    counts_r = table.loc[is_reference, "term"].value_counts()
    vocab = counts_t.index.union(counts_r.index)
    a = counts_t.reindex(vocab, fill_value=0).to_numpy(float)
    b = counts_r.reindex(vocab, fill_value=0).to_numpy(float)
    c, d = a.sum(), b.sum()
    g2, chi2 = _g2_chi2(a, b, c, d)
    p = stats.chi2.sf(np.abs(g2), df=1)
    rel_t, rel_r = np.where(a > 0, a, 0.5) / c, np.where(b > 0, b, 0.5) / d
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(b > 0, ((a / c) - (b / d)) * 100 / (b / d), np.inf)
    out = pd.DataFrame({
        "term": vocab, "n_target": a.astype(int), "n_reference": b.astype(int), "total_target": int(c),
        "total_reference": int(d), "G2": g2, "p_value": p,
        "p_adjusted": multipletests(p, method=correction)[1] if len(p) else p,
        "log_ratio": np.log2(rel_t / rel_r), "chi2": chi2, "pct_diff": pct,
    })
    out.insert(1, "lemma", out["term"])
    return out.sort_values(["G2", "term"], ascending=[False, True]).reset_index(drop=True)


def _g2_chi2(a: np.ndarray, b: np.ndarray, c: float, d: float) -> tuple[np.ndarray, np.ndarray]:
    """Signed G² and Pearson χ² for 2×2 tables [[a, c−a], [b, d−b]], vectorised."""
    n = c + d
    e1, e2 = c * (a + b) / n, d * (a + b) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        term_a = np.where(a > 0, a * np.log(a / e1), 0.0)
        term_b = np.where(b > 0, b * np.log(b / e2), 0.0)
        g2 = 2 * (term_a + term_b)
        # Pearson chi2 over all four cells
        rest_t, rest_r = c - a, d - b
        e3, e4 = c - e1, d - e2
        chi2 = (a - e1) ** 2 / e1 + (b - e2) ** 2 / e2 + (rest_t - e3) ** 2 / e3 + (rest_r - e4) ** 2 / e4
    sign = np.where(a / c >= b / d, 1.0, -1.0)
    return sign * g2, chi2


def kwic(tokens: pd.DataFrame, documents: pd.DataFrame, *, pattern: str | Sequence[str], window: int = 5,
         on: str = "lemma") -> pd.DataFrame:
    """Keywords in context: every token whose lemma (``on="lemma"``), or whose lemma or one of whose
    compound parts (``on="compound_part"``: "asiantuntija" finds "kokemusasiantuntijoiden"), is in
    ``pattern``, with up to ``window`` tokens each side within the same segment (paragraph or
    speaker turn; punctuation counts as a token).

    Returns ``doc_id``, ``segment_id``, ``token_id``, ``start_char``, ``end_char``, ``left``,
    ``keyword`` (as written), ``right``.
    """
    wanted = {pattern.lower()} if isinstance(pattern, str) else {p.lower() for p in pattern}
    if on == "lemma":
        hit = tokens["lemma"].str.lower().isin(wanted)
    elif on == "compound_part":
        parts = tokens["compound_parts"].str.lower().str.split("+").map(lambda p: bool(wanted & set(p)))
        hit = parts | tokens["lemma"].str.lower().isin(wanted)
    else:
        raise ValueError("on must be 'lemma' or 'compound_part'")
    texts = dict(zip(documents["doc_id"], documents["text"]))
    rows = []
    positions = {d: g.reset_index(drop=True) for d, g in tokens[["segment_id", "token_id", "start_char", "end_char"]]
                 .groupby("segment_id", sort=False)}
    for row in tokens[hit.to_numpy(bool)].itertuples(index=False):
        doc = positions[row.segment_id]  # the context stays inside the paragraph or speaker turn
        i = int(np.searchsorted(doc["token_id"].to_numpy(), row.token_id))
        lo, hi = max(0, i - window), min(len(doc) - 1, i + window)
        text = texts[row.doc_id]
        rows.append({"doc_id": row.doc_id, "segment_id": row.segment_id, "token_id": row.token_id,
                     "start_char": row.start_char, "end_char": row.end_char,
                     "left": text[doc.at[lo, "start_char"]:row.start_char].strip().replace("\n", " "),
                     "keyword": row.text,
                     "right": text[row.end_char:doc.at[hi, "end_char"]].strip().replace("\n", " ")})
    return pd.DataFrame(rows, columns=["doc_id", "segment_id", "token_id", "start_char", "end_char", "left",
                                       "keyword", "right"])


def _bigram_table(tokens: pd.DataFrame, *, drop_stop: bool) -> pd.DataFrame:
    keep = _words(tokens, drop_stop=False)
    t = tokens.loc[keep, ["doc_id", "sent_id", "token_id", "lemma", "is_stop"]].reset_index(drop=True)
    nxt = t.shift(-1)
    same = (t["doc_id"] == nxt["doc_id"]) & (t["sent_id"] == nxt["sent_id"])
    pairs = pd.DataFrame({"w1": t["lemma"], "w2": nxt["lemma"], "stop": t["is_stop"] | nxt["is_stop"].fillna(True).astype(bool)})[same]
    if drop_stop:
        pairs = pairs[~pairs["stop"]]
    return pairs


def ngrams(tokens: pd.DataFrame, *, n: int = 2, drop_stop: bool = True) -> pd.DataFrame:
    """Lemma n-grams within sentences (punctuation skipped): ``ngram``, ``count``."""
    keep = _words(tokens, drop_stop=False)
    t = tokens.loc[keep, ["doc_id", "sent_id", "lemma", "is_stop"]].reset_index(drop=True)
    parts, same, stop = [t["lemma"]], pd.Series(True, index=t.index), t["is_stop"].copy()
    for k in range(1, n):
        s = t.shift(-k)
        same &= (t["doc_id"] == s["doc_id"]) & (t["sent_id"] == s["sent_id"])
        parts.append(s["lemma"])
        stop |= s["is_stop"].fillna(True).astype(bool)
    mask = same & (~stop if drop_stop else True)
    grams = parts[0][mask].astype(str)
    for p in parts[1:]:
        grams = grams + " " + p[mask].astype(str)
    out = grams.value_counts().rename_axis("ngram").reset_index(name="count")
    return out.sort_values(["count", "ngram"], ascending=[False, True]).reset_index(drop=True)


def collocations(tokens: pd.DataFrame, *, min_count: int = 2, drop_stop: bool = True) -> pd.DataFrame:
    """Adjacent lemma pairs scored for association.

    Returns ``w1``, ``w2``, ``n`` (pair count), ``n_w1``, ``n_w2`` (counts as first/second
    element), ``N`` (pairs), ``pmi`` (log2 of observed/expected), ``G2`` (log-likelihood of
    the 2×2 table), ``t_score`` ((n − expected)/√n); sorted by G2.
    """
    pairs = _bigram_table(tokens, drop_stop=drop_stop)
    N = len(pairs)
    counts = pairs.groupby(["w1", "w2"], sort=False).size().rename("n").reset_index()
    n1 = pairs["w1"].value_counts()
    n2 = pairs["w2"].value_counts()
    counts["n_w1"] = counts["w1"].map(n1).to_numpy()
    counts["n_w2"] = counts["w2"].map(n2).to_numpy()
    counts = counts[counts["n"] >= min_count].reset_index(drop=True)
    n, a1, a2 = counts["n"].to_numpy(float), counts["n_w1"].to_numpy(float), counts["n_w2"].to_numpy(float)
    expected = a1 * a2 / N
    counts["N"] = N
    counts["pmi"] = np.log2(n / expected)
    # 2x2: [[n, a1-n], [a2-n, N-a1-a2+n]]
    obs = np.stack([n, a1 - n, a2 - n, N - a1 - a2 + n])
    exp = np.stack([a1 * a2, a1 * (N - a2), (N - a1) * a2, (N - a1) * (N - a2)]) / N
    with np.errstate(divide="ignore", invalid="ignore"):
        counts["G2"] = 2 * np.where(obs > 0, obs * np.log(obs / exp), 0.0).sum(axis=0)
    counts["t_score"] = (n - expected) / np.sqrt(n)
    return counts.sort_values(["G2", "w1", "w2"], ascending=[False, True, True]).reset_index(drop=True)


@dataclass
class DocumentTermMatrix:
    """A sparse document-term matrix for other libraries (scikit-learn, gensim, …)."""

    matrix: sparse.csr_matrix
    docs: list[str]
    terms: list[str]

    def to_frame(self) -> pd.DataFrame:
        """The matrix as a (dense) DataFrame: documents × terms."""
        return pd.DataFrame(self.matrix.toarray(), index=self.docs, columns=self.terms)


def dtm(tokens: pd.DataFrame, *, by: str = "doc_id", documents: pd.DataFrame | None = None, unit: str = "lemma",
        drop_stop: bool = True) -> DocumentTermMatrix:
    """Count terms per ``by`` group into a ``scipy.sparse`` CSR matrix (rows: groups, columns: terms)."""
    table = terms(tokens, unit=unit, by=None if by == "doc_id" else by, documents=documents, drop_stop=drop_stop)
    rows = pd.Categorical(table[by].astype(str))
    cols = pd.Categorical(table["term"])
    matrix = sparse.csr_matrix((np.ones(len(table), dtype=np.int64), (rows.codes, cols.codes)),
                               shape=(len(rows.categories), len(cols.categories)))
    matrix.sum_duplicates()
    return DocumentTermMatrix(matrix=matrix, docs=list(rows.categories), terms=list(cols.categories))
