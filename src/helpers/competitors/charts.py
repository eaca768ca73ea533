"""Charts of the competitor analysis: growth, share of voice, radar, lifts, benchmark bars and the explorer.

Figures take ready tables (from ``benchmark``, ``content`` and ``gaps``) and return a matplotlib
Figure; ``table_view`` turns a table into the styled view the notebook displays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
import seaborn as sns

from helpers import i18n
from helpers.charts import CountTicks, bar_chart, close, heatmap, label_axes, setup_style, slant_dates, subplots
from helpers.competitors.benchmark import FIELD_ROW, SHORT_LABELS, er_base_text
from helpers.competitors.labels import account_names, dimension_name, format_name, kind_name, trait_value
from helpers.i18n import N_, _
from helpers.report import styled

__all__ = ["bar_chart", "benchmark_explorer", "close", "engagement_rate_chart", "engagements_chart",
           "er_by_format_chart", "growth_chart", "heatmap", "indexed_growth_chart", "lift_chart", "metric_bar_chart",
           "radar_chart", "setup_style", "share_of_voice_chart", "sov_chart", "stacked_share_chart", "table_view",
           "table_views", "time_grid_chart"]

if TYPE_CHECKING:
    import ipywidgets as widgets


OWN_COLOUR = "#c62828"


def _account_colours(accounts: Sequence[str], highlight: str | Sequence[str] | None = None) -> dict[str, Any]:
    """One colour per account: the highlighted (own) account red, the others from a muted palette."""
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    others = [a for a in accounts if a not in marked]
    deep = sns.color_palette("deep", n_colors=10)
    palette = [c for i, c in enumerate(deep) if i != 3]  # the palette's red is kept for the own account
    palette = (palette * (len(others) // len(palette) + 1))[:max(len(others), 1)]
    colours: dict[str, Any] = {a: OWN_COLOUR for a in accounts if a in marked}
    colours.update(dict(zip(others, palette, strict=False)))
    return colours


def _names_of(names: Mapping[str, str] | None, highlight: str | Sequence[str] | None
              ) -> str | Sequence[str] | None:
    """The highlighted account(s) by display name."""
    if not names or highlight is None:
        return highlight
    if isinstance(highlight, str):
        return names.get(highlight, highlight)
    return [names.get(a, a) for a in highlight]


def indexed_growth_chart(index: pd.DataFrame, title: str = "", highlight: str | Sequence[str] | None = None
                         ) -> plt.Figure:
    """Follower trajectories of accounts of different sizes on one axis (columns: date, account_id, index)."""
    fig, ax = subplots()
    accounts = list(dict.fromkeys(index["account_id"]))
    colours = _account_colours(accounts, highlight)
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    for account in accounts:
        data = index[index["account_id"] == account].sort_values("date")
        ax.plot(data["date"], data["index"], color=colours[account], label=account,
                linewidth=2.6 if account in marked else 1.4)
    ax.axhline(100, color="#333", linewidth=0.8, linestyle=":")
    ax.set_title(title or _("Followers indexed to 100 at the period start"))
    ax.set_ylabel(_("index (period start = 100)"))
    ax.legend(fontsize=8, loc="upper left")
    slant_dates(ax)
    return fig


def share_of_voice_chart(sov: pd.DataFrame, value: str = "engagement_share", title: str = "",
                         highlight: str | Sequence[str] | None = None) -> plt.Figure:
    """Stacked area of each account's share per period (columns: period_start, account_id, <value>)."""
    table = sov.pivot_table(index="period_start", columns="account_id", values=value, sort=False).fillna(0.0)
    accounts = list(dict.fromkeys(sov["account_id"]))
    table = table[[a for a in accounts if a in table.columns]]
    colours = _account_colours(list(table.columns), highlight)
    fig, ax = subplots()
    ax.stackplot(table.index, table.T.to_numpy(), labels=list(table.columns),
                 colors=[colours[a] for a in table.columns], alpha=0.85)
    ax.set_ylim(0, 1)
    ax.set_xlim(table.index.min(), table.index.max())
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title(title or _("Share of voice"))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    slant_dates(ax)
    return fig


