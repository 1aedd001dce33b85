"""Register statistics: published homelessness figures by municipality, each with its source.

``corpus/statistics/homelessness_by_municipality.csv`` holds real figures (ARA's
yearly survey as reported by cities, ARA summaries, city press releases, council
minutes) and population counts, one row per figure. Series are incomplete and
definitions changed (see the README beside the file). This module never fills a
gap: a rate per 1 000 residents is computed only where the population of the
**same municipality and year** is in the file; everything else stays missing.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ArviointiError
from .readers import read_text

__all__ = ["load_register", "rates_per_1000", "series", "AKU_YEARS"]

#: The years of the AKU project (ESR funding 1.3.2016–31.12.2019).
AKU_YEARS = (2016, 2017, 2018, 2019)
_COLUMNS = ["municipality", "year", "indicator", "value", "source"]


def load_register(path: str | Path | None = None) -> pd.DataFrame:
    """Read the register figures.

    Returns
    -------
    pandas.DataFrame
        ``municipality``, ``year`` (integer, ``<NA>`` for undated figures), ``period``
        (the year field as written: "2019" or "2008-2015"), ``indicator``, ``value``
        (float), ``source``, ``derived`` (the row says it is approximate or derived),
        ``line`` (in the file).

    Raises
    ------
    ArviointiError
        A missing column, a value that is not a number; the message names the line.
    """
    if path is None:
        candidates = [Path("corpus/statistics/homelessness_by_municipality.csv"),
                      Path("../corpus/statistics/homelessness_by_municipality.csv")]
        path = next((p for p in candidates if p.is_file()), candidates[0])
    path = Path(path)
    text = read_text(path).text
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or any(c not in reader.fieldnames for c in _COLUMNS):
        raise ArviointiError(f"the register file needs the columns {_COLUMNS}", path=path, line=1)
    rows = []
    for line, row in enumerate(reader, start=2):
        try:
            value = float(row["value"])
        except (TypeError, ValueError):
            raise ArviointiError(f"value {row['value']!r} is not a number", path=path, line=line) from None
        period = (row["year"] or "").strip()
        year = int(period) if re.fullmatch(r"\d{4}", period) else None
        indicator = row["indicator"].strip()
        source = (row["source"] or "").strip()
        rows.append({"municipality": row["municipality"].strip(), "year": year, "period": period,
                     "indicator": indicator, "value": value, "source": source,
                     "derived": bool(re.search(r"approx|derived|change", indicator + " " + source, re.I)),
                     "line": line})
    out = pd.DataFrame(rows)
    out["year"] = out["year"].astype("Int64")
    return out


def series(register: pd.DataFrame, municipality: str, indicator: str) -> pd.DataFrame:
    """One municipality's yearly series of one indicator: ``year``, ``value``, ``source``, ``derived``;
    years without a figure are absent (not filled), and two sources for one year both appear."""
    rows = register[(register["municipality"] == municipality) & (register["indicator"] == indicator)
                    & register["year"].notna()]
    return rows.sort_values(["year", "line"])[["year", "value", "source", "derived"]].reset_index(drop=True)


def rates_per_1000(register: pd.DataFrame, *, indicators: tuple[str, ...] = ("single_homeless",
                   "homeless_total_as_reported", "long_term_homeless"),
                   population: str = "population") -> pd.DataFrame:
    """Figures per 1 000 residents where the same-year population is known.

    Returns ``municipality``, ``year``, ``indicator``, ``value``, ``population``,
    ``per_1000`` (``NaN`` where the population of that year is not in the file — never
    borrowed from another year), ``source``, ``population_source``.
    """
    pop = register[(register["indicator"] == population) & register["year"].notna()]
    pop = pop.drop_duplicates(["municipality", "year"], keep="first")[["municipality", "year", "value", "source"]]
    pop = pop.rename(columns={"value": "population", "source": "population_source"})
    figures = register[register["indicator"].isin(indicators) & register["year"].notna()]
    out = figures.merge(pop, on=["municipality", "year"], how="left")
    out["per_1000"] = np.where(out["population"].notna(), 1000 * out["value"] / out["population"], np.nan)
    return out[["municipality", "year", "indicator", "value", "population", "per_1000", "source",
                "population_source"]].sort_values(["indicator", "municipality", "year"]).reset_index(drop=True)
