"""Charts of KOL vetting: fake-follower estimates, real interaction rates, audience fit, cost against feed ads,
the shortlist and the bookings' delivery, plus the JupyterLab explorer.

Every figure function takes the analysis' results and returns a matplotlib Figure made with
helpers.charts.subplots (outside pyplot); labels are in the run's language, KOLs are named (Chinese
names drawn with the CJK font), shares are percentages, and a threshold is a line on the chart. An empty
input gives a figure that says there is nothing to show, never an error.
"""

from __future__ import annotations

from typing import Any

import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers import i18n
from helpers.charts import CountTicks, close, heatmap, setup_style, subplots
from helpers.i18n import _
from helpers.kol.analysis import Authenticity, Cost, Fit, Ranked
from helpers.kol.authenticity import BASIS_LABELS
from helpers.kol.session import KolRun

__all__ = ["after_chart", "close", "cost_chart", "fake_chart", "fit_chart", "heatmap", "kol_explorer", "rate_chart",
           "setup_style", "shortlist_chart"]

DECISION_COLOURS = {"accept": "#009E73", "negotiate": "#E69F00", "reject": "#D55E00"}
BASIS_COLOURS = {"follower sample": "#0072B2", "follower history": "#CC79A7", "engagement norm": "#999999"}
DELIVERY_COLOURS = {"above": "#009E73", "within": "#0072B2", "below": "#D55E00"}
_BAR_COLOUR, _LINE_COLOUR = "#0072B2", "#333333"


def _nothing(message: str) -> Figure:
    """A small figure that says there is nothing to show."""
    fig, ax = subplots(figsize=(6, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center")
    return fig


def _names(run: KolRun, ids: pd.Series) -> list[str]:
    """KOL display names for a tick axis."""
    names = run.names
    return [str(names.get(k, k)) for k in ids]


def _rows_figure(n: int) -> tuple[Figure, Any]:
    """One horizontal row per KOL: a figure tall enough for its names."""
    return subplots(figsize=(8.0, 0.26 * n + 1.4))


def _percent_axis(axis: Any) -> None:
    """Show an axis as percentages."""
    axis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))


def fake_chart(fake: Authenticity, run: KolRun) -> Figure:
    """Each KOL's fake-follower share with its interval, coloured by the evidence used, and the limit."""
    est = fake.estimate.dropna(subset=["share"]).sort_values("share")
    if est.empty:
        return _nothing(_("No KOL has evidence on fake followers."))
    fig, ax = _rows_figure(len(est))
    y = np.arange(len(est))
    for basis, colour in BASIS_COLOURS.items():
        rows = (est["basis"] == basis).to_numpy()
        if rows.any():
            ax.errorbar(est["share"][rows], y[rows], xerr=[est["share"][rows] - est["low"][rows],
                                                            est["high"][rows] - est["share"][rows]],
                        fmt="o", color=colour, ecolor=colour, capsize=2, label=i18n.gettext(BASIS_LABELS[basis]))
    ax.axvline(fake.threshold, color=DECISION_COLOURS["reject"], linestyle="--",
               label=_("limit {limit}").format(limit=i18n.fmt_percent(fake.threshold, 0)))
    ax.set_yticks(y, _names(run, est["kol_id"]))
    _percent_axis(ax.xaxis)
    ax.set_xlim(left=0)
    ax.set_xlabel(_("estimated fake-follower share (interval)"))
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(_("Fake followers: estimate, interval and the evidence used"))
    return fig


def rate_chart(rates: pd.DataFrame, run: KolRun) -> Figure:
    """Real interaction rate per KOL with its interval, and the bar it must clear."""
    r = rates.dropna(subset=["rate"]).sort_values("rate")
    if r.empty:
        return _nothing(_("No KOL has organic posts to rate."))
    fig, ax = _rows_figure(len(r))
    y = np.arange(len(r))
    colours = np.where(r["rate"] > run.settings.interaction_threshold, _BAR_COLOUR, "#BBBBBB")
    ax.barh(y, r["rate"], color=colours)
    low, high = r["low"].fillna(r["rate"]), r["high"].fillna(r["rate"])
    ax.errorbar(r["rate"], y, xerr=[r["rate"] - low, high - r["rate"]], fmt="none", ecolor=_LINE_COLOUR, capsize=2)
    ax.axvline(run.settings.interaction_threshold, color=DECISION_COLOURS["reject"], linestyle="--",
               label=_("bar {bar}").format(bar=i18n.fmt_percent(run.settings.interaction_threshold, 0)))
    ax.set_yticks(y, _names(run, r["kol_id"]))
    _percent_axis(ax.xaxis)
    ax.set_xlabel(_("engagements per real follower, mean of organic posts (interval)"))
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(_("Real interaction rate"))
    return fig


