"""What the account plan says: sentences, display tables, the first screen, summary.json and the CSV tables.

Every sentence is built here from the analysis' results, in the run's language; the notebook only
prints or displays what these functions return. Numbers are formatted as the suite formats them:
counts grouped (万 in zh-CN), money without a currency sign, rates as percentages, chances as
percentages with no false precision.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers import i18n, page
from helpers.account_plan.analysis import NO_BUDGET, Accuracy, Spend, brand_forecast
from helpers.account_plan.budget import curves_table
from helpers.account_plan.forecast import KpiForecast, forecast_table
from helpers.account_plan.session import KPI_LABELS, PlanRun, stage_lead
from helpers.account_plan.targets import Plan, merge_targets
from helpers.i18n import N_, _
from helpers.report import styled

__all__ = [
    "ANCHORS",
    "backtest_line",
    "backtest_view",
    "budget_line",
    "budget_view",
    "curves_view",
    "executive_summary",
    "fmt_kpi",
    "forecast_view",
    "history_line",
    "peak_line",
    "quarters_view",
    "saturation_line",
    "setup_text",
    "stage_line",
    "stage_view",
    "summary",
    "tables",
    "targets_line",
    "targets_view",
    "totals_view",
    "written_line",
]

ANCHORS: dict[str, str] = {k: f"#{k}" for k in ("history", "backtest", "forecast", "targets", "cascade", "budget")}
LEVEL_NAMES: dict[str, str] = {"baseline": N_("baseline"), "stretch": N_("stretch"), "growth": N_("growth goal"),
                               "committed": N_("committed target")}
METHOD_NAMES: dict[str, str] = {"model": N_("model"), "seasonal naive": N_("seasonal-naive baseline")}
STAGE_NAMES: dict[str, str] = {"1-3": N_("months 1–3: audience base"), "4-6": N_("months 4–6: deep engagement"),
                               "7-12": N_("months 7–12: commercial conversion")}
SHAPE_NAMES: dict[str, str] = {"saturating": N_("diminishing returns"), "constant": N_("constant returns")}
_MONEY = ("revenue",)
_RATE = ("engagement_rate",)
_LOW_CHANCE = 0.10


def kpi_name(kpi: str) -> str:
    """A KPI's name in the run's language."""
    return i18n.gettext(KPI_LABELS.get(kpi, kpi))


def fmt_kpi(kpi: str, value: float | None) -> str:
    """A KPI value as the suite writes it: money, a rate in %, or a count."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return i18n.MISSING
    if kpi in _MONEY:
        return i18n.fmt_money(value)
    if kpi in _RATE:
        return i18n.fmt_percent(value, 2)
    return i18n.fmt_count(round(float(value)))


def _name(run: PlanRun, account_id: str) -> str:
    """An account's display name."""
    return run.names.get(account_id, account_id)


def _chance(p: float) -> str:
    """A chance as a whole percentage ('< 1 %' and '> 99 %' at the ends)."""
    return i18n.fmt_probability(p, 0)


# ---------------------------------------------------------------- 1. history

def history_line(actuals: pd.DataFrame, run: PlanRun) -> str:
    """Which complete months the plan starts from, and which year it plans (a re-plan says what it keeps)."""
    months = sorted(actuals["month"].astype(str).unique())
    text = _("History: {n} complete months, {first} to {last}, for {accounts}. Plan year {year}.").format(
        n=len(months), first=months[0] if months else i18n.MISSING, last=run.as_of,
        accounts=i18n.listed(_name(run, a) for a in run.account_ids), year=run.plan_year)
    if run.replan:
        closed = int(run.as_of[5:])
        text = i18n.sentences(text, _("A mid-year re-plan: {closed} months of {year} keep their actuals; the rest of "
                                      "each target is spread over the {left} months left.").format(
            closed=closed, year=run.plan_year, left=12 - closed))
    return text


# ---------------------------------------------------------------- 2. backtest

