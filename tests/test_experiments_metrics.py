"""helpers.experiments.metrics: sufficient statistics match direct numpy computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.errors import DataError, ParameterError
from helpers.experiments.metrics import MetricSpec, variant_stats


@pytest.fixture
def units() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 500
    return pd.DataFrame({"variant": rng.choice(["A", "B"], n), "conversions": rng.integers(0, 2, n),
                         "revenue": rng.gamma(2.0, 30.0, n), "clicks": rng.poisson(2, n),
                         "exposures": rng.poisson(10, n) + 1})


def test_mean_metric_sums_and_variance_match_numpy(units: pd.DataFrame) -> None:
    stats = variant_stats(units, MetricSpec("rpu", "mean", "revenue"))
    for v in ("A", "B"):
        x = units.loc[units["variant"] == v, "revenue"].to_numpy()
        assert stats[v].n == len(x)
        assert stats[v].mean_x == pytest.approx(x.mean())
        assert stats[v].var_x == pytest.approx(x.var(ddof=1))


def test_ratio_metric_keeps_cross_sums(units: pd.DataFrame) -> None:
    stats = variant_stats(units, MetricSpec("ctr", "ratio", "clicks", "exposures"))
    a = units[units["variant"] == "A"]
    assert stats["A"].ratio == pytest.approx(a["clicks"].sum() / a["exposures"].sum())
    assert stats["A"].sum_xy == pytest.approx((a["clicks"] * a["exposures"]).sum())
    assert stats["A"].sum_y2 == pytest.approx((a["exposures"] ** 2).sum())


def test_binary_rate_by_hand() -> None:
    frame = pd.DataFrame({"variant": ["A", "A", "A", "B"], "c": [1, 0, 1, 0]})
    stats = variant_stats(frame, MetricSpec("cvr", "binary", "c"))
    assert (stats["A"].n, stats["A"].sum_x, stats["A"].mean_x) == (3, 2.0, pytest.approx(2 / 3))


def test_bad_metric_input_is_explained(units: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="missing required column"):
        variant_stats(units, MetricSpec("x", "mean", "nope"))
    with pytest.raises(DataError, match="binary metric takes 0 or 1"):
        variant_stats(units, MetricSpec("clicks", "binary", "clicks"))
    with pytest.raises(ParameterError, match="needs a denominator"):
        MetricSpec("ctr", "ratio", "clicks")
    gap = units.astype({"revenue": "float64"})
    gap.loc[3, "revenue"] = np.nan
    with pytest.raises(DataError, match=r"1 missing value\(s\), first at line\(s\) \[5\]"):
        variant_stats(gap, MetricSpec("rpu", "mean", "revenue"))


def test_parse_metric_definitions() -> None:
    from helpers.experiments.metrics import parse_metrics

    specs = parse_metrics({"cvr": "binary:conversions", "ctr": "ratio:clicks/exposures", "rpu": "mean:revenue"})
    assert [(s.kind, s.column, s.denominator) for s in specs] == [
        ("binary", "conversions", None), ("ratio", "clicks", "exposures"), ("mean", "revenue", None)]
    with pytest.raises(ParameterError, match="ratio:<numerator>/<denominator>"):
        parse_metrics({"ctr": "ratio:clicks"})
    with pytest.raises(ParameterError, match="kind must be binary, mean or ratio"):
        parse_metrics({"x": "median:revenue"})


def test_aggregates_give_the_same_statistics_as_units(units: pd.DataFrame) -> None:
    from helpers.experiments.metrics import stats_from_aggregates

    per_unit = units.assign(x2=units["revenue"] ** 2, c2=units["clicks"] ** 2, e2=units["exposures"] ** 2,
                            ce=units["clicks"] * units["exposures"])
    totals = per_unit.groupby("variant").agg(
        units=("revenue", "size"), rpu_sum=("revenue", "sum"), rpu_sum_sq=("x2", "sum"),
        cvr_sum=("conversions", "sum"), ctr_num_sum=("clicks", "sum"), ctr_num_sum_sq=("c2", "sum"),
        ctr_den_sum=("exposures", "sum"), ctr_den_sum_sq=("e2", "sum"), ctr_cross_sum=("ce", "sum"),
    ).reset_index()
    for spec in (MetricSpec("rpu", "mean", "revenue"), MetricSpec("cvr", "binary", "conversions"),
                 MetricSpec("ctr", "ratio", "clicks", "exposures")):
        a, b = stats_from_aggregates(totals, spec), variant_stats(units, spec)
        for v in ("A", "B"):
            assert a[v].n == b[v].n
            assert a[v].sum_x == pytest.approx(b[v].sum_x) and a[v].sum_x2 == pytest.approx(b[v].sum_x2)
            if spec.kind == "ratio":
                assert a[v].sum_xy == pytest.approx(b[v].sum_xy)
    bad = totals.assign(cvr_sum=totals["units"] + 1)
    with pytest.raises(DataError, match="exceeds units"):
        stats_from_aggregates(bad, MetricSpec("cvr", "binary", "conversions"))
