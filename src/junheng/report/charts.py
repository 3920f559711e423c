"""The report's charts: one house style, Chinese labels that render with no system CJK font.
Each function returns an inline PNG (``data:`` URI) so the HTML stays self-contained.
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from junheng.i18n import pick, t  # noqa: E402
from junheng.report.fonts import use_cjk_in_matplotlib  # noqa: E402

INK, MUTED, GRID = "#1f2a37", "#6b7280", "#e5e7eb"
BLUE, RED, GREEN, AMBER = "#2563eb", "#dc2626", "#059669", "#d97706"
SECTION_COLORS = {"primary": BLUE, "junior": "#7c3aed"}
LOCATION_COLORS = {"urban": "#0ea5e9", "town": "#f59e0b", "rural": "#10b981"}


def house_style() -> None:
    import logging

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # one weight only: no bold warning
    use_cjk_in_matplotlib()
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 110,
            "font.size": 9,
            "axes.titlesize": 10,
            "axes.titleweight": "bold",
            "axes.edgecolor": MUTED,
            "axes.labelcolor": INK,
            "xtick.color": MUTED,
            "ytick.color": MUTED,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.color": GRID,
            "grid.linewidth": 0.6,
            "legend.frameon": False,
            "figure.constrained_layout.use": False,
            "text.parse_math": False,  # user text is literal: a county named "A$B" is no formula
        }
    )


# Fixed margins per chart kind: constrained layout costs ~0.1 s per multi-panel figure (measured).
MARGINS = {
    "values": dict(left=0.075, right=0.99, bottom=0.04, top=0.86, wspace=0.5, hspace=0.42),
    "bars": dict(left=0.13, right=0.98, bottom=0.1, top=0.9, wspace=0.12),
    "bars_titled": dict(left=0.13, right=0.98, bottom=0.1, top=0.8, wspace=0.12),
    "single": dict(left=0.15, right=0.97, bottom=0.13, top=0.92),
    "trends": dict(left=0.07, right=0.98, bottom=0.1, top=0.9, wspace=0.08),
}


def to_data_uri(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def school_values(sec: pd.DataFrame, indicators, section: str, lang: str) -> str:
    """Small multiples: every school's value of each indicator, sorted, against the threshold."""
    house_style()
    cols = 4
    rows = int(np.ceil(len(indicators) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(7.2, 1.9 * rows))
    axes = np.atleast_1d(axes).ravel()
    for ax, ind in zip(axes, indicators):
        values = sec[f"value_{ind.key}"].sort_values().to_numpy()
        threshold = ind.threshold[section]
        below = values < threshold * (1 - 1e-9)
        x = np.arange(len(values))
        ax.scatter(x[~below], values[~below], s=9, color=BLUE, linewidths=0)
        ax.scatter(x[below], values[below], s=12, color=RED, linewidths=0)
        ax.axhline(threshold, color=INK, linewidth=0.9, linestyle="--")
        ax.set_title(f"{ind.id} {pick(ind.short, lang)}", loc="left")
        ax.set_xticks([])
        ax.set_ylabel(pick(ind.unit, lang), fontsize=7)
        ax.set_ylim(bottom=0)
    for ax in axes[len(indicators) :]:
        ax.axis("off")
    fig.suptitle(
        t("report.charts.values_title", lang, section=t(f"report.section_names.{section}", lang)),
        fontsize=10,
        fontweight="bold",
        x=0.01,
        ha="left",
    )
    fig.subplots_adjust(**MARGINS["values"])
    return to_data_uri(fig)


def coefficients(cv: pd.DataFrame, labels: dict, lang: str, limit_col: str = "limit") -> str:
    """Horizontal bars: each coefficient of both sections, with its limit."""
    house_style()
    sections = [s for s in ("primary", "junior") if s in set(cv["section"])]
    fig, axes = plt.subplots(
        1, len(sections), figsize=(7.2, 0.32 * cv["indicator"].nunique() + 0.9), sharey=True
    )
    axes = np.atleast_1d(axes)
    for ax, section in zip(axes, sections):
        rows = cv[cv["section"] == section].iloc[::-1]
        values = rows["cv"].fillna(0).to_numpy()
        limit = rows[limit_col].to_numpy() if limit_col in rows else np.full(len(rows), np.nan)
        colors = [
            RED if (lim == lim and v > lim) else (AMBER if b else BLUE)
            for v, lim, b in zip(
                values, limit, rows.get("borderline", pd.Series(False, index=rows.index)).fillna(False)
            )
        ]
        y = np.arange(len(rows))
        ax.barh(y, values, color=colors, height=0.62)
        for yi, v in zip(y, values):
            ax.text(v + 0.005, yi, f"{v:.3f}", va="center", fontsize=7, color=INK)
        if np.isfinite(limit).any():
            ax.axvline(np.nanmax(limit), color=RED, linewidth=1, linestyle="--")
        ax.set_yticks(y, [labels[i] for i in rows["indicator"]])
        ax.set_title(t(f"report.section_names.{section}", lang), loc="left")
        ax.set_xlim(0, max(0.6, float(np.nanmax(values)) * 1.25 if len(values) else 0.6))
        ax.grid(axis="y", visible=False)
    fig.subplots_adjust(**MARGINS["bars"])
    return to_data_uri(fig)


def lorenz(long: pd.DataFrame, labels: dict, section: str, lang: str) -> str:
    """Student-weighted Lorenz curves of each indicator in one section."""
    house_style()
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    ax.plot(
        [0, 1], [0, 1], color=MUTED, linewidth=0.8, linestyle="--", label=t("report.charts.equality", lang)
    )
    cmap = plt.get_cmap("tab10")
    for i, (ind, g) in enumerate(long.groupby("indicator", sort=True)):
        g = g.sort_values("x")
        w, r = g["w"].to_numpy(), (g["w"] * g["x"]).to_numpy()
        if r.sum() <= 0:
            continue
        ax.plot(
            np.r_[0, np.cumsum(w) / w.sum()],
            np.r_[0, np.cumsum(r) / r.sum()],
            linewidth=1.2,
            color=cmap(i),
            label=labels[ind],
        )
    ax.set_xlabel(t("report.charts.lorenz_x", lang))
    ax.set_ylabel(t("report.charts.lorenz_y", lang))
    ax.set_title(
        t("report.charts.lorenz_title", lang, section=t(f"report.section_names.{section}", lang)), loc="left"
    )
    ax.legend(fontsize=6.5, loc="upper left")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    fig.subplots_adjust(**MARGINS["single"])
    return to_data_uri(fig)


def theil(decomp: pd.DataFrame, labels: dict, lang: str) -> str:
    """Stacked bars: Theil T within and between urban/town/rural groups, per indicator and section."""
    house_style()
    d = decomp[decomp["by"] == "location"]
    sections = [s for s in ("primary", "junior") if s in set(d["section"])]
    fig, axes = plt.subplots(
        1, len(sections), figsize=(7.2, 0.3 * d["indicator"].nunique() + 1.1), sharey=True
    )
    axes = np.atleast_1d(axes)
    for ax, section in zip(axes, sections):
        rows = d[d["section"] == section].sort_values("indicator").iloc[::-1]
        y = np.arange(len(rows))
        ax.barh(y, rows["theil_within"], color=BLUE, height=0.62, label=t("report.charts.within", lang))
        ax.barh(
            y,
            rows["theil_between"],
            left=rows["theil_within"],
            color=AMBER,
            height=0.62,
            label=t("report.charts.between", lang),
        )
        ax.set_yticks(y, [labels[i] for i in rows["indicator"]])
        ax.set_title(t(f"report.section_names.{section}", lang), loc="left")
        ax.grid(axis="y", visible=False)
    axes[-1].legend(fontsize=7, loc="lower right")
    fig.suptitle(t("report.charts.theil_title", lang), fontsize=10, fontweight="bold", x=0.01, ha="left")
    fig.subplots_adjust(**MARGINS["bars_titled"])
    return to_data_uri(fig)


def trends(cv: pd.DataFrame, labels: dict, lang: str) -> str:
    """Each coefficient over the years, both sections, with the limit."""
    house_style()
    sections = [s for s in ("primary", "junior") if s in set(cv["section"])]
    fig, axes = plt.subplots(1, len(sections), figsize=(7.2, 2.8), sharey=True)
    axes = np.atleast_1d(axes)
    cmap = plt.get_cmap("tab10")
    years = sorted(cv["year"].unique())
    for ax, section in zip(axes, sections):
        rows = cv[cv["section"] == section]
        for i, (ind, g) in enumerate(rows.groupby("indicator", sort=True)):
            g = g.sort_values("year")
            ax.plot(
                g["year"], g["cv"], marker="o", markersize=3, linewidth=1.2, color=cmap(i), label=labels[ind]
            )
        if "limit" in rows and rows["limit"].notna().any():
            ax.axhline(rows["limit"].max(), color=RED, linewidth=1, linestyle="--")
        ax.set_xticks(years, [str(y) for y in years])
        ax.set_title(
            t("report.charts.trend_title", lang, section=t(f"report.section_names.{section}", lang)),
            loc="left",
        )
        ax.set_ylim(bottom=0)
    axes[-1].legend(fontsize=6.5, ncol=2, loc="upper right")
    fig.subplots_adjust(**MARGINS["trends"])
    return to_data_uri(fig)