def backtest_view(accuracy: Accuracy, run: PlanRun) -> Any:
    """The backtest table: both methods' MASE and sMAPE per account × KPI, and the method the plan uses."""
    frame = accuracy.choice.copy()
    frame["account_id"] = [_name(run, str(a)) for a in frame["account_id"]]
    frame["kpi"] = [kpi_name(str(k)) for k in frame["kpi"]]
    frame["method"] = [i18n.gettext(METHOD_NAMES.get(str(m), str(m))) for m in frame["method"]]
    frame["reason"] = [i18n.gettext(str(r)) for r in frame["reason"]]
    columns = ["account_id", "kpi", "model_mase", "baseline_mase", "model_smape", "baseline_smape",
               "model_coverage", "n_pairs", "method", "reason"]
    labels = {"model_mase": _("Model MASE"), "baseline_mase": _("Baseline MASE"), "model_smape": _("Model sMAPE (%)"),
              "baseline_smape": _("Baseline sMAPE (%)"), "n_pairs": _("Forecasts compared"),
              "model_coverage": _("Model: actuals inside the 80 % interval"),
              "method": _("Method used"), "reason": _("Why")}
    present = [c for c in columns if c in frame]
    style = styled(frame[present], percent=(), labels=labels)
    mase = [c for c in ("model_mase", "baseline_mase") if c in present]
    smape = [c for c in ("model_smape", "baseline_smape") if c in present]
    return (style.format(lambda v: i18n.fmt_number(v, 2), subset=mase, na_rep=i18n.MISSING)
            .format(lambda v: i18n.fmt_number(v, 1), subset=smape, na_rep=i18n.MISSING)
            .format(lambda v: i18n.fmt_percent(v, 0), subset=["model_coverage"], na_rep=i18n.MISSING))


def backtest_line(accuracy: Accuracy, run: PlanRun) -> str:
    """How often the model beat the baseline, and which KPIs the plan takes from the baseline."""
    choice = accuracy.choice
    compared = choice.dropna(subset=["model_mase", "baseline_mase"])
    wins = int((compared["model_mase"] < compared["baseline_mase"]).sum())
    text = _("The model beats the seasonal-naive baseline on {wins} of {n} account × KPI forecasts "
             "(median MASE {model} vs {baseline}).").format(
        wins=wins, n=len(compared), model=i18n.fmt_number(float(compared["model_mase"].median()), 2)
        if len(compared) else i18n.MISSING,
        baseline=i18n.fmt_number(float(compared["baseline_mase"].median()), 2) if len(compared) else i18n.MISSING)
    covered = accuracy.coverage("model")
    if not math.isnan(covered):
        text = i18n.sentences(text, _("Its 80 % intervals held {share} of the backtested months (80 % if they were "
                                      "calibrated).").format(share=i18n.fmt_percent(covered, 0)))
        used = accuracy.scale[accuracy.scale["method"] == "model"]
        if len(used) and (used["factor"] != 1.0).any():
            text = i18n.sentences(text, _("The plan rescales each KPI's intervals by what the backtest needed "
                                          "(×{low} to ×{high}; above 1 widens) so the chances in section 4 are "
                                          "neither too confident nor too timid.").format(
                low=i18n.fmt_number(float(used["factor"].min()), 2),
                high=i18n.fmt_number(float(used["factor"].max()), 2)))
    naive = choice[choice["method"] == "seasonal naive"]
    if len(naive):
        text = i18n.sentences(text, _("The plan uses the baseline for {items}.").format(
            items=i18n.listed(_("{account} {kpi}").format(account=_name(run, str(a)), kpi=kpi_name(str(k)))
                              for a, k in zip(naive["account_id"], naive["kpi"], strict=True))))
    return text


# ---------------------------------------------------------------- 3. forecast

