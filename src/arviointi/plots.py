"""Figures for the report: forest plots of rate ratios and annotated heatmaps (matplotlib).

Labels are whatever the caller passes — the report passes Finnish ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["forest_plot", "heatmap"]


def forest_plot(table: pd.DataFrame, *, ax: Any = None, label: str = "group", estimate: str = "rate_ratio",
                low: str = "ci_low", high: str = "ci_high", title: str = "", xlabel: str = "rate ratio (95 % CI)",
                log: bool = True) -> Any:
    """Point estimates with confidence intervals, one row per group; a dashed line at 1.

    The reference group (no interval) is drawn as a hollow marker at 1.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.5 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    est = table[estimate].to_numpy(float)
    lo, hi = table[low].to_numpy(float), table[high].to_numpy(float)
    has_ci = ~np.isnan(lo)
    ax.errorbar(est[has_ci], y[has_ci], xerr=[est[has_ci] - lo[has_ci], hi[has_ci] - est[has_ci]],
                fmt="o", color="#4C72B0", ecolor="#4C72B0", capsize=3)
    ax.plot(est[~has_ci], y[~has_ci], "o", mfc="white", mec="#4C72B0")
    ax.axvline(1, color="grey", linestyle="--", linewidth=1)
    ax.set_yticks(y, table[label].astype(str))
    if log:
        ax.set_xscale("log")
    ax.set(title=title, xlabel=xlabel)
    return ax


def heatmap(table: pd.DataFrame, *, ax: Any = None, fmt: str = "{:.1f}", cmap: str = "RdBu_r", center: float | None = 0.0,
            title: str = "", colorbar_label: str = "") -> Any:
    """An annotated heatmap of a table (rows × columns); symmetric colour scale around ``center``."""
    import matplotlib.pyplot as plt

    values = table.to_numpy(float)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.1 * table.shape[1] + 2.5, 0.45 * table.shape[0] + 1.5))
    if center is not None:
        span = np.nanmax(np.abs(values - center)) or 1.0
        vmin, vmax = center - span, center + span
    else:
        vmin, vmax = np.nanmin(values), np.nanmax(values)
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(table.shape[1]), table.columns.astype(str), rotation=30, ha="right")
    ax.set_yticks(range(table.shape[0]), table.index.astype(str))
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=8,
                    color="white" if abs(v - (center or 0)) > 0.6 * (vmax - (center or 0)) else "black")
    ax.figure.colorbar(image, ax=ax, label=colorbar_label, fraction=0.04)
    ax.set_title(title)
    return ax