def radar_chart(scores: pd.DataFrame, labels: dict[str, str] | None = None,
                title: str = "", highlight: str | Sequence[str] | None = None) -> plt.Figure:
    """Radar of accounts on 0–1 scaled KPIs (rows: accounts with account_id; columns: metrics)."""
    import numpy as np

    metrics = [c for c in scores.columns if c != "account_id"]
    if len(metrics) < 3:
        raise ValueError("a radar chart needs at least three metrics")
    labels = {m: _(v) for m, v in (labels or {}).items()}
    angles = np.linspace(0, 2 * np.pi, len(metrics), endpoint=False).tolist()
    fig, ax = subplots(figsize=(7.5, 6.5), subplot_kw={"polar": True})
    accounts = list(scores["account_id"])
    colours = _account_colours(accounts, highlight)
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    for _i, row in scores.iterrows():
        values = row[metrics].astype(float).tolist()
        account = row["account_id"]
        missing = [labels.get(m, m) for m, v in zip(metrics, values, strict=True) if pd.isna(v)]
        label = _("{account} (missing: {metrics})").format(account=account, metrics=", ".join(missing)) \
            if missing else account
        width = 2.6 if account in marked else 1.3
        # a missing KPI breaks the outline (a gap, never a point at 0); the area is filled only when complete
        ax.plot(angles + angles[:1], values + values[:1], color=colours[account], linewidth=width, label=label,
                marker="o", markersize=3)
        if not missing:
            ax.fill(angles + angles[:1], values + values[:1], color=colours[account],
                    alpha=0.12 if account in marked else 0.04)
    ax.set_xticks(angles, [labels.get(m, m) for m in metrics], fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_yticks([0.25, 0.5, 0.75], ["", "", ""])
    ax.set_title(title or _("Accounts on normalised KPIs (outward = better)"), pad=18)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3, frameon=False)
    return fig


def lift_chart(table: pd.DataFrame, key: str, title: str = "", max_rows: int = 15) -> plt.Figure:
    """Lift per tag with its interval on a log axis; the line at 1 marks 'no difference' (columns: key, lift, CIs)."""
    data = table.dropna(subset=["lift"]).head(max_rows).reset_index(drop=True)
    fig, ax = subplots(figsize=(9, 0.42 * max(len(data), 3) + 1.3))
    y = list(range(len(data)))[::-1]
    for pos, r in zip(y, data.itertuples(), strict=True):
        low = r.lift_ci_low if pd.notna(r.lift_ci_low) else r.lift
        high = r.lift_ci_high if pd.notna(r.lift_ci_high) else r.lift
        colour = "#2e7d32" if low > 1 else "#c62828" if high < 1 else "#607d8b"
        ax.errorbar([r.lift], [pos], xerr=[[r.lift - low], [high - r.lift]], fmt="o", color=colour,
                    elinewidth=2, capsize=3)
    ax.axvline(1.0, color="#333", linewidth=1)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _pos: f"{v:g}×"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_yticks(y, [str(v) for v in data[key]])
    ax.set_xlabel(_("lift (ratio of geometric-mean ER, with ÷ without); green/red: interval excludes 1"))
    ax.set_title(title or _("Engagement-rate lift with vs without (95% CI)"))
    return fig