def forecast_view(table: pd.DataFrame, run: PlanRun) -> Any:
    """The plan year's brand forecast per KPI: annual median and 80 % interval, and the peak month."""
    year = table[table["month"].astype(str).str.startswith(str(run.plan_year))]
    rows = []
    for kpi, group in year.groupby("kpi", sort=False):
        peak = group.loc[group["p50"].idxmax()]
        rows.append({"kpi": kpi_name(str(kpi)), "first": fmt_kpi(str(kpi), float(group["p50"].iloc[0])),
                     "peak_month": str(peak["month"]), "peak": fmt_kpi(str(kpi), float(peak["p50"])),
                     "low_month": str(group.loc[group["p50"].idxmin(), "month"])})
    labels = {"first": _("First month (median)"), "peak_month": _("Peak month"), "peak": _("Peak (median)"),
              "low_month": _("Lowest month")}
    return styled(pd.DataFrame(rows), labels=labels)


def peak_line(forecasts: Mapping[tuple[str, str], KpiForecast], run: PlanRun) -> str:
    """The month each account's revenue forecast peaks in the plan year (the seasonal shape the cascade follows)."""
    peaks = []
    for account_id in run.account_ids:
        fc = forecasts.get((account_id, "revenue"))
        if fc is None:
            continue
        months = [m for m in fc.months if m.startswith(str(run.plan_year))]
        medians = fc.quantile(0.5)[[fc.months.index(m) for m in months]]
        peaks.append(f"{_name(run, account_id)} {months[int(np.argmax(medians))]}")
    if not peaks:
        return _("No revenue forecast: the accounts do not report revenue.")
    return _("Revenue forecast peaks in: {peaks}.").format(peaks=i18n.listed(peaks))


# ---------------------------------------------------------------- 4. targets

def _level_text(row: pd.Series) -> str:
    """'stretch (75th percentile)'-style name of the level written for a row."""
    return i18n.gettext(LEVEL_NAMES[str(row["level"])])


def targets_view(plan: Plan, run: PlanRun) -> Any:
    """Annual targets per account × KPI at each level, with the chance of reaching each and the level written."""
    rows = []
    for _i, r in plan.annual.iterrows():
        kpi = str(r["kpi"])
        rows.append({"account_id": _name(run, str(r["account_id"])), "kpi": kpi_name(kpi),
                     "reference": fmt_kpi(kpi, r["reference"]), "baseline": fmt_kpi(kpi, r["baseline"]),
                     "stretch": fmt_kpi(kpi, r["stretch"]), "p_stretch": _chance(r["p_stretch"]),
                     "growth": fmt_kpi(kpi, r["growth"]), "p_growth": _chance(r["p_growth"]),
                     "written": _level_text(r), "target": fmt_kpi(kpi, r["target"])})
    labels = {"reference": _("{year} (actual + forecast)").format(year=run.plan_year - 1),
              "baseline": _("Baseline (median)"),
              "stretch": _("Stretch"), "p_stretch": _("Chance of stretch"), "growth": _("Growth goal"),
              "p_growth": _("Chance of growth goal"), "written": _("Level written"), "target": _("Target written")}
    return styled(pd.DataFrame(rows), labels=labels)


def totals_view(totals: pd.DataFrame, run: PlanRun) -> Any:
    """The brand's annual targets (Σ accounts) with the median forecast and the chance of reaching them."""
    frame = pd.DataFrame({"kpi": [kpi_name(str(k)) for k in totals["kpi"]],
                          "target": [fmt_kpi(str(k), v) for k, v in zip(totals["kpi"], totals["target"], strict=True)],
                          "forecast_p50": [fmt_kpi(str(k), v) for k, v in
                                           zip(totals["kpi"], totals["forecast_p50"], strict=True)],
                          "probability": [_chance(p) for p in totals["probability"]]})
    return styled(frame, labels={"forecast_p50": _("Median forecast"), "probability": _("Chance of reaching")})


