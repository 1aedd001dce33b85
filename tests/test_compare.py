"""City comparisons and register figures, against scipy/statsmodels and direct computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, fisher_exact

from arviointi import ArviointiError, ArviointiWarning, autocode, compare_codes, contingency_test, rate_ratios
from arviointi.coding import THEMES, sentences
from arviointi.compare import code_counts, standardized_residuals
from arviointi.register import AKU_YEARS, load_register, rates_per_1000, series

from .conftest import CORPUS

REGISTER = CORPUS / "statistics" / "homelessness_by_municipality.csv"


def test_chi2_and_cramers_v_against_scipy():
    table = pd.DataFrame([[30, 12, 20], [70, 88, 60]], index=["koodattu", "ei"], columns=["Espoo", "Lahti", "Vantaa"])
    res = contingency_test(table).iloc[0]
    chi2, p, dof, _ = chi2_contingency(table.to_numpy(), correction=False)
    assert (res["test"], res["dof"]) == ("chi2", dof)
    assert res["statistic"] == pytest.approx(chi2) and res["p_value"] == pytest.approx(p)
    assert res["cramers_v"] == pytest.approx(math.sqrt(chi2 / (table.to_numpy().sum() * 1)))
    assert not res["small_sample"]


def test_small_2x2_table_uses_fisher():
    table = pd.DataFrame([[3, 0], [2, 6]])
    res = contingency_test(table).iloc[0]
    assert res["test"] == "fisher" and res["small_sample"]
    assert res["p_value"] == pytest.approx(fisher_exact(table.to_numpy())[1])


def test_small_larger_table_warns():
    with pytest.warns(ArviointiWarning, match="expected counts are below 5"):
        res = contingency_test(pd.DataFrame([[3, 1, 2], [5, 6, 4]])).iloc[0]
    assert res["small_sample"] and res["test"] == "chi2"


def test_standardized_residuals_against_statsmodels():
    from statsmodels.stats.contingency_tables import Table

    table = pd.DataFrame([[30, 12, 20], [70, 88, 60]])
    ours = standardized_residuals(table).to_numpy()
    assert np.allclose(ours, Table(table.to_numpy()).standardized_resids)


@pytest.fixture(scope="module")
def interview_units(corpus, token_cache):
    toks = corpus.tokens(cache_dir=token_cache, progress=False)
    interviews = corpus.documents.loc[corpus.documents["kind"] == "transcript", "doc_id"]
    return sentences(toks[toks["doc_id"].isin(interviews)], corpus.documents)


@pytest.fixture(scope="module")
def rule_codings(corpus, token_cache):
    return autocode(corpus, method="rules", cache_dir=token_cache)


def test_compare_codes_between_cities(corpus, interview_units, rule_codings):
    with pytest.warns(ArviointiWarning, match="small expected counts"):
        res = compare_codes(rule_codings, interview_units, corpus.documents, by="city",
                            codes=[*THEMES, "asumisneuvonta", "velkaantuminen"])
    res = res.set_index("code")
    # independent count: interview sentences of each city that start where a theme coding starts
    coded = rule_codings[rule_codings["code"] == "haasteet"]
    starts = set(zip(coded["doc_id"], coded["start_char"]))
    cities = corpus.documents.set_index("doc_id")["city"]
    for city in ["Espoo", "Lahti", "Tampere", "Vantaa"]:
        units = interview_units[interview_units["doc_id"].map(cities) == city]
        n = sum((d, s) in starts for d, s in zip(units["doc_id"], units["start_char"]))
        assert res.loc["haasteet", f"n_{city}"] == n
        assert res.loc["haasteet", f"share_{city}"] == pytest.approx(n / len(units))
    assert (res["p_holm"] >= res["p_value"] - 1e-12).all() and (res["p_bh"] >= res["p_value"] - 1e-12).all()
    assert res["small_sample"].any()  # twelve short interviews: the tests say so
    assert (res["p_value"] > 0.05).all()  # no difference survives in this small fictional sample


def test_poisson_rate_ratios_equal_the_direct_computation(corpus, rule_codings, token_cache):
    toks = corpus.tokens(cache_dir=token_cache, progress=False)
    interviews = corpus.documents[corpus.documents["kind"] == "transcript"]
    counts = code_counts(rule_codings, toks, interviews, code="haasteet", by="city")
    with pytest.warns(ArviointiWarning, match="fewer than 5 documents"):
        rr = rate_ratios(counts, by="city")
    table = rr.table.set_index("group")
    sums = counts.groupby("city")[["count", "words"]].sum()
    ref = sums.loc["Espoo"]
    for city in ["Lahti", "Tampere", "Vantaa"]:
        c = sums.loc[city]
        direct = (c["count"] / c["words"]) / (ref["count"] / ref["words"])
        assert table.loc[city, "rate_ratio"] == pytest.approx(direct, rel=1e-6)
        se = math.sqrt(1 / c["count"] + 1 / ref["count"])  # Wald SE of a log rate ratio
        assert table.loc[city, "ci_low"] == pytest.approx(direct * math.exp(-1.959964 * se), rel=1e-4)
        assert table.loc[city, "ci_high"] == pytest.approx(direct * math.exp(1.959964 * se), rel=1e-4)
    assert table.loc["Espoo", "rate_ratio"] == 1.0 and math.isnan(table.loc["Espoo", "ci_low"])
    assert "Generalized Linear Model" in str(rr.summary())
    assert rr.dispersion < 1.5


def test_auto_family_follows_the_dispersion(corpus, rule_codings, token_cache):
    toks = corpus.tokens(cache_dir=token_cache, progress=False)
    interviews = corpus.documents[corpus.documents["kind"] == "transcript"]
    counts = code_counts(rule_codings, toks, interviews, code="haasteet", by="city")
    with pytest.warns(ArviointiWarning):
        auto = rate_ratios(counts, by="city", family="auto")
    assert auto.dispersion < 1.5 and auto.family == "poisson" and auto.note.endswith("poisson chosen")


def test_negative_binomial_rate_ratios(corpus, rule_codings, token_cache):
    toks = corpus.tokens(cache_dir=token_cache, progress=False)
    interviews = corpus.documents[corpus.documents["kind"] == "transcript"]
    counts = code_counts(rule_codings, toks, interviews, code="kokemusasiantuntijuus", by="city")
    with pytest.warns(ArviointiWarning, match="fewer than 5 documents"):
        nb = rate_ratios(counts, by="city", family="negbin", reference="Lahti")
    assert nb.table["group"].iloc[0] == "Lahti" and nb.family == "negbin"
    assert nb.fit.params["alpha"] > 0.01
    others = nb.table.iloc[1:]
    assert (others["ci_low"] < others["rate_ratio"]).all() and (others["rate_ratio"] < others["ci_high"]).all()
    assert "NegativeBinomial" in str(nb.summary())


def test_degenerate_negative_binomial_says_so(corpus, rule_codings, token_cache):
    toks = corpus.tokens(cache_dir=token_cache, progress=False)
    interviews = corpus.documents[corpus.documents["kind"] == "transcript"]
    counts = code_counts(rule_codings, toks, interviews, code="hyvat_kaytannot", by="city")
    with pytest.warns(ArviointiWarning) as record:
        nb = rate_ratios(counts, by="city", family="negbin", reference="Lahti")
    assert any("negative binomial degenerate" in str(w.message) for w in record)
    assert any("fewer than 5 documents" in str(w.message) for w in record)
    assert nb.family == "poisson" and "no overdispersion" in nb.note
    assert nb.table["ci_low"].iloc[1:].notna().all()


# ------------------------------------------------------------------ register figures

def test_register_rates_match_the_published_rates():
    reg = load_register(REGISTER)
    rates = rates_per_1000(reg).set_index(["municipality", "year", "indicator"])
    published = reg[reg["indicator"] == "homeless_per_1000_inhabitants"].set_index(["municipality", "year"])["value"]
    # ARA/Varke publish 1.6 (Espoo) and 1.4 (Tampere) homeless per 1 000 for 2019
    assert rates.loc[("Espoo", 2019, "single_homeless"), "per_1000"] == pytest.approx(457 / 289731 * 1000)
    assert round(rates.loc[("Espoo", 2019, "single_homeless"), "per_1000"], 1) == published[("Espoo", 2019)] == 1.6
    assert round(rates.loc[("Tampere", 2019, "single_homeless"), "per_1000"], 1) == published[("Tampere", 2019)] == 1.4


def test_no_rate_without_a_same_year_population():
    rates = rates_per_1000(load_register(REGISTER)).set_index(["municipality", "year", "indicator"])
    assert math.isnan(rates.loc[("Espoo", 2018, "single_homeless"), "per_1000"])  # only a January 2018 estimate
    assert math.isnan(rates.loc[("Vantaa", 2024, "single_homeless"), "per_1000"])
    assert rates["per_1000"].notna().sum() == 15


def test_series_has_no_invented_years():
    espoo = series(load_register(REGISTER), "Espoo", "single_homeless")
    assert espoo["year"].tolist() == [2007, *range(2011, 2023)]
    assert espoo.loc[espoo["year"] == 2021, "derived"].item()  # derived from a stated change
    assert set(AKU_YEARS) <= set(espoo["year"])


def test_register_rows_keep_their_source_and_bad_values_name_the_line(tmp_path):
    reg = load_register(REGISTER)
    assert reg["source"].str.len().gt(0).all() and len(reg) == 298
    bad = tmp_path / "rekisteri.csv"
    bad.write_text("municipality,year,indicator,value,source\nEspoo,2019,single_homeless,noin 450,x\n", encoding="utf-8")
    with pytest.raises(ArviointiError, match=r"rekisteri\.csv, line 2: value 'noin 450' is not a number"):
        load_register(bad)
