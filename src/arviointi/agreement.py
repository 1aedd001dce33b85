"""Inter-coder agreement between two codings (two researchers, or a researcher and auto-coding).

Both codings are reduced to the same units — sentences or segments — and for
each code a unit is 1 if any coding of that code overlaps it, else 0. Per code:
percentage agreement, Cohen's kappa with an approximate 95 % confidence interval
(Cohen 1960 standard error), and Krippendorff's alpha (nominal, via the
``krippendorff`` package). :func:`disagreements` lists the units the coders
disagree on, for discussion.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd

__all__ = ["unit_matrix", "agreement", "disagreements"]


def unit_matrix(codings: pd.DataFrame, units: pd.DataFrame, *, codes: Iterable[str], column: str = "code") -> pd.DataFrame:
    """A unit × code 0/1 table: 1 where a coding of the code overlaps the unit.

    ``units`` needs ``doc_id``, ``start_char``, ``end_char`` (e.g. from
    :func:`arviointi.coding.sentences` or ``Corpus.segments``).
    """
    codes = list(codes)
    out = pd.DataFrame(0, index=units.index, columns=codes, dtype=int)
    by_doc = {d: g for d, g in units.groupby("doc_id", sort=False)}
    for code, group in codings[codings[column].isin(codes)].groupby(column):
        for doc_id, starts, ends in ((d, g["start_char"].to_numpy(), g["end_char"].to_numpy())
                                     for d, g in group.groupby("doc_id")):
            u = by_doc.get(doc_id)
            if u is None:
                continue
            us, ue = u["start_char"].to_numpy()[:, None], u["end_char"].to_numpy()[:, None]
            hit = ((us < ends[None, :]) & (starts[None, :] < ue)).any(axis=1)
            out.loc[u.index[hit], code] = 1
    return out


def _both_matrices(coding_a: pd.DataFrame, coding_b: pd.DataFrame, units: pd.DataFrame,
                   codes: Iterable[str] | None, column: str) -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    """The codes compared (both codings' codes by default) and each coding's unit × code matrix."""
    codes = sorted(set(coding_a[column]) | set(coding_b[column])) if codes is None else list(codes)
    return codes, unit_matrix(coding_a, units, codes=codes, column=column), \
        unit_matrix(coding_b, units, codes=codes, column=column)


def agreement(
    coding_a: pd.DataFrame,
    coding_b: pd.DataFrame,
    units: pd.DataFrame,
    *,
    codes: Iterable[str] | None = None,
    column: str = "code",
) -> pd.DataFrame:
    """Agreement per code between two codings over the same units.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``n_units``, ``both``, ``only_a``, ``only_b``, ``neither``,
        ``percent_agreement``, ``cohen_kappa``, ``kappa_ci_low``, ``kappa_ci_high``,
        ``krippendorff_alpha``. Kappa and alpha are NaN where a code is never (or
        always) used by both coders: agreement is then trivial and undefined.

    Examples
    --------
    >>> units = pd.DataFrame({"doc_id": ["d"] * 4, "start_char": [0, 10, 20, 30], "end_char": [9, 19, 29, 39]})
    >>> a = pd.DataFrame({"doc_id": ["d", "d"], "start_char": [0, 20], "end_char": [9, 29], "code": ["haasteet"] * 2})
    >>> b = pd.DataFrame({"doc_id": ["d"], "start_char": [0], "end_char": [9], "code": ["haasteet"]})
    >>> agreement(a, b, units)[["code", "both", "only_a", "percent_agreement", "cohen_kappa"]].round(2).to_dict("records")
    [{'code': 'haasteet', 'both': 1, 'only_a': 1, 'percent_agreement': 0.75, 'cohen_kappa': 0.5}]
    """
    import krippendorff

    codes, ma, mb = _both_matrices(coding_a, coding_b, units, codes, column)
    rows = []
    n = len(units)
    for code in codes:
        a, b = ma[code].to_numpy(), mb[code].to_numpy()
        both, only_a, only_b = int((a & b).sum()), int((a & ~b.astype(bool)).sum()), int((~a.astype(bool) & b).sum())
        neither = n - both - only_a - only_b
        po = (both + neither) / n if n else float("nan")
        pa, pb = a.mean() if n else 0.0, b.mean() if n else 0.0
        pe = pa * pb + (1 - pa) * (1 - pb)
        if n == 0 or math.isclose(pe, 1.0):
            kappa = low = high = float("nan")
        else:
            kappa = (po - pe) / (1 - pe)
            se = math.sqrt(po * (1 - po) / (n * (1 - pe) ** 2))
            low, high = kappa - 1.96 * se, kappa + 1.96 * se
        if len(set(a) | set(b)) < 2:
            alpha = float("nan")
        else:
            alpha = float(krippendorff.alpha(reliability_data=np.vstack([a, b]).astype(float),
                                             level_of_measurement="nominal"))
        rows.append({"code": code, "n_units": n, "both": both, "only_a": only_a, "only_b": only_b,
                     "neither": neither, "percent_agreement": po, "cohen_kappa": kappa,
                     "kappa_ci_low": low, "kappa_ci_high": high, "krippendorff_alpha": alpha})
    return pd.DataFrame(rows)


def disagreements(
    coding_a: pd.DataFrame,
    coding_b: pd.DataFrame,
    units: pd.DataFrame,
    *,
    codes: Iterable[str] | None = None,
    column: str = "code",
    names: tuple[str, str] = ("a", "b"),
) -> pd.DataFrame:
    """Units the two codings disagree on: ``doc_id``, ``start_char``, ``end_char``, ``text`` (when the
    units have it), ``code``, and which coder (``names``) coded it."""
    codes, ma, mb = _both_matrices(coding_a, coding_b, units, codes, column)
    rows = []
    keep = [c for c in ("doc_id", "start_char", "end_char", "text") if c in units.columns]
    for code in codes:
        diff = ma[code] != mb[code]
        for idx in units.index[diff.to_numpy()]:
            rows.append({**units.loc[idx, keep].to_dict(), "code": code,
                         "coded_by": names[0] if ma.at[idx, code] else names[1]})
    return pd.DataFrame(rows, columns=[*keep, "code", "coded_by"])