def targets_line(plan: Plan, totals: pd.DataFrame, run: PlanRun) -> str:
    """The brand's revenue target and its chance, and the targets the forecast gives less than a 10 % chance."""
    parts = []
    revenue = totals[totals["kpi"] == "revenue"]
    if len(revenue):
        r = revenue.iloc[0]
        parts.append(_("Brand revenue target for {year}: {target} (median forecast {p50}); chance of reaching it "
                       "{chance}.").format(year=run.plan_year, target=fmt_kpi("revenue", r["target"]),
                                           p50=fmt_kpi("revenue", r["forecast_p50"]), chance=_chance(r["probability"])))
    low = plan.annual[plan.annual["p_target"] < _LOW_CHANCE]
    if len(low):
        parts.append(_("Out of reach on history alone (chance under 10 %): {items}; give them extra resources or "
                       "lower them.").format(items=i18n.listed(
            f"{_name(run, str(r['account_id']))} {kpi_name(str(r['kpi']))}" for _i, r in low.iterrows())))
    return i18n.sentences(*parts) if parts else _("No target could be set: no KPI has a forecast.")


# ---------------------------------------------------------------- 5. cascade and stages

def quarters_view(plan: Plan, run: PlanRun) -> Any:
    """Quarterly and annual targets per account × KPI (the months are in targets.csv)."""
    rows = plan.cascade[plan.cascade["period_kind"].isin(["quarter", "year"])]
    wide = rows.pivot_table(index=["account_id", "kpi"], columns="period", values="target", sort=False,
                            aggfunc="first")
    out = []
    for (account_id, kpi), values in wide.iterrows():
        out.append({"account_id": _name(run, str(account_id)), "kpi": kpi_name(str(kpi)),
                    **{str(p): fmt_kpi(str(kpi), v) for p, v in values.items()}})
    return styled(pd.DataFrame(out))


def stage_view(stages: pd.DataFrame, run: PlanRun) -> Any:
    """Each stage's lead KPIs: target over the stage, median forecast and the chance of reaching it."""
    frame = pd.DataFrame({
        "stage": [i18n.gettext(STAGE_NAMES[str(s)]) for s in stages["stage"]], "months": stages["months"],
        "account_id": [_name(run, str(a)) for a in stages["account_id"]],
        "kpi": [kpi_name(str(k)) for k in stages["kpi"]],
        "target": [fmt_kpi(str(k), v) for k, v in zip(stages["kpi"], stages["target"], strict=True)],
        "forecast_p50": [fmt_kpi(str(k), v) for k, v in zip(stages["kpi"], stages["forecast_p50"], strict=True)],
        "probability": [_chance(p) for p in stages["probability"]]})
    return styled(frame, labels={"stage": _("Stage"), "months": _("Months"), "forecast_p50": _("Median forecast"),
                                 "probability": _("Chance of reaching")})


def stage_line(stages: pd.DataFrame, run: PlanRun) -> str:
    """Which KPIs lead which stage, and the stage target least likely to be reached."""
    lead = stage_lead(run.settings.stage_kpis)
    by_stage = {s: [kpi_name(k) for k, st in lead.items() if st == s] for s in STAGE_NAMES}
    text = _("Stages: {stages}.").format(stages=i18n.listed(
        _("{stage} ({kpis})").format(stage=i18n.gettext(STAGE_NAMES[s]), kpis=i18n.listed(ks))
        for s, ks in by_stage.items() if ks))
    open_rows = stages.dropna(subset=["probability"])
    if len(open_rows):
        worst = open_rows.loc[open_rows["probability"].idxmin()]
        text = i18n.sentences(text, _("Least likely stage target: {account} {kpi} in {stage}, {chance}.").format(
            account=_name(run, str(worst["account_id"])), kpi=kpi_name(str(worst["kpi"])),
            stage=i18n.gettext(STAGE_NAMES[str(worst["stage"])]), chance=_chance(worst["probability"])))
    return text


# ---------------------------------------------------------------- appendix

