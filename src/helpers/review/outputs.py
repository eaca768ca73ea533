"""Hand a review section's tables and figures to RunOutputs, and return what the notebook displays, in order.

A notebook cell stays one call: ``display(*outputs.show_tables(out, ads_review.tables()))`` writes
each table to tables/<name>.csv and shows it. A section the data folder cannot feed (None) writes
and shows nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from helpers.report import RunOutputs, styled
from helpers.review import charts, views

if TYPE_CHECKING:

    from helpers.review.ads import AdsReview
    from helpers.review.attribution import AttributionReview
    from helpers.review.risks import RiskReview

def show_tables(out: RunOutputs, tables: Mapping[str, pd.DataFrame]) -> list[Any]:
    """Write each table as tables/<name>.csv and return them styled for display, in order."""
    out.tables_from(tables)
    return [styled(table) for table in tables.values()]


def attribution_views(out: RunOutputs, attribution: AttributionReview | None) -> list[Any]:
    """Write the attribution tables; show the shares per model, their chart and the assist ratios."""
    if attribution is None:
        return []
    out.tables_from(attribution.tables())
    return [views.shares_view(attribution.comparison),
            out.figure("attribution", charts.attribution_chart(attribution.comparison)),
            views.assist_view(attribution.assist)]


def ads_views(out: RunOutputs, ads: AdsReview | None) -> list[Any]:
    """Write the campaign, creative and budget tables; show them labelled, then the ROAS chart with its stop-loss."""
    if ads is None:
        return []
    out.tables_from(ads.tables())
    return [views.campaigns_view(ads.campaigns), views.creatives_view(ads.creatives), views.budget_view(ads.budget),
            out.figure("roas", charts.roas_chart(ads.campaigns, ads.roas_floor))]


def risk_views(out: RunOutputs, risks: RiskReview | None) -> list[Any]:
    """Write the scored register; show the open-risk matrix and the top risks."""
    if risks is None:
        return []
    out.table("risk_register", risks.register)
    return [out.figure("risk_matrix", charts.risk_matrix_chart(risks.matrix)), views.risks_view(risks.top)]
