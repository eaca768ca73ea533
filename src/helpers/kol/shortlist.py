"""The shortlist: each KOL's screens side by side, a decision with its reasons, a score, and how the ranking
depends on the score's weights.

Method. Four screens from the methodology (METHODOLOGY 7), each against a stated threshold:

- authenticity: the estimated fake-follower share must not be above ``fake`` (default 30 %);
- real interaction rate: must be above ``interaction`` (default 5 %, strictly: 5.0 % does not pass);
- audience fit: the fit score (1 − total variation distance, weighted over dimensions) at least ``min_fit``;
- cost: the expected CPA at most ``cpa_ratio_max`` × the feed-ad CPA of the KOL's platform.

The decision uses the point estimates: **reject** when authenticity, interaction or fit fails (no price
fixes a bought audience, a dead one or the wrong one); **negotiate** when only the cost fails (the report
gives the price at which the expected CPA meets the bar) or when a screen cannot be made or is borderline
(its interval crosses the threshold: ask for the follower data or a performance guarantee); **accept**
when every screen passes. Each reason is a code with its figures, which the findings put in words.

The score ranks KOLs within a decision: a weighted mean of four parts in [0, 1] (fit; interaction rate ÷
twice the threshold, capped at 1; 1 − fake share; cost = feed CPA ÷ KOL CPA ÷ 2, capped at 1, so parity
scores 0.5), the weights renormalised over the parts a KOL has. Weights are a judgement, so the ranking's
sensitivity is shown: the weights are drawn from a Dirichlet around the chosen ones and each KOL's rank
range over the draws is reported.

Pitfalls. A missing screen is not a pass: a KOL without follower data is "negotiate: ask for data", never
accepted on a missing number. The score never overrides a decision: a rejected KOL with a high score stays
below every accepted one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DECISIONS",
    "REASONS",
    "Thresholds",
    "decide",
    "rank_sensitivity",
    "score",
    "screen_table",
    "shortlist",
]

#: Decisions in the shortlist's order.
DECISIONS: tuple[str, ...] = ("accept", "negotiate", "reject")
#: Reason code → the decision it leads to (the worst reason decides).
REASONS: dict[str, str] = {
    "fake_above": "reject", "rate_below": "reject", "fit_below": "reject",
    "cpa_above": "negotiate", "no_price": "negotiate", "no_cost_basis": "negotiate",
    "fake_unknown": "negotiate", "rate_unknown": "negotiate", "fit_unknown": "negotiate",
    "fake_borderline": "negotiate",
    "fake_ok": "accept", "rate_ok": "accept", "fit_ok": "accept", "cpa_ok": "accept",
}
SCREEN_COLUMNS: tuple[str, ...] = ("fake_share", "fake_low", "fake_high", "rate", "rate_low", "rate_high", "fit",
                                   "cpa", "feed_cpa", "cpa_ratio", "break_even_price", "price")


@dataclass(frozen=True)
class Thresholds:
    """The screens' bars."""

    fake: float = 0.30
    interaction: float = 0.05
    min_fit: float = 0.7
    cpa_ratio_max: float = 1.0


def _pick(frame: pd.DataFrame | None, columns: Mapping[str, str]) -> pd.DataFrame:
    """Some columns of a per-KOL frame, renamed, indexed by kol_id (empty when the frame is None)."""
    if frame is None or frame.empty:
        return pd.DataFrame(columns=list(columns.values()), index=pd.Index([], name="kol_id"))
    present = {k: v for k, v in columns.items() if k in frame.columns}
    return frame.set_index("kol_id")[list(present)].rename(columns=present)


def screen_table(kols: pd.DataFrame, fake: pd.DataFrame | None, rate: pd.DataFrame | None,
                 fit: pd.DataFrame | None, cost: pd.DataFrame | None) -> pd.DataFrame:
    """One row per KOL with every screen's figure (missing where a screen could not be made)."""
    base = kols.set_index("kol_id")[["platform", "name", "category", "followers"]]
    parts = [
        _pick(fake, {"share": "fake_share", "low": "fake_low", "high": "fake_high", "basis": "fake_basis"}),
        _pick(rate, {"rate": "rate", "low": "rate_low", "high": "rate_high", "n_posts": "n_posts"}),
        _pick(fit, {"fit": "fit"}),
        _pick(cost, {"price": "price", "cpa": "cpa", "feed_cpa": "feed_cpa", "cpa_ratio": "cpa_ratio",
                     "break_even_price": "break_even_price", "cpe": "cpe", "p_cheaper": "p_cheaper"}),
    ]
    table = base.join(parts, how="left")
    for column in SCREEN_COLUMNS:
        if column not in table:
            table[column] = np.nan
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
    if "price" in kols:  # the quote is known even when no CPA could be computed
        table["price"] = table["price"].fillna(kols.set_index("kol_id")["price"].astype(float))
    return table.reset_index()