def setup_text(run: PlanRun) -> str:
    """This run's set-up: accounts, actuals, plan year, ambition, budget settings and the data folder."""
    goals = run.settings.growth_goals
    quantile = run.settings.stretch_quantile if run.settings.ambition == "stretch" else 0.5
    return _("Accounts: {accounts}. Actuals to {as_of}; plan year {year}. Targets written at: {level} "
             "({quantile} quantile of the forecast){goals}. Budget for {month}: {budget}; reserve {reserve}, test "
             "slice {test}, stop-loss {stop}. Data: {folder}.").format(
        accounts=i18n.listed(_name(run, a) for a in run.account_ids), as_of=run.as_of, year=run.plan_year,
        level=i18n.gettext(LEVEL_NAMES[run.settings.ambition]),
        quantile=i18n.fmt_number(quantile, 2),
        goals=_("; growth goals {goals}").format(goals=i18n.listed(
            f"{kpi_name(k)} {i18n.fmt_change(v, 0)}" for k, v in goals.items())) if goals else "",
        month=run.budget_month,
        budget=i18n.fmt_money(run.settings.budget) if run.settings.budget else _("last month's spend"),
        reserve=i18n.fmt_percent(run.settings.reserve_share, 0), test=i18n.fmt_percent(run.settings.test_share, 0),
        stop=f"{run.settings.roas_stop_loss:g}:1", folder=run.settings.data_dir.name)


def written_line(tables_written: Sequence[str], figures: Sequence[str]) -> str:
    """What the run wrote, and where the targets for the period review are."""
    return _("Written: summary.json, {tables} tables (targets.csv is the full targets file for the period review) "
             "and {figures} figures.").format(tables=len(tables_written), figures=len(figures))


# ---------------------------------------------------------------- 6. budget

def _unit_name(unit: str) -> str:
    """A campaign or channel as the data names it."""
    return unit


def curves_view(spend: Spend | None, run: PlanRun) -> Any:
    """The fitted response curves: shape, parameters, spend variation, and why a curve was not used."""
    if spend is None:
        return _(NO_BUDGET)
    rows = []
    for unit, c in spend.curves.items():
        last = spend.plan.table.set_index("unit")
        daily_last = float(last.at[unit, "last_spend"]) / spend.plan.days if unit in last.index else math.nan
        rows.append({"unit": _unit_name(unit), "channel": c.channel, "shape": i18n.gettext(SHAPE_NAMES[c.shape]),
                     "average_at_last": float(c.average(daily_last)) if daily_last > 0 else math.nan,
                     "marginal_at_last": float(c.marginal(daily_last)) if daily_last > 0 else math.nan,
                     "saturation_spend": c.params[1] if c.shape == "saturating" else math.nan,
                     "n_days": c.n_days, "spend_cv": c.spend_cv, "warning": c.warning})
    labels = {"unit": _("Campaign or channel"), "shape": _("Response"),
              "average_at_last": _("Average return per yuan at last month's pace"),
              "marginal_at_last": _("Marginal return per yuan at last month's pace"),
              "saturation_spend": _("Saturation scale b (daily spend)"), "n_days": _("Days"),
              "spend_cv": _("Spend variation (CV)"), "warning": _("Note")}
    two = ["average_at_last", "marginal_at_last", "spend_cv"]
    return styled(pd.DataFrame(rows), percent=(), labels=labels).format(lambda v: i18n.fmt_number(v, 2),
                                                                         subset=two, na_rep=i18n.MISSING)


