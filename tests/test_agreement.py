"""Inter-coder agreement, checked against scikit-learn and the textbook formulas."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from arviointi import agreement, autocode, disagreements
from arviointi.agreement import unit_matrix
from arviointi.coding import THEMES, sentences

from .conftest import CORPUS


@pytest.fixture(scope="module")
def units(corpus, token_cache):
    return sentences(corpus.tokens(cache_dir=token_cache, progress=False), corpus.documents)


@pytest.fixture(scope="module")
def researcher():
    """The researcher's coding of the corpus sentences, as a coding table."""
    coded = pd.read_csv(CORPUS / "coding" / "koodatut_lauseet.csv")
    return pd.concat([coded.loc[coded[t] == 1, ["doc_id", "start_char", "end_char"]].assign(code=t) for t in THEMES])


@pytest.fixture(scope="module")
def machine(corpus, token_cache):
    rules = autocode(corpus, method="rules", cache_dir=token_cache)
    return rules[rules["code"].isin(THEMES)]


def test_researcher_coding_covers_every_corpus_sentence(units, researcher):
    assert len(units) == 263
    assert unit_matrix(researcher, units, codes=THEMES).sum().to_dict() == {
        "kokemusasiantuntijuus": 56, "haasteet": 53, "hyvat_kaytannot": 97}


def test_kappa_and_alpha_against_independent_computations(units, researcher, machine):
    table = agreement(researcher, machine, units, codes=THEMES).set_index("code")
    a = unit_matrix(researcher, units, codes=THEMES)
    b = unit_matrix(machine, units, codes=THEMES)
    for theme in THEMES:
        row = table.loc[theme]
        assert row["cohen_kappa"] == pytest.approx(cohen_kappa_score(a[theme], b[theme]))
        assert row["percent_agreement"] == pytest.approx((a[theme] == b[theme]).mean())
        # Krippendorff's alpha, nominal, two coders, no missing values: 1 - (N - 1) * d / (n0 * n1)
        d = int((a[theme] != b[theme]).sum())
        values = pd.concat([a[theme], b[theme]])
        n0, n1, N = int((values == 0).sum()), int((values == 1).sum()), len(values)
        assert row["krippendorff_alpha"] == pytest.approx(1 - (N - 1) * d / (n0 * n1))
        assert row["kappa_ci_low"] < row["cohen_kappa"] < row["kappa_ci_high"]
    assert table["both"].to_dict() == {"kokemusasiantuntijuus": 27, "haasteet": 43, "hyvat_kaytannot": 59}
    assert table.loc["haasteet", "cohen_kappa"] > 0.75


def test_disagreements_list_every_differing_unit(units, researcher, machine):
    table = agreement(researcher, machine, units, codes=THEMES).set_index("code")
    diff = disagreements(researcher, machine, units, codes=THEMES, names=("tutkija", "automaatti"))
    counts = diff.groupby(["code", "coded_by"]).size()
    for theme in THEMES:
        assert counts.get((theme, "tutkija"), 0) == table.loc[theme, "only_a"]
        assert counts.get((theme, "automaatti"), 0) == table.loc[theme, "only_b"]
    assert {"doc_id", "text", "code", "coded_by"} <= set(diff.columns)


def test_undefined_agreement_is_nan_not_a_number_made_up():
    units = pd.DataFrame({"doc_id": ["d"] * 3, "start_char": [0, 5, 10], "end_char": [4, 9, 14]})
    empty = pd.DataFrame({"doc_id": [], "start_char": [], "end_char": [], "code": []})
    row = agreement(empty, empty, units, codes=["haasteet"]).iloc[0]
    assert row["percent_agreement"] == 1.0
    assert math.isnan(row["cohen_kappa"]) and math.isnan(row["krippendorff_alpha"])