def _reasons(row: pd.Series, bars: Thresholds) -> list[str]:
    """The reason codes of one KOL, one per screen."""
    codes: list[str] = []
    share, high = row["fake_share"], row["fake_high"]
    if np.isnan(share):
        codes.append("fake_unknown")
    elif share > bars.fake:
        codes.append("fake_above")
    elif not np.isnan(high) and high > bars.fake:
        codes.append("fake_borderline")
    else:
        codes.append("fake_ok")
    rate = row["rate"]
    codes.append("rate_unknown" if np.isnan(rate) else "rate_below" if rate <= bars.interaction else "rate_ok")
    fit = row["fit"]
    codes.append("fit_unknown" if np.isnan(fit) else "fit_below" if fit < bars.min_fit else "fit_ok")
    if np.isnan(row["price"]):
        codes.append("no_price")
    elif np.isnan(row["cpa_ratio"]):
        codes.append("no_cost_basis")
    else:
        codes.append("cpa_above" if row["cpa_ratio"] > bars.cpa_ratio_max else "cpa_ok")
    return codes


def decide(screens: pd.DataFrame, bars: Thresholds) -> pd.DataFrame:
    """Each KOL's decision (the worst of its reasons) and reason codes (";"-joined, worst first)."""
    order = {d: i for i, d in enumerate(DECISIONS)}
    decisions, reasons = [], []
    for _i, row in screens.iterrows():
        codes = sorted(_reasons(row, bars), key=lambda c: -order[REASONS[c]])
        decisions.append(REASONS[codes[0]])
        reasons.append(";".join(c for c in codes if REASONS[c] != "accept") or "all_pass")
    return screens.assign(decision=decisions, reasons=reasons)


def _parts(screens: pd.DataFrame, bars: Thresholds) -> pd.DataFrame:
    """The score's four parts in [0, 1] (missing where the screen is missing)."""
    return pd.DataFrame({
        "fit": screens["fit"].clip(0, 1),
        "interaction": (screens["rate"] / (2 * bars.interaction)).clip(0, 1) if bars.interaction > 0
        else screens["rate"].notna().astype(float),
        "authenticity": (1 - screens["fake_share"]).clip(0, 1),
        "cost": (1 / screens["cpa_ratio"] / 2).clip(0, 1),
    }, index=screens.index)


def _weighted(parts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted means of the parts (rows) under each weight vector (rows of weights), over the parts present."""
    present = ~np.isnan(parts)
    values = np.where(present, parts, 0.0)
    num = values @ weights.T
    den = present.astype(float) @ weights.T
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def score(screens: pd.DataFrame, weights: Mapping[str, float], bars: Thresholds) -> pd.DataFrame:
    """The screens with the score's parts (part_*) and the weighted score."""
    parts = _parts(screens, bars)
    w = np.array([[float(weights.get(p, 0.0)) for p in parts.columns]])
    scored = _weighted(parts.to_numpy(dtype=float), w)[:, 0]
    return screens.assign(**{f"part_{p}": parts[p] for p in parts.columns}, score=scored)


def _ranks(decision_order: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Ranks (1 = best) by decision first, then score (missing last), ties by position; one column per draw."""
    n, m = scores.shape
    ranks = np.empty((n, m), dtype=int)
    for j in range(m):
        key = np.lexsort((np.arange(n), -np.nan_to_num(scores[:, j], nan=-np.inf), decision_order))
        ranks[key, j] = np.arange(1, n + 1)
    return ranks


def shortlist(screens: pd.DataFrame, weights: Mapping[str, float], bars: Thresholds) -> pd.DataFrame:
    """Decided, scored and ranked KOLs: accepted first, then to negotiate, then rejected; by score within."""
    table = score(decide(screens, bars), weights, bars)
    order = table["decision"].map({d: i for i, d in enumerate(DECISIONS)}).to_numpy()
    table["rank"] = _ranks(order, table[["score"]].to_numpy(dtype=float))[:, 0]
    return table.sort_values("rank").reset_index(drop=True)


def rank_sensitivity(ranked: pd.DataFrame, weights: Mapping[str, float], bars: Thresholds, *, n_draws: int = 1000,
                     concentration: float = 10.0, seed: int = 0) -> pd.DataFrame:
    """Each KOL's rank range (5th–95th percentile) when the weights are drawn from a Dirichlet around the chosen
    ones (concentration × the normalised weights), and how often it keeps its rank."""
    names = ["fit", "interaction", "authenticity", "cost"]
    w = np.array([float(weights.get(p, 0.0)) for p in names])
    alpha = np.where(w > 0, concentration * w / w.sum(), 0.0)
    rng = np.random.default_rng(seed)
    draws = np.zeros((n_draws, len(names)))
    draws[:, alpha > 0] = rng.dirichlet(alpha[alpha > 0], size=n_draws)
    parts = ranked[[f"part_{p}" for p in names]].to_numpy(dtype=float)
    order = ranked["decision"].map({d: i for i, d in enumerate(DECISIONS)}).to_numpy()
    ranks = _ranks(order, _weighted(parts, draws))
    return pd.DataFrame({
        "kol_id": ranked["kol_id"], "rank": ranked["rank"],
        "rank_low": np.percentile(ranks, 5, axis=1, method="lower").astype(int),
        "rank_high": np.percentile(ranks, 95, axis=1, method="higher").astype(int),
        "p_same_rank": (ranks == ranked["rank"].to_numpy()[:, None]).mean(axis=1)})