def budget_view(spend: Spend | None, run: PlanRun) -> Any:
    """Next month's allocation per unit, then the reserve, the unplaced money and the total."""
    if spend is None:
        return _(NO_BUDGET)
    plan = spend.plan
    t = plan.table
    rows = [{"unit": _unit_name(str(r["unit"])), "role": i18n.gettext(ROLE_NAMES.get(str(r["role"]), str(r["role"]))),
             "last_spend": r["last_spend"], "proposed_spend": r["proposed_spend"], "change": r["change"],
             "expected_return": r["expected_return"], "return_low": r["return_low"], "return_high": r["return_high"],
             "average_roas": r["average_roas"], "marginal_roas": r["marginal_roas"], "warning": r["warning"]}
            for _i, r in t.iterrows()]
    rows.append({"unit": _("flexible reserve"), "proposed_spend": plan.reserve, "warning": ""})
    if plan.unplaced > 0.5:
        rows.append({"unit": _("unplaced (held with the reserve)"), "proposed_spend": plan.unplaced,
                     "warning": plan.unplaced_reason})
    rows.append({"unit": _("total"), "last_spend": float(t["last_spend"].sum()), "proposed_spend": plan.budget,
                 "expected_return": plan.total_expected, "return_low": plan.total_low,
                 "return_high": plan.total_high, "warning": ""})
    labels = {"unit": _("Campaign or channel"), "role": _("Role"), "last_spend": _("Last month's pace"),
              "proposed_spend": _("Proposed"), "change": _("Change"), "expected_return": _("Expected return"),
              "return_low": _("Return, low (10 %)"), "return_high": _("Return, high (90 %)"),
              "average_roas": _("Average ROAS"), "marginal_roas": _("Marginal ROAS"), "warning": _("Note")}
    frame = pd.DataFrame(rows)
    money = ["last_spend", "proposed_spend", "change", "expected_return", "return_low", "return_high"]
    style = styled(frame, percent=(), labels=labels)
    return (style.format(i18n.fmt_money, subset=money, na_rep="")
            .format(lambda v: i18n.fmt_number(v, 2), subset=["average_roas", "marginal_roas"], na_rep=""))


ROLE_NAMES: dict[str, str] = {"optimised": N_("allocated by return"), "hold": N_("held (no curve yet)"),
                              "test": N_("test slice")}


def _move(row: pd.Series) -> str:
    """One unit's move: 'cut X by N' or 'add N to X'."""
    if row["change"] < 0:
        return _("cut {unit} by {amount}").format(unit=row["unit"], amount=i18n.fmt_money(-row["change"]))
    return _("add {amount} to {unit}").format(unit=row["unit"], amount=i18n.fmt_money(row["change"]))


def budget_line(spend: Spend | None, run: PlanRun) -> str:
    """Next month's budget, what is kept back, its expected return with the interval, and every unit's move."""
    if spend is None:
        return _(NO_BUDGET)
    plan = spend.plan
    text = _("Budget for {month}: {budget} ({source}); {reserve} kept flexible, {test} for tests. Expected return "
             "{expected} (80 % interval {low} to {high}).").format(
        month=spend.month, budget=i18n.fmt_money(plan.budget),
        source=_("as given") if spend.budget_given else _("last month's pace"),
        reserve=i18n.fmt_money(plan.reserve), test=i18n.fmt_money(plan.test_slice),
        expected=i18n.fmt_money(plan.total_expected), low=i18n.fmt_money(plan.total_low),
        high=i18n.fmt_money(plan.total_high))
    if plan.unplaced > 0.5:
        text = i18n.sentences(text, _("{amount} is not placed and stays with the reserve: {reason}.").format(
            amount=i18n.fmt_money(plan.unplaced), reason=plan.unplaced_reason))
    moves = plan.table[plan.table["change"].abs() > 0.5].sort_values("change")
    if len(moves):
        text = i18n.sentences(text, _("Moves: {moves}.").format(moves=i18n.listed(_move(r) for _i, r in
                                                                                  moves.iterrows())))
    return text


def saturated_units(spend: Spend, stop_loss: float) -> list[str]:
    """Units whose diminishing curve returns less than the stop-loss per extra yuan at last month's pace."""
    t = spend.plan.table.set_index("unit")
    out = []
    for unit, c in spend.curves.items():
        if c.shape != "saturating" or unit not in t.index or stop_loss <= 0:
            continue
        if float(c.marginal(float(t.at[unit, "last_spend"]) / spend.plan.days)) < stop_loss:
            out.append(unit)
    return out