def metric_bar_chart(benchmark: pd.DataFrame, metric: str, title: str = "",
                     highlight: str | Sequence[str] | None = None, percent: bool = False,
                     reference: str = FIELD_ROW, names: Mapping[str, str] | None = None) -> plt.Figure:
    """One benchmark metric per account (by name) as bars, the reference row (field median) as a dashed line."""
    rows = account_names(benchmark[benchmark["account_id"] != reference], names)
    highlight = _names_of(names, highlight)
    fig, ax = subplots(figsize=(9, 3.8))
    colours = _account_colours(list(rows["account_id"]), highlight)
    values = rows[metric].astype(float)
    ax.bar(rows["account_id"], values.fillna(0.0), color=[colours[a] for a in rows["account_id"]])
    for pos, value in enumerate(values):
        text = _("missing") if pd.isna(value) else (i18n.fmt_percent(value, 2) if percent else i18n.fmt_count(value))
        ax.text(pos, 0 if pd.isna(value) else value, text, ha="center", va="bottom", fontsize=8)
    ref = benchmark.loc[benchmark["account_id"] == reference, metric]
    if len(ref) and pd.notna(ref.iloc[0]):
        ax.axhline(float(ref.iloc[0]), color="#333", linestyle="--", linewidth=1, label=_("field median"))
        ax.legend(fontsize=8, loc="upper right")
    if percent:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    else:
        ax.yaxis.set_major_formatter(CountTicks())
    ax.set_title(title or metric)
    ax.tick_params(axis="x", labelsize=8)
    return fig


def stacked_share_chart(table: pd.DataFrame, index: str, column: str, value: str, title: str = "",
                        order: Sequence[str] | None = None, names: Mapping[str, str] | None = None
                        ) -> plt.Figure:
    """Horizontal 100 % stacked bars: each ``index`` row split by ``column`` (e.g. accounts by pillar).

    Rows follow ``order`` when given; account ids (``index`` = account_id) are shown by name.
    """
    if index == "account_id" and names:
        table = account_names(table, names)
        order = [names.get(o, o) for o in order] if order is not None else None
    wide = table.pivot_table(index=index, columns=column, values=value, aggfunc="sum", sort=False).fillna(0.0)
    if order is not None:
        wide = wide.reindex([o for o in order if o in wide.index])
    fig, ax = subplots(figsize=(10, 0.5 * max(len(wide), 3) + 1.4))
    left = pd.Series(0.0, index=wide.index)
    palette = sns.color_palette("Set2", n_colors=max(len(wide.columns), 1))
    for colour, name in zip(palette, wide.columns, strict=False):  # one colour at least
        ax.barh(wide.index.astype(str), wide[name], left=left, color=colour, label=str(name))
        for pos, (start, width) in enumerate(zip(left, wide[name], strict=True)):
            if width >= 0.06:
                ax.text(start + width / 2, pos, f"{width:.0%}", ha="center", va="center", fontsize=7)
        left = left + wide[name]
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlim(0, 1)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title=dimension_name(column))
    return fig


def benchmark_explorer(compute: Callable[[str, list[str]], pd.DataFrame], competitors: dict[str, list[str]],
                       metric_labels: dict[str, str], platform: str | None = None,
                       percent_metrics: Sequence[str] = ("growth_pct", "er_mean_of_rates", "er_rate_of_sums"),
                       names: Mapping[str, str] | None = None) -> widgets.VBox:
    """Platform, competitors and metric controls that draw a benchmark bar chart, for a person in JupyterLab.

    ``compute(platform, competitor_ids)`` returns a benchmark table (with a field-median row);
    ``competitors`` maps each platform to its competitor ids. Labels are in the run's language and
    accounts and platforms are shown by name. See helpers.explorer for when it draws; ``controls``
    are (platform, competitors, metric).
    """
    import ipywidgets as widgets

    from helpers.explorer import Explorer, View, fit_descriptions

    names = names or {}
    platforms = list(competitors)
    start = platform if platform in competitors else (platforms[0] if platforms else None)
    platform_box = widgets.Dropdown(options=[(i18n.platform_name(p), p) for p in platforms], value=start,
                                    description=_("Platform"))
    first = competitors.get(start, []) if start is not None else []
    chosen = widgets.SelectMultiple(options=[(names.get(a, a), a) for a in first], value=tuple(first),
                                    description=_("Competitors"), rows=min(max(len(first), 2), 8),
                                    layout=widgets.Layout(width="32em"))
    metric = widgets.Dropdown(options=[(label, key) for key, label in metric_labels.items()], description=_("Metric"))
    fit_descriptions((platform_box, chosen, metric))

    def draw() -> View:
        if not chosen.value:
            return View(text=_("Choose at least one competitor."))
        table = compute(platform_box.value, list(chosen.value))
        own = table.loc[table["role"] == "own", "account_id"].tolist()
        title = _("{metric} · {platform}").format(metric=metric_labels[metric.value],
                                                  platform=i18n.platform_name(platform_box.value))
        return View(figure=metric_bar_chart(table, metric.value, title=title, highlight=own,
                                            percent=metric.value in percent_metrics, names=names))

    def switch_platform(_change: object = None) -> None:
        options = competitors.get(platform_box.value, [])
        chosen.options = [(names.get(a, a), a) for a in options]
        chosen.value = tuple(options)
        chosen.rows = min(max(len(options), 2), 8)

    platform_box.observe(switch_platform, names="value")
    header = widgets.VBox([widgets.HBox([platform_box, metric], layout=widgets.Layout(flex_flow="row wrap")), chosen])
    return Explorer("benchmark", (platform_box, chosen, metric), draw, header=header)