def fit_chart(fit: Fit | None, run: KolRun) -> Figure:
    """Similarity (1 − total variation distance) of each KOL's audience to the brand's, per dimension."""
    from helpers.kol.findings import DIMENSION_NAMES

    if fit is None or fit.score.dropna(subset=["fit"]).empty:
        return _nothing(_("No audience to compare."))
    score = fit.score.dropna(subset=["fit"]).sort_values("fit", ascending=False)
    dims = [d for d in DIMENSION_NAMES if d in score.columns]
    matrix = score.set_index("kol_id")[[*dims, "fit"]]
    matrix.index = _names(run, pd.Series(matrix.index))
    matrix.columns = [*(i18n.gettext(DIMENSION_NAMES[d]) for d in dims), _("audience fit")]
    fig = heatmap(matrix, _("Audience fit: similarity to the brand's followers (1 = the same)"), fmt=".2f",
                  cmap="Greens")
    fig.set_size_inches(8.0, 0.3 * len(matrix) + 1.6)
    fig.axes[0].set_ylabel("")
    return fig


def cost_chart(spend: Cost, run: KolRun) -> Figure:
    """Expected CPA as a multiple of the platform's feed CPA, with its range, and the highest multiple kept."""
    t = spend.table.dropna(subset=["cpa_ratio"]).sort_values("cpa_ratio", ascending=False)
    if t.empty:
        return _nothing(_("No CPA to compare: prices, feed ads or booking history are missing."))
    fig, ax = _rows_figure(len(t))
    y = np.arange(len(t))
    feed = t["feed_cpa"].to_numpy()
    low, high = t["cpa_low"].to_numpy() / feed, t["cpa_high"].to_numpy() / feed
    ok = (t["cpa_ratio"] <= run.settings.cpa_ratio_max).to_numpy()
    for mask, colour in ((ok, DECISION_COLOURS["accept"]), (~ok, DECISION_COLOURS["negotiate"])):
        ax.errorbar(t["cpa_ratio"][mask], y[mask], xerr=[t["cpa_ratio"][mask] - low[mask],
                                                         high[mask] - t["cpa_ratio"][mask]],
                    fmt="o", color=colour, ecolor=colour, capsize=2)
    ax.axvline(run.settings.cpa_ratio_max, color=_LINE_COLOUR, linestyle="--",
               label=_("feed CPA × {ratio}").format(ratio=i18n.fmt_number(run.settings.cpa_ratio_max, 1)))
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: f"{v:g}×"))
    ax.set_yticks(y, _names(run, t["kol_id"]))
    ax.set_xlabel(_("expected CPA ÷ feed-ad CPA of the platform (80 % range, log scale)"))
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(_("Cost: expected CPA against feed ads"))
    return fig


def shortlist_chart(ranked: Ranked, run: KolRun) -> Figure:
    """The shortlist in rank order: each KOL's score, coloured by its decision."""
    from helpers.kol.findings import DECISION_NAMES

    if ranked.table.empty:
        return _nothing(_("No KOL to rank."))
    t = ranked.table.iloc[::-1]
    fig, ax = _rows_figure(len(t))
    y = np.arange(len(t))
    ax.barh(y, t["score"].fillna(0), color=[DECISION_COLOURS[d] for d in t["decision"]])
    ax.set_yticks(y, [f"{int(r)}. {n}" for r, n in zip(t["rank"], _names(run, t["kol_id"]), strict=True)])
    handles = [Patch(color=colour, label=i18n.gettext(DECISION_NAMES[d])) for d, colour in DECISION_COLOURS.items()]
    ax.set_xlim(0, 1)
    ax.set_xlabel(_("score (weighted fit, interaction, authenticity and cost; orders KOLs within a decision)"))
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
    ax.set_title(_("Shortlist: decision and score"))
    return fig


