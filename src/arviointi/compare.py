"""Statistical comparisons between cities (or projects, roles…): are differences more than noise?

* :func:`contingency_test` — one table: χ² test (or Fisher's exact test for a 2×2
  table with small expected counts), adjusted standardised residuals, Cramér's V,
  and a warning where expected counts are too small for the χ² approximation.
* :func:`compare_codes` — for each code, a 2×k table (sentences coded / not coded ×
  groups), tested as above, with Holm and Benjamini–Hochberg corrections across codes.
* :func:`rate_ratios` — Poisson or negative-binomial regression of counts per
  document with ``log(words)`` as exposure (statsmodels): rate ratios with 95 %
  confidence intervals for each group against a reference group; the fitted model
  keeps ``.summary()``.

All results are tidy DataFrames. Samples in evaluation interviews are small: every
function says so (``small_sample`` columns, :class:`~arviointi.errors.ArviointiWarning`)
instead of printing a p-value as if it meant more than it does.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .errors import ArviointiWarning

__all__ = ["contingency_test", "standardized_residuals", "compare_codes", "code_counts", "RateRatios",
           "rate_ratios", "adjust_pvalues"]


def adjust_pvalues(p: Sequence[float], method: str = "holm") -> np.ndarray:
    """Multiple-testing correction (statsmodels ``multipletests``: ``holm``, ``fdr_bh``, ``bonferroni``…)."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=method)[1]
    return out


def standardized_residuals(table: pd.DataFrame) -> pd.DataFrame:
    """Adjusted standardised residuals (Haberman): an absolute value above 1.96 marks a cell that
    departs from independence at the 5 % level (before any multiple-testing correction)."""
    obs = table.to_numpy(float)
    n = obs.sum()
    rows, cols = obs.sum(axis=1, keepdims=True), obs.sum(axis=0, keepdims=True)
    expected = rows @ cols / n
    with np.errstate(divide="ignore", invalid="ignore"):
        resid = (obs - expected) / np.sqrt(expected * (1 - rows / n) * (1 - cols / n))
    return pd.DataFrame(resid, index=table.index, columns=table.columns)


def contingency_test(table: pd.DataFrame, *, min_expected: float = 5.0) -> pd.DataFrame:
    """Test independence in a contingency table (rows × columns of counts).

    Returns a one-row DataFrame: ``test`` (``chi2`` or ``fisher``), ``statistic``, ``dof``,
    ``p_value``, ``cramers_v``, ``n``, ``min_expected``, ``share_expected_below_5``,
    ``small_sample`` (True when more than 20 % of expected counts are below
    ``min_expected`` or any is below 1 — Cochran's rule — in which case the χ² p-value
    is unreliable and a warning is given).

    Examples
    --------
    >>> t = pd.DataFrame([[30, 10], [15, 25]], index=["koodattu", "ei"], columns=["Espoo", "Lahti"])
    >>> contingency_test(t)[["test", "dof", "cramers_v"]].round(3).to_dict("records")
    [{'test': 'chi2', 'dof': 1, 'cramers_v': 0.378}]
    """
    obs = table.to_numpy(float)
    table = table.loc[obs.sum(axis=1) > 0, obs.sum(axis=0) > 0]
    obs = table.to_numpy(float)
    n = obs.sum()
    if obs.shape[0] < 2 or obs.shape[1] < 2:
        return pd.DataFrame([{"test": "none", "statistic": np.nan, "dof": 0, "p_value": np.nan, "cramers_v": np.nan,
                              "n": int(n), "min_expected": np.nan, "share_expected_below_5": np.nan,
                              "small_sample": True}])
    chi2, p, dof, expected = stats.chi2_contingency(obs, correction=False)
    below = float((expected < min_expected).mean())
    small = below > 0.2 or expected.min() < 1
    test, statistic = "chi2", chi2
    if obs.shape == (2, 2) and small:
        statistic, p = stats.fisher_exact(obs)
        test = "fisher"
    elif small:
        warnings.warn(f"{below:.0%} of expected counts are below {min_expected:g}: the χ² p-value is unreliable "
                      f"(n = {int(n)})", ArviointiWarning, stacklevel=2)
    v = np.sqrt(chi2 / (n * (min(obs.shape) - 1)))
    return pd.DataFrame([{"test": test, "statistic": float(statistic), "dof": int(dof), "p_value": float(p),
                          "cramers_v": float(v), "n": int(n), "min_expected": float(expected.min()),
                          "share_expected_below_5": below, "small_sample": bool(small)}])