# --------------------------------------------------------------------------------------------
# The notebook's figures, titled from the run's values, accounts by name, in the run's language
# --------------------------------------------------------------------------------------------


def engagements_chart(benchmark: pd.DataFrame, components: Sequence[str],
                      highlight: str | Sequence[str] | None = None, names: Mapping[str, str] | None = None
                      ) -> plt.Figure:
    """Engagements per post per account (the components summed named), the field median dashed."""
    from helpers.competitors.session import COMPONENT_NAMES

    parts = " + ".join(_(COMPONENT_NAMES.get(c, c)) for c in components)
    return metric_bar_chart(benchmark, "engagements_mean",
                            _("Engagements per post ({components}); dashed: field median").format(components=parts),
                            highlight=highlight, names=names)


def engagement_rate_chart(benchmark: pd.DataFrame, er_base: str, highlight: str | Sequence[str] | None = None,
                          names: Mapping[str, str] | None = None) -> plt.Figure:
    """Mean of per-post engagement rates per account on the stated base, the field median dashed."""
    title = _("Engagement rate by {base} (mean of per-post rates); dashed: field median").format(
        base=er_base_text(er_base))
    return metric_bar_chart(benchmark, "er_mean_of_rates", title, highlight=highlight, percent=True, names=names)


def growth_chart(index: pd.DataFrame, start: pd.Timestamp, highlight: str | None = None,
                 names: Mapping[str, str] | None = None) -> plt.Figure:
    """``indexed_growth_chart`` titled with the window's first day, accounts by name."""
    return indexed_growth_chart(account_names(index, names),
                                _("Followers indexed to 100 on {day} (own account in red)").format(
                                    day=i18n.fmt_date(start)), highlight=_names_of(names, highlight))


_SOV_TITLES = {"W": N_("Share of engagements per week"), "MS": N_("Share of engagements per month")}


def sov_chart(trend: pd.DataFrame, freq: str, highlight: str | Sequence[str] | None = None,
              names: Mapping[str, str] | None = None) -> plt.Figure:
    """Share of engagements per week or month (``freq`` 'W' or 'MS') as a stacked area, accounts by name."""
    return share_of_voice_chart(account_names(trend, names), "engagement_share",
                                _(_SOV_TITLES["W" if freq == "W" else "MS"]), highlight=_names_of(names, highlight))


def er_by_format_chart(mix_format: pd.DataFrame, er_base: str, names: Mapping[str, str] | None = None
                       ) -> plt.Figure:
    """Mean of per-post ERs per account, one bar per format (``content.content_mix`` by format)."""
    data = account_names(mix_format, names).assign(format=mix_format["format"].map(format_name))
    fig = bar_chart(data, "account_id", "er_mean_of_rates", hue="format", percent=True,
                    title=_("ER by {base} per format (mean of per-post rates)").format(base=er_base_text(er_base)))
    return label_axes(fig, "", _("engagement rate"), _("format"))


