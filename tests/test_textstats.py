"""Text statistics against independent computations: hand-made tables, the formula, scipy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from arviointi import collocations, dtm, frequencies, keyness, kwic, ngrams
from arviointi.textstats import terms


def _toks(rows):
    """A hand-made token table: (doc_id, city, sent_id, lemma, is_stop)."""
    df = pd.DataFrame(rows, columns=["doc_id", "city", "sent_id", "lemma", "is_stop"])
    df["token_id"] = df.groupby("doc_id").cumcount()
    df["is_punct"] = df["lemma"].isin([".", ","])
    df["is_mark"] = False
    df["compound_parts"] = df["lemma"]
    df["text"] = df["lemma"]
    df["segment_id"] = df["doc_id"] + ":001"
    df["start_char"] = df.groupby("doc_id")["lemma"].transform(lambda s: s.str.len().add(1).cumsum().shift(fill_value=0))
    df["end_char"] = df["start_char"] + df["lemma"].str.len()
    return df


HAND = _toks(
    [("e1", "Espoo", 0, w, False) for w in ["asunto"] * 10 + ["tuki"] * 30 + ["häätö"] * 60]
    + [("v1", "Vantaa", 0, w, False) for w in ["asunto"] * 2 + ["tuki"] * 48 + ["häätö"] * 150]
)


def test_keyness_G2_against_the_formula_on_a_hand_made_table():
    k = keyness(HAND, by="city", target="Espoo").set_index("term")
    # asunto: a=10 of c=100 in Espoo, b=2 of d=200 in Vantaa
    a, b, c, d = 10, 2, 100, 200
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    g2 = 2 * (a * math.log(a / e1) + b * math.log(b / e2))
    row = k.loc["asunto"]
    # by hand: E1 = 4, E2 = 8; 2 * (10 ln 2.5 + 2 ln 0.25) = 12.7806
    assert row["G2"] == pytest.approx(g2) == pytest.approx(12.7806, abs=1e-4)
    assert (row["n_target"], row["n_reference"], row["total_target"], row["total_reference"]) == (10, 2, 100, 200)
    assert row["log_ratio"] == pytest.approx(math.log2((10 / 100) / (2 / 200)))
    assert row["pct_diff"] == pytest.approx(((10 / 100) - (2 / 200)) * 100 / (2 / 200))
    assert k.loc["häätö", "G2"] < 0 and k.loc["häätö", "log_ratio"] < 0  # 0.60 vs 0.75: rarer in Espoo, signed
    assert list(k.index[:1]) == ["asunto"]


def test_keyness_chi2_against_scipy():
    k = keyness(HAND, by="city", target="Espoo").set_index("term")
    for term, (a, b) in {"asunto": (10, 2), "tuki": (30, 48), "häätö": (60, 150)}.items():
        chi2, p, _, _ = chi2_contingency([[a, 100 - a], [b, 200 - b]], correction=False)
        assert k.loc[term, "chi2"] == pytest.approx(chi2)


def test_keyness_p_values_follow_chi2_with_one_df_and_are_corrected():
    from scipy.stats import chi2

    k = keyness(HAND, by="city", target="Espoo")
    assert np.allclose(k["p_value"], chi2.sf(k["G2"].abs(), 1))
    assert (k["p_adjusted"] >= k["p_value"]).all()


def test_keyness_with_a_chosen_reference():
    three = pd.concat([HAND, _toks([("t1", "Tampere", 0, "asunto", False)] * 5)])
    k = keyness(three, by="city", target="Espoo", reference="Vantaa").set_index("term")
    assert k.loc["asunto", "n_reference"] == 2 and k.loc["asunto", "total_reference"] == 200


def test_frequencies_by_group_with_document_frequency():
    f = frequencies(HAND, by="city")
    espoo = f[f["city"] == "Espoo"].set_index("term")
    assert espoo["count"].to_dict() == {"häätö": 60, "tuki": 30, "asunto": 10}
    assert espoo["share"].sum() == pytest.approx(1.0)
    assert (f.groupby("city")["rank"].min() == 1).all()


def test_stop_words_and_punctuation_are_left_out():
    t = _toks([("a", "Espoo", 0, "ja", True), ("a", "Espoo", 0, "asunto", False), ("a", "Espoo", 0, ".", False)])
    assert terms(t)["term"].tolist() == ["asunto"]
    assert terms(t, drop_stop=False)["term"].tolist() == ["ja", "asunto"]


def test_real_corpus_frequencies_by_kind(corpus, tokens, token_cache):
    everything = corpus.tokens(cache_dir=token_cache, progress=False)
    f = frequencies(everything, by="kind", documents=corpus.documents)
    top = f[f["kind"] == "document"].head(2)[["term", "count"]].values.tolist()
    assert top == [["hanke", 29], ["asunnottomuus", 20]]
    parts = frequencies(tokens, unit="compound_part").set_index("term")
    assert parts.loc["asunnottomuus", "count"] == 31  # 20 as a lemma + 11 inside compounds


def test_keyness_by_city_on_the_interviews(corpus, token_cache):
    toks = corpus.tokens(cache_dir=token_cache, progress=False)
    k = keyness(toks, by="city", target="Lahti", documents=corpus.documents)
    assert set(k.columns) >= {"lemma", "n_target", "n_reference", "total_target", "total_reference", "G2",
                              "p_value", "log_ratio", "chi2", "pct_diff"}
    lahti_words = terms(toks, by="city", documents=corpus.documents).query("city == 'Lahti'")
    assert k["total_target"].iloc[0] == len(lahti_words)
    assert k.iloc[0]["lemma"] == "velkaneuvonta"


def test_kwic_on_lemmas_and_compound_parts(corpus, tokens):
    on_lemma = kwic(tokens, corpus.documents, pattern="kokemusasiantuntija", window=3)
    on_part = kwic(tokens, corpus.documents, pattern="asiantuntija", window=3, on="compound_part")
    assert len(on_lemma) == 3 and len(on_part) == 3
    assert set(on_part["keyword"]) == {"kokemusasiantuntijoiden", "Kokemusasiantuntijat", "kokemusasiantuntijoita"}
    row = on_lemma[on_lemma["keyword"] == "kokemusasiantuntijoiden"].iloc[0]
    assert row["left"] == "yhdessä monitoimijaverkoston ja"
    assert row["right"] == "kanssa. Kokemusasiantuntijat"  # punctuation counts as a token, as in quanteda


def test_collocations_against_a_direct_computation(tokens):
    col = collocations(tokens, min_count=3).set_index(["w1", "w2"])
    row = col.loc[("asunnottomuus", "ennaltaehkäisy")]
    n, n1, n2, N = row["n"], row["n_w1"], row["n_w2"], row["N"]
    assert n == 7
    assert row["pmi"] == pytest.approx(math.log2(n * N / (n1 * n2)))
    assert row["t_score"] == pytest.approx((n - n1 * n2 / N) / math.sqrt(n))
    table = [[n, n1 - n], [n2 - n, N - n1 - n2 + n]]
    from scipy.stats.contingency import expected_freq

    exp = expected_freq(table)
    g2 = 2 * sum(o * math.log(o / e) for o, e in zip(np.ravel(table), np.ravel(exp)) if o > 0)
    assert row["G2"] == pytest.approx(g2)


def test_ngrams_and_dtm(tokens):
    bi = ngrams(tokens, n=2)
    assert bi.iloc[0].tolist() == ["asunnottomuus ennaltaehkäisy", 7]
    tri = ngrams(tokens, n=3)
    assert (tri["ngram"].str.count(" ") == 2).all()
    m = dtm(tokens)
    assert m.matrix.shape == (5, len(set(terms(tokens)["term"])))
    assert m.matrix.sum() == len(terms(tokens))
    frame = m.to_frame()
    assert frame.loc["aku_strategiatyo", "kokemusasiantuntija"] == 2