def saturation_line(spend: Spend | None, run: PlanRun) -> str:
    """Which units are saturated at last month's pace and which have no identified curve (planted in the sample)."""
    if spend is None:
        return _(NO_BUDGET)
    stop = run.settings.roas_stop_loss if spend.outcome == "revenue" else 0.0
    saturated = saturated_units(spend, stop)
    unidentified = [u for u, c in spend.curves.items() if c.warning]
    parts = [_("Saturated (the next yuan returns less than the {stop}:1 stop-loss at last month's pace): "
               "{units}.").format(stop=f"{stop:g}", units=i18n.listed(saturated) if saturated
                                  else _("none"))]
    parts.append(_("No curve identified (average ROAS used): {units}.").format(
        units=i18n.listed(unidentified) if unidentified else _("none")))
    return i18n.sentences(*parts)


# ---------------------------------------------------------------- summary

def first_open_month(run: PlanRun) -> str:
    """The first month of the plan year without actuals (the first one the new targets apply to)."""
    return run.budget_month if run.replan else f"{run.plan_year}-01"


def _title(run: PlanRun) -> str:
    """Report · brand · plan year."""
    return page.report_title(_("Account plan"), page.brand_name([_name(run, a) for a in run.account_ids]),
                             str(run.plan_year))


def _total_tile(totals: pd.DataFrame, kpi: str, label: str) -> page.Tile | None:
    """A brand-total target tile with its median forecast and chance."""
    rows = totals[totals["kpi"] == kpi]
    if rows.empty:
        return None
    r = rows.iloc[0]
    status = "good" if r["probability"] >= 0.5 else "watch" if r["probability"] >= _LOW_CHANCE else "bad"
    lines = [_("median forecast {value}").format(value=fmt_kpi(kpi, r["forecast_p50"])),
             _("chance of reaching {chance}").format(chance=_chance(r["probability"]))]
    if r["reference"] > 0:
        lines.append(_("vs the year before {change}").format(change=i18n.fmt_change(r["target"] / r["reference"] - 1,
                                                                                    0)))
    return page.Tile(label, fmt_kpi(kpi, r["target"]), status, tuple(lines), ANCHORS["targets"])


def _budget_tile(spend: Spend | None) -> page.Tile | None:
    """Next month's expected return on the budget, with its interval."""
    if spend is None:
        return None
    plan = spend.plan
    return page.Tile(_("expected return, {month}").format(month=spend.month), i18n.fmt_money(plan.total_expected),
                     "info", (_("80 % interval {low} to {high}").format(low=i18n.fmt_money(plan.total_low),
                                                                       high=i18n.fmt_money(plan.total_high)),
                              _("budget {budget}").format(budget=i18n.fmt_money(plan.budget))), ANCHORS["budget"])


def executive_summary(run: PlanRun, accuracy: Accuracy, plan: Plan, totals: pd.DataFrame,
                      spend: Spend | None) -> page.Summary:
    """The report's first screen: the plan's revenue target and chance, three tiles, findings and actions."""
    revenue = totals[totals["kpi"] == "revenue"]
    written = plan.annual.loc[plan.annual["kpi"] == "revenue", "level"]
    level = i18n.listed(i18n.gettext(LEVEL_NAMES[str(v)]) for v in dict.fromkeys(written))
    if len(revenue):
        r = revenue.iloc[0]
        verdict = _("Plan {year}: brand revenue target {target} ({level}, {growth} on {before}), {chance} chance of "
                    "reaching it on the forecast.").format(
            year=run.plan_year, target=fmt_kpi("revenue", r["target"]), level=level, before=run.plan_year - 1,
            growth=i18n.fmt_change(r["target"] / r["reference"] - 1 if r["reference"] > 0 else math.nan, 0),
            chance=_chance(r["probability"]))
        status = "good" if r["probability"] >= 0.5 else "watch" if r["probability"] >= _LOW_CHANCE else "bad"
    else:
        verdict, status = targets_line(plan, totals, run), "info"
    tiles = [t for t in (_total_tile(totals, "revenue", _("revenue target {year}").format(year=run.plan_year)),
                         _total_tile(totals, "followers", _("followers at the end of {year}").format(
                             year=run.plan_year)), _budget_tile(spend)) if t is not None]
    lines = [page.Line(backtest_line(accuracy, run), ANCHORS["backtest"]),
             page.Line(targets_line(plan, totals, run), ANCHORS["targets"])]
    actions = [page.Line(_("Give the {year} targets to the period review from {month} on: run it with this plan's "
                           "targets file (the appendix has the command), or copy that file into the data "
                           "folder.").format(month=first_open_month(run), year=run.plan_year), "#appendix")]
    if spend is not None:
        lines.append(page.Line(saturation_line(spend, run), ANCHORS["budget"]))
        moves = spend.plan.table[spend.plan.table["change"].abs() > 0.5].sort_values("change")
        if len(moves):
            actions.append(page.Line(_("Move next month's ad money: {moves}.").format(
                moves=i18n.listed(_move(r) for _i, r in moves.iterrows())), ANCHORS["budget"], "watch"))
        testing = spend.plan.table[spend.plan.table["role"] == "test"]
        if len(testing):
            actions.append(page.Line(_("Test {units} with the test slice ({amount}) before scaling up.").format(
                units=i18n.listed(testing["unit"].astype(str)), amount=i18n.fmt_money(spend.plan.test_slice)),
                ANCHORS["budget"]))
        held = spend.plan.table[spend.plan.table["role"] == "hold"]
        if len(held):
            actions.append(page.Line(_("Vary the daily spend of {units} (the test slice pays for it) so the next "
                                       "plan can tell how it responds.").format(
                units=i18n.listed(held["unit"].astype(str))), ANCHORS["budget"]))
    return page.Summary(title=_title(run), verdict=verdict, verdict_status=status, verdict_href=ANCHORS["targets"],
                        tiles=tuple(tiles), findings=tuple(lines[:5]), actions=tuple(actions[:3]))