def after_chart(booked: pd.DataFrame | None, run: KolRun) -> Figure:
    """Each booked post's engagements against the range its KOL's earlier posts predicted."""
    if booked is None or booked.empty:
        return _nothing(_("Nothing booked to review yet."))
    b = booked.iloc[::-1]
    fig, ax = subplots(figsize=(8.0, 0.45 * len(b) + 1.4))
    y = np.arange(len(b))
    ax.hlines(y, b["p10"], b["p90"], color="#BBBBBB", linewidth=6, label=_("predicted range (p10–p90)"))
    ax.scatter(b["predicted"], y, marker="|", s=200, color=_LINE_COLOUR, label=_("predicted"))
    colours = [DELIVERY_COLOURS.get(str(d), _LINE_COLOUR) for d in b["delivery"]]
    ax.scatter(b["engagements"], y, color=colours, zorder=3, label=_("actual"))
    labels = [f"{n} · {c}" for n, c in zip(_names(run, b["kol_id"]), b["campaign"], strict=True)]
    ax.set_yticks(y, labels)
    ax.xaxis.set_major_formatter(CountTicks())
    ax.set_xlabel(_("engagements of the booked post"))
    fig.legend(loc="outside lower center", ncols=3, frameon=False)
    ax.set_title(_("After the campaign: actual against predicted engagements"))
    return fig


def kol_explorer(ranked: Ranked, run: KolRun) -> Any:
    """Filters for platform, category, price band and the three screen bars; each change re-decides at once and
    shows the decision line, the shortlist chart and table of the KOLs left. See helpers.explorer."""
    import ipywidgets as widgets

    from helpers.explorer import Explorer, View, fit_descriptions
    from helpers.kol.findings import explorer_line, shortlist_view
    from helpers.kol.shortlist import Thresholds, rank_sensitivity, shortlist

    table = ranked.table
    everything = _("all")
    layout = widgets.Layout(width="30em")
    platform = widgets.Dropdown(options=[(everything, "")] + [(i18n.platform_name(p), p) for p in
                                                             sorted(table["platform"].unique())],
                                description=_("platform"), layout=layout)
    category = widgets.Dropdown(options=[(everything, "")] + [(c, c) for c in sorted(table["category"].unique())],
                                description=_("category"), layout=layout)
    top = float(np.ceil(np.nanmax(table["price"]) / 1000)) if table["price"].notna().any() else 1.0
    price = widgets.FloatRangeSlider(value=(0.0, top), min=0.0, max=top, step=0.5,
                                     description=_("price per post, thousands"), readout_format=",.0f",
                                     layout=layout, continuous_update=False)
    percent = {"readout_format": ".0%", "layout": layout, "continuous_update": False}
    fake = widgets.FloatSlider(value=ranked.bars.fake, min=0.05, max=0.6, step=0.01,
                               description=_("fake-follower limit"), **percent)
    rate = widgets.FloatSlider(value=ranked.bars.interaction, min=0.0, max=0.15, step=0.005,
                               description=_("interaction bar"), **percent)
    fit = widgets.FloatSlider(value=ranked.bars.min_fit, min=0.0, max=1.0, step=0.05,
                              description=_("lowest audience fit"), readout_format=".2f", layout=layout,
                              continuous_update=False)
    controls = (platform, category, price, fake, rate, fit)
    fit_descriptions(controls)
    screens = table.drop(columns=["decision", "reasons", "score", "rank"] +
                         [c for c in table.columns if c.startswith("part_")])

    def draw() -> View:
        keep = pd.Series(True, index=screens.index)
        if platform.value:
            keep &= screens["platform"] == platform.value
        if category.value:
            keep &= screens["category"] == category.value
        low, high = price.value
        keep &= screens["price"].isna() | screens["price"].between(low * 1000, high * 1000)
        if not keep.any():
            return View(_("No KOL is left with these filters."))
        bars = Thresholds(fake=fake.value, interaction=rate.value, min_fit=fit.value,
                          cpa_ratio_max=ranked.bars.cpa_ratio_max)
        chosen = shortlist(screens[keep].reset_index(drop=True), run.settings.score_weights, bars)
        again = Ranked(chosen, rank_sensitivity(chosen, run.settings.score_weights, bars, n_draws=200), bars)
        return View(explorer_line(again, run), figure=shortlist_chart(again, run),
                    tables=(shortlist_view(again, run),))

    return Explorer("kol", controls, draw)