def time_grid_chart(grid: pd.DataFrame, account: str | None = None, cmap: str = "Reds") -> plt.Figure:
    """Weekday × hour shares (``content.time_grid``) of the competitors (account None) or of one account (a name)."""
    title = (_("Competitors: share of posts by weekday and hour") if account is None
             else _("{account}: share of posts by weekday and hour").format(account=account))
    return label_axes(heatmap(grid, title, fmt=".1%", cmap=cmap, annot=False), _("hour"), "")


def cadence_chart(grid: pd.DataFrame, names: Mapping[str, str] | None = None) -> plt.Figure:
    """Posts per calendar week per account (``benchmark.cadence_grid``), accounts by name."""
    shown = grid.rename(index=lambda a: (names or {}).get(a, a))
    return label_axes(heatmap(shown, _("Posts per calendar week (columns: week starting)"), fmt=".0f",
                               cmap="Blues"), _("week starting"), "")


def posting_hours_chart(grid: pd.DataFrame, names: Mapping[str, str] | None = None) -> plt.Figure:
    """Share of each account's posts by hour of day (``content.account_hour_grid``), accounts by name."""
    shown = grid.rename(index=lambda a: (names or {}).get(a, a))
    return label_axes(heatmap(shown, _("Share of each account's posts by hour of day"), fmt=".0%",
                               cmap="Purples", annot=False), _("hour"), "")


def pillar_mix_chart(mix_pillar: pd.DataFrame, order: Sequence[str], names: Mapping[str, str] | None = None
                     ) -> plt.Figure:
    """Share of each account's posts by pillar, accounts by name in ``order``."""
    return stacked_share_chart(mix_pillar, "account_id", "pillar", "share_of_account_posts",
                               _("Share of each account's posts by pillar"), order=order, names=names)


def pillar_lift_chart(lift: pd.DataFrame) -> plt.Figure:
    """ER lift by pillar within accounts."""
    return lift_chart(lift, "pillar", _("ER lift by pillar, within accounts (95% CI)"))


def topic_lift_chart(lift: pd.DataFrame) -> plt.Figure:
    """ER lift by topic tag within accounts (top 15)."""
    return lift_chart(lift, "topic", _("ER lift by topic tag, within accounts (95% CI, top 15)"))


def coverage_chart(coverage: pd.DataFrame, own_name: str) -> plt.Figure:
    """Share of posts by pillar, competitors vs own account (``gaps.coverage(opp, own_name)``)."""
    data = coverage.assign(who=coverage["who"].replace({"competitors": _("competitors")}))
    fig = bar_chart(data, "category", "share", hue="who", percent=True,
                    title=_("Share of posts by pillar: competitors vs {own}").format(own=own_name))
    return label_axes(fig, "", _("share of posts"), "")


def kpi_radar_chart(scores: pd.DataFrame, highlight: str, names: Mapping[str, str] | None = None) -> plt.Figure:
    """``radar_chart`` of ``benchmark.normalised_kpis`` with short KPI names, accounts by name."""
    return radar_chart(account_names(scores, names), SHORT_LABELS, highlight=_names_of(names, highlight))


_NOWRAP = {"white-space": "nowrap"}
_WIDE = {"min-width": "20em", "text-align": "left"}