# ---------------------------------------------------------------- summary.json and tables

def summary(run: PlanRun, accuracy: Accuracy, forecasts: Mapping[tuple[str, str], KpiForecast], plan: Plan,
            totals: pd.DataFrame, stages: pd.DataFrame, spend: Spend | None) -> dict[str, Any]:
    """summary.json: the label (the plan year), forecasts, backtest accuracy, targets, cascade and the budget plan
    (tables as records; RunOutputs writes them as plain JSON, NaN as null)."""
    out: dict[str, Any] = {
        "label": str(run.plan_year), "title": _title(run), "as_of": run.as_of, "plan_year": run.plan_year,
        "replan": run.replan, "accounts": list(run.account_ids),
        "backtest": accuracy.choice, "interval_calibration": accuracy.scale,
        "forecast": brand_forecast(run, forecasts),
        "targets": plan.annual, "brand_targets": totals,
        "cascade": plan.cascade, "stages": stages}
    if spend is not None:
        p = spend.plan
        out["budget"] = {"month": spend.month, "outcome": spend.outcome, "budget": p.budget, "reserve": p.reserve,
                         "test_slice": p.test_slice, "unplaced": p.unplaced, "unplaced_reason": p.unplaced_reason,
                         "expected_return": p.total_expected, "return_low": p.total_low, "return_high": p.total_high,
                         "units": p.table}
    return out


def tables(run: PlanRun, actuals: pd.DataFrame, accuracy: Accuracy, forecasts: Mapping[tuple[str, str], KpiForecast],
           plan: Plan, totals: pd.DataFrame, stages: pd.DataFrame,
           spend: Spend | None) -> dict[str, pd.DataFrame | None]:
    """The CSV tables; targets.csv is the full targets file (the data folder's rows + this plan's) for the review."""
    return {"history": actuals, "backtest": accuracy.choice, "backtest_accuracy": accuracy.accuracy,
            "backtest_forecasts": accuracy.pairs,
            "interval_calibration": accuracy.scale, "forecast": forecast_table(forecasts),
            "targets_annual": plan.annual, "targets_cascade": plan.cascade, "brand_targets": totals, "stages": stages,
            "proposed_targets": plan.rows(), "targets": merge_targets(run.targets, plan.rows()),
            "response_curves": None if spend is None else curves_table(spend.curves),
            "budget_plan": None if spend is None else spend.plan.table}

