"""After a KOL campaign (投后复盘): did the booked posts deliver, what did they earn, do we rebook?

Method
- Credit (:func:`kol_campaign_credit`): every touch of the ``kol`` channel in ``touchpoints`` is
  relabelled by its campaign (channel ``kol:<campaign>``), so each of our KOL campaigns becomes a
  channel of its own, and the journeys are credited with a multi-touch model of the shared base
  (``helpers.attribution``: linear by default; markov, shapley, first_touch, last_touch). A KOL touch
  without a campaign stays ``kol`` and is no campaign's. Credit is in conversions (fractional) and
  in the conversions' value (revenue).
- Delivery (:func:`campaign_results`): each booked post (``kol_posts.campaign`` set) is compared with
  what the KOL's earlier posts predicted: ``expected_engagements`` of ``helpers.kol.cost`` with
  as_of = the day before the post, so neither the post itself nor anything published on its day
  enters its own prediction. ``predicted`` is the p50 and the 80 % range is p10–p90; delivery is
  "above" (engagements > p90), "below" (< p10) or "within" (the edges included). Where several
  KOLs' predictions are made at once, the panel's sponsored/organic ratio pools the sponsored posts
  found in all their windows.
- ROI = credited revenue ÷ cost (投入产出比, as the glossary's stop-loss 3:1 reads it), CPA = cost ÷
  credited conversions. The cost is the post's ``cost`` (what we paid) or, when missing, the KOL's
  quoted ``price`` (``cost_source`` says which). A campaign booked on several posts has one credit:
  it is split over its posts in proportion to their cost (equally when a cost is unknown), so each
  post shows the campaign's ROI.
- Rebook rule: rebook when ROI ≥ ``stop_loss`` (default 3, the stop-loss line) and delivery is not
  "below"; both edges are inclusive (ROI exactly 3 rebooks, engagements exactly at p10 are within).
  Reason codes (:data:`REASONS`, in order of precedence): roi_unknown (no credit: the campaign is
  not in the touchpoints, or no cost), roi_below_stop_loss, under_delivered, rebook. A post without
  a prediction (no earlier organic post) is judged on ROI alone.

Pitfalls
- A campaign missing from the touchpoints was not tracked: its conversions are unknown (NaN), not 0.
- Attribution credit depends on the model; linear shares each conversion with every touch of the
  journey, so a KOL post that only opened journeys gets less under last touch.
- One post is one draw: "below" means the post fell short of the KOL's own recent range, which a
  single weak topic can cause; read it with the ROI.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from helpers.attribution import build_journeys, first_touch, last_touch, linear, markov, shapley
from helpers.errors import ParameterError, require_columns
from helpers.kol.cost import _check_expected_params, _expected_for_cases, _posts, _prices, _text
from helpers.params import check_day

__all__ = ["CREDIT_MODELS", "DELIVERY", "REASONS", "REBOOK", "campaign_results", "kol_campaign_credit"]

CREDIT_MODELS: tuple[str, ...] = ("linear", "markov", "shapley", "first_touch", "last_touch")
"""Attribution models kol_campaign_credit can use."""
KOL_CHANNEL = "kol"
"""The touchpoints channel of KOL touches."""
CAMPAIGN_PREFIX = "kol:"
"""Prefix of the relabelled channel of a KOL campaign."""
DELIVERY: tuple[str, ...] = ("above", "within", "below")
"""Delivery against the 80 % predicted range (p10–p90)."""
REBOOK = "rebook"
"""Reason code of a post worth booking again."""
REASONS: tuple[str, ...] = ("roi_unknown", "roi_below_stop_loss", "under_delivered", REBOOK)
"""Reason codes of the rebook decision, in order of precedence."""
DateLike = str | date


def _relabelled(touchpoints: pd.DataFrame) -> pd.DataFrame:
    """Touchpoints with each KOL touch's channel set to 'kol:<campaign>' (campaign-less KOL touches stay 'kol')."""
    require_columns(touchpoints, ("journey_id", "occurred_at", "channel"), "touchpoints")
    if "campaign" not in touchpoints.columns:
        return touchpoints
    channel = touchpoints["channel"].astype(str).str.strip()
    campaign = _text(touchpoints["campaign"])
    is_kol = (channel.str.lower() == KOL_CHANNEL) & campaign.notna()
    return touchpoints.assign(channel=channel.where(~is_kol, CAMPAIGN_PREFIX + campaign.astype(str)))