#: Display labels of the competitor tables' columns (on top of helpers.report.COLUMN_LABELS).
TABLE_LABELS: dict[str, str] = {
    "name": N_("Account"), "role": N_("Role"), "posts_in_window": N_("Posts in the window"),
    "posts_share": N_("Share of posts"), "engagement_share": N_("Share of engagements"),
    "views_share": N_("Share of video views"), "posts_missing_engagements": N_("Posts without engagements"),
    "note": N_("Note"), "share_of_account_posts": N_("Share of the account's posts"),
    "engagements_mean": N_("Engagements per post"), "engagements_median": N_("Median engagements"),
    "posts_with_rate": N_("Posts with an ER"), "er_mean_of_rates": N_("ER (mean of rates)"),
    "er_ci_low": N_("ER 95% CI low"), "er_ci_high": N_("ER 95% CI high"), "er_rate_of_sums": N_("ER (rate of sums)"),
    "n_with": N_("Posts with"), "n_without": N_("Posts without"), "lift": N_("Lift"), "lift_ci_low": N_("Lift CI low"),
    "lift_ci_high": N_("Lift CI high"), "p_value": N_("p-value"), "q_value": N_("q-value"),
    "n_accounts": N_("Accounts"), "reliable": N_("CI excludes 1"), "rank": N_("Rank"), "label": N_("Slot"),
    "field_posts": N_("Competitor posts"), "field_accounts": N_("Competitors posting"),
    "field_share": N_("Competitors' share"), "own_posts": N_("Own posts"), "own_share": N_("Own share"),
    "difference": N_("Own − competitors"), "posts_missing": N_("Posts without a value"), "median": N_("Median"),
    "mad": N_("MAD (scaled)"), "threshold": N_("Hit threshold"), "hits": N_("Hits"), "hit_share": N_("Hit rate"),
    "value": N_("Engagements"), "times_median": N_("× median"), "trait": N_("Trait"),
    "post_share": N_("Share of posts"), "odds_ratio": N_("Odds ratio"), "dimension": N_("Dimension"),
    "category": N_("Category"), "kind": N_("Kind"), "score": N_("Score"), "field_index": N_("Field index"),
    "own_index": N_("Own index"), "strengths": N_("Strengths"), "weaknesses": N_("Weaknesses"),
    "topic": N_("Topic tag"), "views": N_("Video views"),
}
#: Code columns shown by their reader's name.
_CODE_COLUMNS: dict[str, Callable[[object], str]] = {"format": format_name, "kind": kind_name,
                                                      "dimension": dimension_name, "trait": dimension_name}


def _p_text(value: object) -> str:
    """A p- or q-value in a labelled column: 0.043, < 0.001 (never scientific notation)."""
    if value is None or pd.isna(value):
        return i18n.MISSING
    text = i18n.fmt_p_value(float(value))  # type: ignore[arg-type]
    return text[4:] if text.startswith("p = ") else text[2:]


def display_frame(frame: pd.DataFrame, names: Mapping[str, str] | None = None,
                  show: Sequence[str] | None = None) -> pd.DataFrame:
    """A table as a reader sees it: only ``show`` columns, accounts by name, codes named, p/q-values as p < 0.001.

    Trait values (hit traits) and formats among categories are named too; numbers stay numbers for
    ``helpers.report.styled`` to format.
    """
    data = frame.copy()
    if "value" in data.columns and "trait" in data.columns:
        data["value"] = [trait_value(t, v) for t, v in zip(data["trait"], data["value"], strict=True)]
    if "category" in data.columns and "dimension" in data.columns:
        data["category"] = [format_name(c) if d == "format" else c
                            for d, c in zip(data["dimension"], data["category"], strict=True)]
    for column, name in _CODE_COLUMNS.items():
        if column in data.columns:
            data[column] = data[column].map(lambda v, f=name: f(v) if isinstance(v, str) else v)
    if "role" in data.columns:
        from helpers.competitors.labels import role_name

        data["role"] = data["role"].map(role_name)
    for column in ("p_value", "q_value"):
        if column in data.columns:
            data[column] = data[column].map(_p_text)
    if "difference" in data.columns:  # a difference of two shares: percentage points
        data["difference"] = data["difference"].map(lambda v: i18n.fmt_pp(v, 1))
    data = account_names(data, names)
    if show is not None:
        data = data[[c for c in show if c in data.columns]]
    return data


