"""Shared by the KOL vetting tests: the notebook's default parameters and every analysis step on a run."""

from __future__ import annotations

from typing import Any

from helpers import config, runner
from helpers.kol import analysis, session


def notebook_defaults() -> dict[str, Any]:
    """The defaults of the notebook's parameters cell (what a run without -p uses), in English."""
    values = runner.default_values(config.NOTEBOOKS / "kol_evaluation.ipynb")
    values.pop("output_dir")
    return {**values, "lang": "en"}


def all_steps(run: session.KolRun) -> dict[str, Any]:
    """Every step of the notebook on a run, in its order, by the names the notebook gives the results."""
    coverage = analysis.coverage(run)
    fake = analysis.authenticity(run)
    rates = analysis.interaction(run, fake)
    fit = analysis.audience_fit(run)
    spend = analysis.cost(run)
    ranked = analysis.shortlist(run, fake, rates, fit, spend)
    booked = analysis.after_campaign(run, spend)
    return dict(run=run, coverage=coverage, fake=fake, rates=rates, fit=fit, spend=spend, ranked=ranked,
                booked=booked)