def kol_campaign_credit(
    touchpoints: pd.DataFrame,
    conversions: pd.DataFrame,
    *,
    model: str = "linear",
    start: DateLike | None = None,
    end: DateLike | None = None,
) -> pd.DataFrame:
    """Attribution credit of each of our KOL campaigns: (campaign, conversions, value), most conversions first.

    Journeys end (convert, or last touch) on a day from ``start`` to ``end``. Every campaign seen
    in an attributable journey gets a row (0 when the model gives it nothing).
    """
    if model not in CREDIT_MODELS:
        raise ParameterError(f"model={model!r} is not an attribution model; use one of: {', '.join(CREDIT_MODELS)}.")
    journeys = build_journeys(_relabelled(touchpoints), conversions, start, end)
    if model == "markov":
        credit = markov(journeys).credit
    else:
        credit = {"linear": linear, "shapley": shapley, "first_touch": first_touch, "last_touch": last_touch}[model](
            journeys)
    mine = credit[credit["channel"].astype(str).str.startswith(CAMPAIGN_PREFIX)]
    out = pd.DataFrame({"campaign": mine["channel"].str.slice(len(CAMPAIGN_PREFIX)).to_numpy(),
                        "conversions": mine["conversions"].to_numpy(dtype=float),
                        "value": mine["value"].to_numpy(dtype=float)})
    out = out.sort_values(["conversions", "campaign"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs["model"] = model
    return out


def _check_stop_loss(stop_loss: float) -> None:
    """ParameterError unless stop_loss is a number ≥ 0."""
    if isinstance(stop_loss, bool) or not isinstance(stop_loss, (int, float)) or not np.isfinite(stop_loss) \
            or stop_loss < 0:
        raise ParameterError(f"stop_loss={stop_loss!r} must be an ROI ≥ 0, e.g. 3 (revenue 3 × cost).")


def _costs(booked: pd.DataFrame, kol_posts: pd.DataFrame, kols: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """What each booked post cost (the post's cost, else the KOL's quote) and where it came from."""
    paid = pd.to_numeric(kol_posts.loc[booked.index, "cost"], errors="coerce") if "cost" in kol_posts.columns \
        else pd.Series(np.nan, index=booked.index)
    quote = pd.Series(_prices(kols).to_numpy(dtype=float), index=kols["kol_id"].astype(str).str.strip())
    quote = quote[~quote.index.duplicated()]
    from_quote = booked["kol_id"].map(quote)
    cost = paid.where(paid.notna(), from_quote)
    source = np.where(paid.notna(), "paid", np.where(from_quote.notna(), "quote", "none"))
    return cost.astype(float), pd.Series(source, index=booked.index)


def _split_credit(booked: pd.DataFrame, credit: pd.DataFrame) -> pd.DataFrame:
    """Each post's share of its campaign's credit: by cost, equally when any of the campaign's costs is unknown."""
    require_columns(credit, ("campaign", "conversions", "value"), "credit", "Pass the output of kol_campaign_credit.")
    per = credit.assign(campaign=_text(credit["campaign"])).groupby("campaign")[["conversions", "value"]].sum(
        min_count=1)
    group = booked.groupby("campaign")["cost"]
    total, n, known = group.transform("sum"), group.transform("size"), group.transform("count")
    by_cost = (known == n) & (total > 0)
    weight = np.where(by_cost, booked["cost"] / total.where(total > 0), 1.0 / n)
    share = per.reindex(booked["campaign"])
    return pd.DataFrame({"conversions": share["conversions"].to_numpy() * weight,
                         "revenue": share["value"].to_numpy() * weight}, index=booked.index)


def _delivery(engagements: pd.Series, p10: pd.Series, p90: pd.Series) -> pd.Series:
    """'above' over p90, 'below' under p10, 'within' otherwise (edges within); NaN when either side is unknown."""
    label = np.select([engagements > p90, engagements < p10], ["above", "below"], "within")
    known = engagements.notna() & p10.notna() & p90.notna()
    return pd.Series(label, index=engagements.index, dtype=object).where(known)


def _decision(roi: pd.Series, delivery: pd.Series, stop_loss: float) -> tuple[pd.Series, pd.Series]:
    """Rebook (ROI ≥ stop-loss and delivery not below) and its reason code, by the precedence of REASONS."""
    reason = np.select([roi.isna(), roi < stop_loss, delivery == "below"], list(REASONS[:3]), REBOOK)
    reason_s = pd.Series(reason, index=roi.index, dtype=object)
    return reason_s == REBOOK, reason_s


def campaign_results(
    kol_posts: pd.DataFrame,
    kols: pd.DataFrame,
    credit: pd.DataFrame,
    *,
    as_of: DateLike | None = None,
    stop_loss: float = 3.0,
    recent_days: int = 90,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per booked post: delivery against its prediction, credited conversions and revenue, CPA, ROI and the rebook call.

    Columns: post_id, kol_id, campaign, published_at, cost, cost_source (paid | quote | none),
    engagements, predicted (p50), p10, p90, n_posts, factor_source, delivery (above | within |
    below), conversions, revenue, cpa, roi, rebook, reason (REASONS). ``as_of`` keeps posts
    published on or before it; the rows are in publishing order.
    """
    _check_stop_loss(stop_loss)
    _check_expected_params(recent_days, None, n_boot)
    posts = _posts(kol_posts, kols)
    booked = posts[posts["campaign"].notna()]
    if as_of is not None:
        booked = booked[booked["day"] <= check_day("as_of", as_of)]
    booked = booked.sort_values(["day", "kol_id", "post_id"], kind="stable")
    cases = pd.DataFrame({"kol_id": booked["kol_id"], "as_of": booked["day"] - pd.Timedelta(days=1)},
                         index=booked.index)
    pred = _expected_for_cases(posts, cases, recent_days=recent_days, sponsored_factor=None, n_boot=n_boot,
                               seed=seed)
    cost, cost_source = _costs(booked, kol_posts, kols)
    booked = booked.assign(cost=cost)
    split = _split_credit(booked, credit)
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = split["revenue"] / cost.where(cost > 0)
        cpa = cost / split["conversions"].where(split["conversions"] > 0)
    delivery = _delivery(booked["engagements"], pred["p10"], pred["p90"])
    rebook, reason = _decision(roi, delivery, stop_loss)
    out = pd.DataFrame({
        "post_id": booked["post_id"], "kol_id": booked["kol_id"], "campaign": booked["campaign"],
        "published_at": kol_posts.loc[booked.index, "published_at"], "cost": cost, "cost_source": cost_source,
        "engagements": booked["engagements"], "predicted": pred["p50"], "p10": pred["p10"], "p90": pred["p90"],
        "n_posts": pred["n_posts"], "factor_source": pred["factor_source"], "delivery": delivery,
        "conversions": split["conversions"], "revenue": split["revenue"], "cpa": cpa, "roi": roi,
        "rebook": rebook.astype(bool), "reason": reason,
    })
    out.attrs.update(stop_loss=stop_loss, recent_days=recent_days)
    return out.reset_index(drop=True)