def table_view(frame: pd.DataFrame, *, hide: Sequence[str] = (), nowrap: bool | Sequence[str] = False,
               wide: Sequence[str] = (), percent: tuple[str, ...] | None = None,
               names: Mapping[str, str] | None = None, show: Sequence[str] | None = None) -> Any:
    """``helpers.report.styled`` of ``display_frame`` in the run's language: columns left out (``hide``) or
    chosen (``show``), cells kept on one line (``nowrap``: every column, or the named ones) and long text
    columns given room (``wide``)."""
    shown = display_frame(frame.drop(columns=[c for c in hide if c in frame.columns]), names, show)
    style = styled(shown, percent=percent, labels=TABLE_LABELS)
    if nowrap is True:
        style = style.set_properties(**_NOWRAP)
    elif nowrap:
        style = style.set_properties(subset=[c for c in nowrap if c in shown.columns], **_NOWRAP)
    if wide:
        style = style.set_properties(subset=[c for c in wide if c in shown.columns], **_WIDE)
    return style


def table_views(*frames: pd.DataFrame, names: Mapping[str, str] | None = None) -> list[Any]:
    """One ``table_view`` per non-empty table: display(*table_views(a, b)) shows nothing for an empty one."""
    return [table_view(f, names=names) for f in frames if len(f)]


#: The columns of each table the report shows (the CSV keeps them all).
VIEWS: dict[str, tuple[str, ...]] = {
    "roster": ("account_id", "role", "posts_in_window"),
    "share_of_voice": ("account_id", "posts", "posts_share", "engagements", "engagement_share", "views_share"),
    "mix_format": ("account_id", "format", "posts", "share_of_account_posts", "engagements_mean", "er_mean_of_rates",
                   "er_ci_low", "er_ci_high"),
    "mix_pillar": ("account_id", "pillar", "posts", "share_of_account_posts", "engagements_mean", "er_mean_of_rates",
                   "er_ci_low", "er_ci_high"),
    "lift": ("pillar", "n_with", "n_without", "lift", "lift_ci_low", "lift_ci_high", "p_value", "reliable", "note"),
    "topics": ("account_id", "topic", "posts", "share_of_account_posts", "er_mean_of_rates"),
    "slots": ("rank", "label", "field_posts", "field_accounts", "field_share", "own_posts", "own_share",
              "difference"),
    "thresholds": ("account_id", "posts", "median", "threshold", "hits", "hit_share", "note"),
    "hits": ("account_id", "published_at", "format", "pillar", "title", "value", "times_median"),
    "traits": ("trait", "value", "hits", "hit_share", "posts", "post_share", "lift", "q_value"),
    "ranked": ("rank", "dimension", "category", "kind", "field_share", "own_share", "field_index", "own_index",
               "reason", "note"),
    "topic_gaps": ("rank", "category", "field_share", "own_share", "field_index", "reason"),
    "strengths": ("account_id", "strengths", "weaknesses"),
}


def view(frame: pd.DataFrame, kind: str, names: Mapping[str, str] | None = None) -> Any:
    """The report's view of one of the notebook's tables (``VIEWS[kind]`` columns, accounts by name)."""
    percent = ("field_share", "own_share") if kind == "slots" else None
    labels_of = {"traits": {"hit_share": N_("Share of hits"), "value": N_("Value")}}
    shown = display_frame(frame, names, VIEWS[kind])
    style = styled(shown, percent=percent, labels={**TABLE_LABELS, **labels_of.get(kind, {})})
    text = [c for c in ("reason", "note", "strengths", "weaknesses", "title") if c in shown.columns]
    if text:
        style = style.set_properties(subset=text, **{"min-width": "14em", "text-align": "left"})
    short = [c for c in ("account_id", "rank", "dimension", "category", "kind", "label", "format", "pillar",
                         "published_at", "trait", "value") if c in shown.columns and c not in text]
    return style.set_properties(subset=short, **_NOWRAP) if short else style