def _group_of_units(units: pd.DataFrame, documents: pd.DataFrame, by: str) -> pd.Series:
    meta = documents.set_index("doc_id")[by]
    return units["doc_id"].map(meta)


def compare_codes(codings: pd.DataFrame, units: pd.DataFrame, documents: pd.DataFrame, *, by: str = "city",
                  codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Do the groups (``by``: a single-valued document column) differ in how often a code is used?

    ``units`` are the coded units (e.g. sentences of the interviews, from
    :func:`arviointi.coding.sentences`); a unit counts as coded when a coding of the
    code overlaps it. Per code: coded units per group, the share coded, the test
    from :func:`contingency_test`, and p-values corrected across codes (``p_holm``,
    ``p_bh``).
    """
    from .agreement import unit_matrix

    units = units.assign(_group=_group_of_units(units, documents, by)).dropna(subset=["_group"])
    codes = sorted(set(codings["code"])) if codes is None else list(codes)
    coded = unit_matrix(codings, units, codes=codes)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ArviointiWarning)  # summarised in the small_sample column below
        for code in codes:
            table = pd.crosstab(coded[code].map({1: "koodattu", 0: "ei"}), units["_group"])
            table = table.reindex(["koodattu", "ei"], fill_value=0)
            test = contingency_test(table).iloc[0].to_dict()
            row = {"code": code}
            for group in table.columns:
                row[f"n_{group}"] = int(table.loc["koodattu", group])
                row[f"share_{group}"] = table.loc["koodattu", group] / table[group].sum()
            rows.append({**row, **test})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["p_holm"] = adjust_pvalues(out["p_value"], "holm")
    out["p_bh"] = adjust_pvalues(out["p_value"], "fdr_bh")
    if out["small_sample"].any():
        warnings.warn(f"{int(out['small_sample'].sum())} of {len(out)} code comparisons have small expected counts; "
                      "read their p-values as descriptive only", ArviointiWarning, stacklevel=2)
    return out


def code_counts(codings: pd.DataFrame, tokens: pd.DataFrame, documents: pd.DataFrame, *, code: str,
                by: str = "city") -> pd.DataFrame:
    """Per document: ``count`` of units coded ``code``, ``words`` (exposure: non-punctuation
    tokens), and the ``by`` group — the input of :func:`rate_ratios`."""
    words = tokens[~tokens["is_punct"] & ~tokens.get("is_mark", False)].groupby("doc_id").size().rename("words")
    counts = codings[codings["code"] == code].drop_duplicates(["doc_id", "start_char"]).groupby("doc_id").size()
    out = documents[["doc_id", by]].dropna(subset=[by]).set_index("doc_id").join(words, how="inner")
    out["count"] = counts.reindex(out.index, fill_value=0).astype(int)
    return out.reset_index()


@dataclass
class RateRatios:
    """Rate ratios from a count regression: the tidy ``table`` and the fitted statsmodels ``fit``."""

    table: pd.DataFrame
    fit: Any
    family: str
    dispersion: float
    note: str = ""

    def summary(self) -> Any:
        """The statsmodels summary of the fitted model."""
        return self.fit.summary()


def rate_ratios(counts: pd.DataFrame, *, by: str = "city", count: str = "count", exposure: str = "words",
                family: str = "poisson", reference: str | None = None) -> RateRatios:
    """Poisson (``family="poisson"``) or negative-binomial (``"negbin"``) regression of ``count`` on the
    group with ``log(exposure)`` as offset; ``family="auto"`` fits Poisson and switches to the negative
    binomial when the Poisson dispersion (Pearson χ²/df) exceeds 1.5.

    Returns
    -------
    RateRatios
        ``table``: ``group``, ``rate_ratio`` (against ``reference``, default the first
        group alphabetically), ``ci_low``, ``ci_high`` (95 %), ``p_value``, ``p_holm``,
        ``n_documents``, ``count``, ``exposure``, ``rate_per_1000_words``; the reference
        row has rate ratio 1. ``dispersion`` is Pearson χ²/df of the Poisson fit (> 1.5
        suggests overdispersion: prefer ``negbin``). ``fit.summary()`` gives the full model.
        When the negative-binomial dispersion parameter goes to zero (no overdispersion),
        its intervals are undefined: the Poisson fit is reported, ``family`` says so and
        ``note`` explains, with a warning.
    """
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    data = counts.dropna(subset=[by]).copy()
    data = data[data[exposure] > 0]
    groups = sorted(data[by].astype(str).unique())
    if len(groups) < 2:
        raise ValueError(f"rate_ratios needs at least two groups in {by!r}")
    reference = groups[0] if reference is None else str(reference)
    data["_g"] = pd.Categorical(data[by].astype(str), categories=[reference, *[g for g in groups if g != reference]])
    data["_log_exposure"] = np.log(data[exposure])
    formula = f"{count} ~ C(_g)"
    poisson = smf.glm(formula, data=data, family=sm.families.Poisson(), offset=data["_log_exposure"]).fit()
    dispersion = float(poisson.pearson_chi2 / poisson.df_resid) if poisson.df_resid > 0 else float("nan")
    note = ""
    if family == "auto":
        family = "negbin" if dispersion > 1.5 else "poisson"
        note = f"Poisson dispersion {dispersion:.2f}: {family} chosen"
    if family == "poisson":
        fit = poisson
        if dispersion > 1.5:
            warnings.warn(f"Poisson dispersion {dispersion:.2f} > 1.5: counts are overdispersed, "
                          "confidence intervals are too narrow; consider family='negbin'", ArviointiWarning, stacklevel=2)
    elif family == "negbin":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = smf.negativebinomial(formula, data=data, offset=data["_log_exposure"]).fit(disp=0, maxiter=200)
        if not fit.mle_retvals.get("converged", True):
            warnings.warn("the negative-binomial fit did not converge; read its intervals with care",
                          ArviointiWarning, stacklevel=2)
        if fit.params.get("alpha", 1.0) < 1e-4 or fit.conf_int().drop(index="alpha").isna().any().any():
            note = (f"negative binomial degenerate (alpha = {fit.params['alpha']:.2g}: no overdispersion); "
                    "Poisson fit reported")
            if dispersion > 1.5:
                note += f", although the Poisson dispersion is {dispersion:.2f}: intervals may be too narrow"
            warnings.warn(note, ArviointiWarning, stacklevel=2)
            fit, family = poisson, "poisson"
    else:
        raise ValueError("family must be 'poisson', 'negbin' or 'auto'")
    params, conf, pvalues = fit.params, fit.conf_int(), fit.pvalues
    rows = []
    for g in data["_g"].cat.categories:
        name = f"C(_g)[T.{g}]"
        sub = data[data["_g"] == g]
        base = {"group": g, "n_documents": len(sub), "count": int(sub[count].sum()),
                "exposure": float(sub[exposure].sum()),
                "rate_per_1000_words": 1000 * sub[count].sum() / sub[exposure].sum()}
        if g == reference:
            rows.append({**base, "rate_ratio": 1.0, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan})
        else:
            rows.append({**base, "rate_ratio": float(np.exp(params[name])), "ci_low": float(np.exp(conf.loc[name, 0])),
                         "ci_high": float(np.exp(conf.loc[name, 1])), "p_value": float(pvalues[name])})
    table = pd.DataFrame(rows)[["group", "rate_ratio", "ci_low", "ci_high", "p_value", "n_documents", "count",
                                "exposure", "rate_per_1000_words"]]
    table["p_holm"] = adjust_pvalues(table["p_value"], "holm")
    if (table["n_documents"] < 5).any():
        warnings.warn(f"groups with fewer than 5 documents ({int(table['n_documents'].min())} at least): "
                      "rate ratios are very uncertain", ArviointiWarning, stacklevel=2)
    return RateRatios(table=table, fit=fit, family=family, dispersion=dispersion, note=note)
