"""Tests of helpers.attribution (models) and helpers.review.attribution against hand calculations and brute force."""

from __future__ import annotations

import math
from collections import Counter
from itertools import combinations, pairwise

import numpy as np
import pandas as pd
import pytest

from helpers.attribution import (
    MODELS,
    NO_TOUCH,
    MarkovResult,
    assist_ratio,
    build_journeys,
    compare_models,
    first_touch,
    last_touch,
    linear,
    markov,
    reconcile,
    shapley,
)
from helpers.errors import DataError, ParameterError

# ---------------------------------------------------------------------------------------------
# Fixtures and small helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four journeys, rows deliberately out of time order, one touch after its conversion.

    J1: A, B, C  -> converts (value 100)
    J2: B, C     -> converts (value 50); its rows are listed C first
    J3: A, A, B  -> converts (value 30); a later touch C comes after the conversion
    J4: C        -> does not convert
    """
    touchpoints = pd.DataFrame(
        [
            ("J1", "2026-01-01 09:00", "A"),
            ("J1", "2026-01-02 09:00", "B"),
            ("J1", "2026-01-03 09:00", "C"),
            ("J2", "2026-01-05 09:00", "C"),
            ("J2", "2026-01-04 09:00", "B"),
            ("J3", "2026-01-06 09:00", "A"),
            ("J3", "2026-01-07 09:00", "A"),
            ("J3", "2026-01-08 09:00", "B"),
            ("J3", "2026-01-09 09:00", "C"),
            ("J4", "2026-01-10 09:00", "C"),
        ],
        columns=["journey_id", "occurred_at", "channel"],
    )
    conversions = pd.DataFrame(
        [("J1", "2026-01-03 10:00", 100.0), ("J2", "2026-01-05 12:00", 50.0), ("J3", "2026-01-08 20:00", 30.0)],
        columns=["journey_id", "occurred_at", "value"],
    )
    return touchpoints, conversions


def make_journeys(paths: list[tuple[str, ...]], converted: list[bool], values: list[float] | None = None,
                  conversions: list[int] | None = None) -> pd.DataFrame:
    """A journeys frame shaped like build_journeys' output, built directly from paths."""
    n = len(paths)
    conv = conversions if conversions is not None else [int(c) for c in converted]
    return pd.DataFrame(
        {
            "journey_id": [f"J{i}" for i in range(n)],
            "path": pd.Series(paths, dtype=object),
            "converted": converted,
            "conversions": conv,
            "value": values if values is not None else [float(c) * 10 for c in conv],
            "end_at": pd.Timestamp("2026-01-01"),
        }
    )


def credit(table: pd.DataFrame, column: str = "conversions") -> dict[str, float]:
    """A credit table as {channel: number}."""
    return dict(zip(table["channel"], table[column], strict=True))


def random_journeys(seed: int, n: int, channels: str = "ABCD") -> pd.DataFrame:
    """Random journeys with repeats and channel-dependent conversion, some with 2 conversions."""
    rng = np.random.default_rng(seed)
    weights = np.linspace(1, 2, len(channels))
    paths, converted, counts = [], [], []
    for _ in range(n):
        length = rng.integers(1, 6)
        path = tuple(rng.choice(list(channels), size=length, p=weights / weights.sum()))
        p = 0.1 + 0.15 * path.count(channels[-1]) + 0.1 * (path[0] == channels[0])
        conv = bool(rng.random() < min(p, 0.9))
        paths.append(path)
        converted.append(conv)
        counts.append(int(conv) * (2 if rng.random() < 0.1 else 1))
    values = [float(c) * rng.uniform(10, 100) for c in counts]
    return make_journeys(paths, converted, values, counts)


# ---------------------------------------------------------------------------------------------
# build_journeys
# ---------------------------------------------------------------------------------------------


def test_build_journeys_orders_paths_and_cuts_at_conversion(tables):
    j = build_journeys(*tables).set_index("journey_id")
    assert list(j.index) == ["J1", "J2", "J3", "J4"]
    assert j.loc["J1", "path"] == ("A", "B", "C")
    assert j.loc["J2", "path"] == ("B", "C")  # rows were C, B; time order is B (04th) then C (05th)
    assert j.loc["J3", "path"] == ("A", "A", "B")  # C on the 9th is after the conversion on the 8th
    assert j.loc["J4", "path"] == ("C",)
    assert j["converted"].tolist() == [True, True, True, False]
    assert j["conversions"].tolist() == [1, 1, 1, 0]
    assert j["value"].tolist() == [100.0, 50.0, 30.0, 0.0]  # J4: no conversion, value tracked -> 0
    assert j.loc["J3", "end_at"] == pd.Timestamp("2026-01-08 20:00")  # conversion time
    assert j.loc["J4", "end_at"] == pd.Timestamp("2026-01-10 09:00")  # last touch


def test_touch_at_conversion_time_counts_and_several_conversions_are_counted():
    touchpoints = pd.DataFrame(
        {"journey_id": ["K", "K", "K", "K"],
         "occurred_at": ["2026-03-01 10:00", "2026-03-02 10:00", "2026-03-03 10:00", "2026-03-04 10:00"],
         "channel": ["A", "B", "C", "D"]}
    )
    conversions = pd.DataFrame(
        {"journey_id": ["K", "K"], "occurred_at": ["2026-03-01 12:00", "2026-03-03 10:00"], "value": [10.0, 5.0]}
    )
    j = build_journeys(touchpoints, conversions).iloc[0]
    # C happens exactly at the last conversion (kept: "at or before"); D is after it (dropped).
    assert j["path"] == ("A", "B", "C")
    assert j["conversions"] == 2
    assert j["value"] == 15.0  # 10 + 5
    assert j["end_at"] == pd.Timestamp("2026-03-03 10:00")


def test_missing_value_column_gives_nan_not_zero(tables):
    touchpoints, conversions = tables
    j = build_journeys(touchpoints, conversions.drop(columns="value"))
    assert j["value"].isna().all()
    assert j["conversions"].sum() == 3
    for model in (first_touch, last_touch, linear, shapley):
        out = model(j)
        assert out["value"].isna().all(), model.__name__
        assert out["conversions"].sum() == pytest.approx(3)
    assert markov(j).credit["value"].isna().all()


def test_partly_missing_values_stay_missing(tables):
    touchpoints, conversions = tables
    extra = pd.DataFrame({"journey_id": ["J2"], "occurred_at": ["2026-01-05 13:00"], "value": [np.nan]})
    j = build_journeys(touchpoints, pd.concat([conversions, extra], ignore_index=True)).set_index("journey_id")
    # J2 has 50 + unknown: the sum is unknown, not 50.
    assert math.isnan(j.loc["J2", "value"])
    assert j.loc["J2", "conversions"] == 2
    assert j.loc["J1", "value"] == 100.0
    out = credit(last_touch(j.reset_index()), "value")
    # last touches: J1 -> C (100), J2 -> C (unknown), J3 -> B (30); A closes nothing (true zero).
    assert math.isnan(out["C"]) and out["B"] == 30.0 and out["A"] == 0.0


def test_conversion_without_touch_is_kept_but_not_attributed(tables):
    touchpoints, conversions = tables
    extra = pd.DataFrame({"journey_id": ["J5"], "occurred_at": ["2026-01-11 10:00"], "value": [7.0]})
    j = build_journeys(touchpoints, pd.concat([conversions, extra], ignore_index=True))
    j5 = j.set_index("journey_id").loc["J5"]
    assert j5["path"] == () and bool(j5["converted"]) and j5["conversions"] == 1
    comparison = compare_models(j)
    # 4 conversions in all, but J5 has no touch: every model shares out the other 3 among channels
    # and lists J5's 1 conversion (value 7) apart, as "no recorded touch".
    channels = comparison[comparison["channel"] != NO_TOUCH]
    assert channels.groupby("model")["conversions"].sum().to_dict() == pytest.approx(dict.fromkeys(MODELS, 3.0))
    assert channels.groupby("model")["value"].sum().to_dict() == pytest.approx(
        dict.fromkeys(MODELS, 180.0))  # 100 + 50 + 30
    apart = comparison[comparison["channel"] == NO_TOUCH].set_index("model")
    assert apart["conversions"].to_dict() == dict.fromkeys(MODELS, 1.0)
    assert apart["value"].to_dict() == dict.fromkeys(MODELS, 7.0)
    # without the row, the models' tables are the channel credit alone
    assert NO_TOUCH not in set(compare_models(j, no_touch=False)["channel"])


def test_window_keeps_whole_days_by_conversion_or_last_touch():
    touchpoints = pd.DataFrame(
        {"journey_id": ["a", "b", "b", "c", "d", "e"],
         "occurred_at": ["2026-01-10 00:00", "2026-01-05 08:00", "2026-01-09 08:00", "2026-01-20 09:00",
                         "2026-01-31 08:00", "2026-01-31 22:00"],
         "channel": ["X", "X", "Y", "X", "Y", "X"]}
    )
    conversions = pd.DataFrame(
        {"journey_id": ["b", "d", "e"],
         "occurred_at": ["2026-01-12 10:00", "2026-01-31 23:59:59", "2026-02-01 00:00"]}
    )
    j = build_journeys(touchpoints, conversions, start="2026-01-10", end="2026-01-31")
    # a: last touch exactly at start 00:00 -> in; b: touches before start but converts on the 12th -> in;
    # c: not converted, last touch on the 20th -> in; d: converts 23:59:59 on the end day -> in;
    # e: converts at 00:00 the day after end, so within the window it has not converted: its last touch
    # (the 31st, 22:00) keeps it in as a journey without conversion.
    assert j["journey_id"].tolist() == ["a", "b", "c", "d", "e"]
    converted = j.set_index("journey_id")["converted"].to_dict()
    assert converted == {"a": False, "b": True, "c": False, "d": True, "e": False}
    assert build_journeys(touchpoints, conversions, start="2026-01-11")["journey_id"].tolist() == ["b", "c", "d", "e"]
    until_10th = build_journeys(touchpoints, conversions, end=pd.Timestamp("2026-01-10 15:00"))
    # the time of day is ignored (the whole 10th counts); b converts on the 12th, after the window, so up to
    # the 10th it is a journey without conversion whose last touch (the 9th) is in
    assert until_10th["journey_id"].tolist() == ["a", "b"]
    assert not until_10th["converted"].any()


def test_bad_inputs_raise_clear_errors(tables):
    touchpoints, conversions = tables
    with pytest.raises(DataError, match=r"touchpoints.*'occurred_at'.*'channel'"):
        build_journeys(touchpoints[["journey_id"]], conversions)
    with pytest.raises(DataError, match=r"conversions.*'journey_id'"):
        build_journeys(touchpoints, conversions.drop(columns="journey_id"))
    bad = touchpoints.assign(occurred_at=touchpoints["occurred_at"].where(touchpoints.index != 2, "yesterday"))
    with pytest.raises(DataError, match="ISO 8601"):
        build_journeys(bad, conversions)
    with pytest.raises(DataError, match="channel"):
        build_journeys(touchpoints.assign(channel=touchpoints["channel"].where(touchpoints.index != 0)), conversions)
    with pytest.raises(ParameterError, match="before start"):
        build_journeys(touchpoints, conversions, start="2026-02-01", end="2026-01-01")
    with pytest.raises(ParameterError, match="not a date"):
        build_journeys(touchpoints, conversions, start="soon")
    with pytest.raises(DataError, match="build_journeys"):
        linear(pd.DataFrame({"journey_id": ["x"]}))
    with pytest.raises(ParameterError, match="order"):
        markov(build_journeys(*tables), order=0)


# ---------------------------------------------------------------------------------------------
# Rule-based models: hand calculation on the fixture
# ---------------------------------------------------------------------------------------------


def test_first_last_linear_by_hand(tables):
    j = build_journeys(*tables)
    # Converting paths: J1 (A,B,C) 100, J2 (B,C) 50, J3 (A,A,B) 30. J4 (C) does not convert.
    # First touch: J1 -> A, J2 -> B, J3 -> A  =>  A 2 conv (100+30=130), B 1 (50), C 0.
    assert credit(first_touch(j)) == {"A": 2.0, "B": 1.0, "C": 0.0}
    assert credit(first_touch(j), "value") == {"A": 130.0, "B": 50.0, "C": 0.0}
    # Last touch: J1 -> C, J2 -> C, J3 -> B  =>  C 2 (100+50=150), B 1 (30), A 0.
    assert credit(last_touch(j)) == {"A": 0.0, "B": 1.0, "C": 2.0}
    assert credit(last_touch(j), "value") == {"A": 0.0, "B": 30.0, "C": 150.0}
    # Linear: J1 gives 1/3 to each of A,B,C (value 100/3 each); J2 1/2 to B and C (25 each);
    # J3 has 3 touches A,A,B: A 2/3 (value 20), B 1/3 (value 10).
    # A = 1/3 + 2/3 = 1            value 100/3 + 20       = 53.333...
    # B = 1/3 + 1/2 + 1/3 = 7/6    value 100/3 + 25 + 10  = 68.333...
    # C = 1/3 + 1/2 = 5/6          value 100/3 + 25       = 58.333...   (sum 3 and 180)
    lin = linear(j)
    assert credit(lin) == pytest.approx({"A": 1.0, "B": 7 / 6, "C": 5 / 6})
    assert credit(lin, "value") == pytest.approx({"A": 100 / 3 + 20, "B": 100 / 3 + 35, "C": 100 / 3 + 25})
    assert list(lin.columns) == ["channel", "conversions", "value"]


# ---------------------------------------------------------------------------------------------
# Markov
# ---------------------------------------------------------------------------------------------


def test_markov_by_hand_with_self_loop():
    j = make_journeys([("A", "B"), ("A",), ("B",), ("B", "B")], [True, False, True, False], [10.0, 0.0, 30.0, 0.0])
    res = markov(j)
    assert isinstance(res, MarkovResult)
    # Transitions: start->A 2, start->B 2  => 1/2, 1/2
    #              A->B 1, A->null 1        => 1/2, 1/2
    #              B->conv 2 (J1, J3), B->B 1, B->null 1 (J4)  => 1/2, 1/4, 1/4
    m = res.transition_matrix
    assert m.loc["start", "A"] == m.loc["start", "B"] == 0.5
    assert m.loc["A", "B"] == m.loc["A", "null"] == 0.5
    assert (m.loc["B", "conversion"], m.loc["B", "B"], m.loc["B", "null"]) == (0.5, 0.25, 0.25)
    # x_B = 1/2 + 1/4 x_B  => x_B = 2/3;  x_A = 1/2 x_B = 1/3;  P = 1/2 x_A + 1/2 x_B = 1/6 + 1/3 = 1/2
    assert res.conversion_probability == pytest.approx(0.5)
    # Without A: P = 1/2 * 2/3 = 1/3  => RE_A = 1 - (1/3)/(1/2) = 1/3.  Without B: P = 0 => RE_B = 1.
    # Shares: A (1/3)/(4/3) = 1/4, B 3/4; of 2 conversions: A 0.5, B 1.5; of value 40: A 10, B 30.
    c = res.credit.set_index("channel")
    assert c["removal_effect"].to_dict() == pytest.approx({"A": 1 / 3, "B": 1.0})
    assert c["conversions"].to_dict() == pytest.approx({"A": 0.5, "B": 1.5})
    assert c["value"].to_dict() == pytest.approx({"A": 10.0, "B": 30.0})
    assert "P(conversion)=0.5000" in repr(res)


def test_markov_second_order_by_hand():
    j = make_journeys([("A", "B"), ("C", "B")], [True, False])
    # Order 1: B->conv 1/2, B->null 1/2; removing A: P = 1/2*0 + 1/2*1/2 = 1/4 vs 1/2 -> RE 1/2;
    # same for C; RE_B = 1. Shares 1/4, 1/2, 1/4 of 1 conversion.
    assert credit(markov(j).credit) == pytest.approx({"A": 0.25, "B": 0.5, "C": 0.25})
    # Order 2: states A, C, "A > B" (-> conversion), "C > B" (-> null); P = 1/2.
    # Removing A kills every converting walk (RE 1); removing C changes nothing (RE 0); RE_B = 1.
    res = markov(j, order=2)
    assert res.conversion_probability == pytest.approx(0.5)
    assert res.transition_matrix.loc["A > B", "conversion"] == 1.0
    assert res.transition_matrix.loc["C > B", "null"] == 1.0
    assert credit(res.credit, "removal_effect") == pytest.approx({"A": 1.0, "B": 1.0, "C": 0.0})
    assert credit(res.credit) == pytest.approx({"A": 0.5, "B": 0.5, "C": 0.0})


def _count_chain(j: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """Independent estimate of the first-order chain: plain Python transition counts.

    A journey that converted n times is walked n times (each conversion counts), one that did not once.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for path, conv, n in zip(j["path"], j["converted"], j["conversions"], strict=True):
        walk = ["start", *path, "conversion" if conv else "null"]
        for pair in pairwise(walk):
            counts[pair] += int(n) if conv else 1
    channels = sorted({c for p in j["path"] for c in p})
    states = ["start", *channels, "conversion", "null"]
    p = np.zeros((len(states), len(states)))
    for (a, b), n in counts.items():
        p[states.index(a), states.index(b)] = n
    p[-2, -2] = p[-1, -1] = 1
    return states, p / p.sum(axis=1, keepdims=True)


def _without(p: np.ndarray, idx: int) -> np.ndarray:
    """Chain with transitions into state ``idx`` redirected to null (the last state)."""
    q = p.copy()
    q[:, -1] += q[:, idx]
    q[:, idx] = 0
    return q


def _power_series(p: np.ndarray, terms: int = 4000) -> float:
    """P(start -> conversion) as sum_{n>=0} Q^n r evaluated term by term (brute force)."""
    q, r = p[:-2, :-2], p[:-2, -2]
    term, total = r.copy(), r.copy()
    for _ in range(terms):
        term = q @ term
        total += term
    assert np.abs(term).max() < 1e-14  # the series has converged
    return float(total[0])


def _simulate(p: np.ndarray, walks: int, rng: np.random.Generator) -> float:
    """Monte Carlo share of walks from start absorbed in conversion (second-to-last state)."""
    cum = np.cumsum(p, axis=1)
    pos = np.zeros(walks, dtype=np.int64)
    active = np.arange(walks)
    while active.size:
        u = rng.random(active.size)
        nxt = np.minimum((cum[pos[active]] <= u[:, None]).sum(axis=1), p.shape[0] - 1)
        pos[active] = nxt
        active = active[nxt < p.shape[0] - 2]
    return float(np.mean(pos == p.shape[0] -2))


def test_markov_matches_counting_power_series_and_simulation():
    j = random_journeys(seed=7, n=400)
    res = markov(j)
    states, p = _count_chain(j)
    # Transition matrix equals plain counting.
    np.testing.assert_allclose(res.transition_matrix.loc[states, states].to_numpy(), p, atol=1e-12)
    # Exact P equals the matrix power series and the share of converting journeys (flow conservation).
    p_conv = _power_series(p)
    assert res.conversion_probability == pytest.approx(p_conv, abs=1e-10)
    # each conversion is a walk ending in conversion, each non-converting journey one ending in null
    n_conv, n_null = j["conversions"].sum(), (~j["converted"]).sum()
    assert (j["conversions"] > 1).any()  # the example has repeat converters
    assert res.conversion_probability == pytest.approx(n_conv / (n_conv + n_null), abs=1e-10)
    # Removal effects from the power series of the redirected chains.
    effects = {c: 1 - _power_series(_without(p, states.index(c))) / p_conv for c in states[1:-2]}
    assert credit(res.credit, "removal_effect") == pytest.approx(effects, abs=1e-10)
    shares = np.array(list(effects.values())) / sum(effects.values())
    assert res.credit["conversions"].to_numpy() == pytest.approx(shares * j["conversions"].sum())
    # Monte Carlo: 200k seeded walks, 4.5 standard errors of tolerance (SE ~ 0.001).
    rng = np.random.default_rng(2026)
    walks = 200_000
    sim = _simulate(p, walks, rng)
    assert abs(sim - res.conversion_probability) < 4.5 * math.sqrt(p_conv * (1 - p_conv) / walks)
    d = states.index("D")
    sim_without = _simulate(_without(p, d), walks, rng)
    p_without = p_conv * (1 - effects["D"])
    assert abs(sim_without - p_without) < 4.5 * math.sqrt(p_without * (1 - p_without) / walks)


# ---------------------------------------------------------------------------------------------
# Shapley
# ---------------------------------------------------------------------------------------------


def test_shapley_by_hand():
    j = make_journeys([("A", "B"), ("A",), ("B", "A", "B"), ("B",)], [True, True, True, False], [10.0, 4.0, 6.0, 0.0])
    # Sets: {A,B} 1 conv (10), {A} 1 (4), {A,B} 1 (6); {B} did not convert.
    # A = 1/2 + 1 + 1/2 = 2 (value 5 + 4 + 3 = 12);  B = 1/2 + 1/2 = 1 (value 5 + 3 = 8).
    out = shapley(j)
    assert credit(out) == pytest.approx({"A": 2.0, "B": 1.0})
    assert credit(out, "value") == pytest.approx({"A": 12.0, "B": 8.0})


def _brute_shapley(j: pd.DataFrame, column: str) -> dict[str, float]:
    """Classic Shapley value over all coalitions with v(S) = sum of R(T) for T subset of S."""
    players = sorted({c for p in j["path"] for c in p})
    n = len(players)
    r: Counter[frozenset[str]] = Counter()
    for path, conv, amount in zip(j["path"], j["converted"], j[column], strict=True):
        if conv:
            r[frozenset(path)] += amount

    def v(s: frozenset[str]) -> float:
        return sum(amount for t, amount in r.items() if t <= s)

    phi = {}
    for player in players:
        others = [p for p in players if p != player]
        phi[player] = sum(
            math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
            * (v(frozenset(s) | {player}) - v(frozenset(s)))
            for k in range(n)
            for s in combinations(others, k)
        )
    return phi


def test_shapley_matches_brute_force_and_is_efficient():
    j = random_journeys(seed=11, n=300, channels="ABCDE")
    out = shapley(j)
    assert credit(out) == pytest.approx(_brute_shapley(j, "conversions"), abs=1e-9)
    assert credit(out, "value") == pytest.approx(_brute_shapley(j, "value"), abs=1e-8)
    assert out["conversions"].sum() == pytest.approx(j["conversions"].sum())
    assert out["value"].sum() == pytest.approx(j["value"].sum())


# ---------------------------------------------------------------------------------------------
# Comparison and assist ratio
# ---------------------------------------------------------------------------------------------


def test_compare_models_every_model_distributes_the_total():
    j = random_journeys(seed=3, n=500)
    comparison = compare_models(j)
    assert list(comparison.columns) == ["model", "channel", "conversions", "value", "share"]
    assert comparison["model"].unique().tolist() == ["first_touch", "last_touch", "linear", "markov", "shapley"]
    sums = comparison.groupby("model")[["conversions", "value", "share"]].sum()
    assert np.allclose(sums["conversions"], j["conversions"].sum())
    assert np.allclose(sums["value"], j["value"].sum())
    assert np.allclose(sums["share"], 1.0)
    assert (comparison.groupby("model").size() == 4).all()  # every channel in every model


def test_assist_ratio_by_hand():
    rows = {  # channel: (last_touch, linear, markov)
        "X": (2.0, 3.0, 4.0),  # markov 4/2 = 2.0 -> assist; linear 3/2 = 1.5
        "Y": (4.0, 3.0, 2.0),  # 2/4 = 0.5 -> closer
        "Z": (2.0, 2.0, 2.4),  # 2.4/2 = 1.2 -> balanced
        "E": (2.0, 2.0, 3.0),  # 3/2 = 1.5 exactly -> assist (>=)
        "W": (0.0, 1.0, 1.0),  # never closes but assists: 1/0 = inf -> assist
        "V": (0.0, 0.0, 0.0),  # no credit anywhere: 0/0 -> NaN, no label
    }
    comparison = pd.DataFrame(
        [(m, ch, vals[i]) for ch, vals in rows.items() for i, m in enumerate(["last_touch", "linear", "markov"])],
        columns=["model", "channel", "conversions"],
    )
    out = assist_ratio(comparison).set_index("channel")
    assert out.loc["X", "markov_ratio"] == 2.0 and out.loc["X", "linear_ratio"] == 1.5
    assert out.loc["Y", "markov_ratio"] == 0.5
    assert out.loc["W", "markov_ratio"] == np.inf
    assert math.isnan(out.loc["V", "markov_ratio"])
    labels = out["label"].to_dict()
    assert {k: labels[k] for k in "XYZEW"} == {
        "X": "assist", "Y": "closer", "Z": "balanced", "E": "assist", "W": "assist"}
    assert pd.isna(labels["V"])
    with pytest.raises(DataError, match="markov"):
        assist_ratio(comparison[comparison["model"] != "markov"])
    with pytest.raises(ParameterError, match="closer_at"):
        assist_ratio(comparison, assist_at=0.5, closer_at=0.8)


def test_assist_ratio_on_fixture_flags_the_opener(tables):
    out = assist_ratio(compare_models(build_journeys(*tables))).set_index("channel")
    # A never closes (last touch 0) but opens two of three converting journeys.
    assert out.loc["A", "last_touch"] == 0 and out.loc["A", "label"] == "assist"
    assert out.loc["A", "linear"] == pytest.approx(1.0)


def test_markov_self_loops_do_not_change_first_order_results():
    j = random_journeys(seed=5, n=300)
    # Collapse runs of the same channel (A, A, B, B, A -> A, B, A): the documented claim is that
    # keeping them as self-loops leaves P(conversion) and removal effects unchanged.
    collapsed = j.assign(path=[tuple(c for i, c in enumerate(p) if i == 0 or p[i - 1] != c) for p in j["path"]])
    assert sum(map(len, collapsed["path"])) < sum(map(len, j["path"]))  # the example has repeats
    kept, dropped = markov(j), markov(collapsed)
    assert kept.conversion_probability == pytest.approx(dropped.conversion_probability, abs=1e-12)
    assert credit(kept.credit, "removal_effect") == pytest.approx(credit(dropped.credit, "removal_effect"), abs=1e-12)


def test_timezone_aware_times_and_id_types():
    touchpoints = pd.DataFrame(
        {"journey_id": [1, 1, 2],
         "occurred_at": ["2026-01-31T23:30:00+08:00", "2026-02-01T00:30:00+08:00", "2026-01-31T10:00:00+08:00"],
         "channel": ["A", "B", "A"]}
    )
    # 16:00 UTC on the 31st is 00:00 on 1 February in +08:00: B (00:30 +08:00) comes after it.
    conversions = pd.DataFrame({"journey_id": [1], "occurred_at": ["2026-01-31T16:00:00Z"], "value": [9.0]})
    j = build_journeys(touchpoints, conversions)
    assert j["path"].tolist() == [("A",), ("A",)]
    assert j.loc[0, "end_at"] == pd.Timestamp("2026-02-01 00:00", tz="Asia/Shanghai")
    # The window is in the data's timezone: journey 1 ended on 1 February there.
    assert build_journeys(touchpoints, conversions, end="2026-01-31")["journey_id"].tolist() == [2]
    with pytest.raises(DataError, match="same type"):
        build_journeys(touchpoints.assign(journey_id=["1", "1", "2"]), conversions)
    with pytest.raises(DataError, match="naive and timezone-aware"):
        build_journeys(touchpoints, conversions.assign(occurred_at=["2026-01-31 16:00"]))


def test_sixty_thousand_journeys_every_model_sums_to_the_conversions():
    # speed is measured in benchmarks/, not asserted here
    rng = np.random.default_rng(0)
    n = 60_000
    lengths = rng.integers(1, 6, n)  # 3 touches per journey on average
    ids = np.array([f"J{i:06d}" for i in range(n)], dtype=object)
    touchpoints = pd.DataFrame(
        {"journey_id": np.repeat(ids, lengths),
         "occurred_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 86_400 * 300, lengths.sum()), "s"),
         "channel": rng.choice(["search", "social", "email", "display", "video", "kol"], lengths.sum())}
    )
    won = ids[rng.random(n) < 0.3]
    conversions = pd.DataFrame({"journey_id": won, "occurred_at": pd.Timestamp("2026-12-01"),
                                "value": rng.uniform(10, 100, len(won))})
    comparison = compare_models(build_journeys(touchpoints, conversions, start="2026-01-01", end="2026-12-31"))
    assert comparison.groupby("model")["conversions"].sum().to_numpy() == pytest.approx(len(won))


def test_review_journeys_credits_the_period_and_skips_without_data(tables):
    from helpers.review.attribution import review_journeys

    touchpoints, conversions = tables
    # journeys ending 2026-01-03..2026-01-08: J1 (ends 01-03), J2 (01-05), J3 (01-08); J4 ends 01-10
    credited = review_journeys(touchpoints, conversions, "2026-01-03", "2026-01-08")
    assert credited is not None
    assert credited.journeys["journey_id"].tolist() == ["J1", "J2", "J3"]
    assert list(credited.tables()) == ["attribution", "assist_ratio"]
    shares = credited.shares()
    # last touch: C closes J1 and J2, B closes J3 → C 2/3, B 1/3, A 0
    assert shares.loc["C", "last_touch"] == pytest.approx(2 / 3) and shares.loc["A", "last_touch"] == 0
    assert shares.sum().round(12).eq(1).all()  # every model shares out all conversions
    assert review_journeys(None, conversions, "2026-01-01", "2026-01-31") is None
    assert review_journeys(touchpoints, None, "2026-01-01", "2026-01-31") is None


# ---------------------------------------------------------------------------------------------
# Conventions (issue 17): value credit of the Markov model, repeat conversions
# ---------------------------------------------------------------------------------------------


def test_markov_value_credit_share_and_removal_by_hand():
    # J1: A -> conversion worth 90; J2: B -> conversion worth 10; J3: A, B -> conversion worth 40.
    j = make_journeys([("A",), ("B",), ("A", "B")], [True, True, True], [90.0, 10.0, 40.0])
    # Chain: start->A 2/3, start->B 1/3; A->conv 1/2, A->B 1/2; B->conv 1.  P = 1.
    # Without A: P = 1/3 -> RE_A = 2/3.  Without B: x_A = 1/2, P = 2/3 * 1/2 = 1/3 -> RE_B = 2/3.
    # "share": value = conversion share (1/2 each) x total value 140 -> A 70, B 70.
    share = markov(j).credit.set_index("channel")
    assert share["value"].to_dict() == pytest.approx({"A": 70.0, "B": 70.0})
    # "removal" (ChannelAttribution's var_value): each conversion carries the mean value of the
    # conversions leaving its last state: A 90 (J1), B (10 + 40) / 2 = 25. Value chain: the
    # conversion column times that value, r_A = 1/2 * 90 = 45, r_B = 1 * 25 = 25.
    # x_B = 25, x_A = 45 + 1/2 * 25 = 57.5, V = 2/3 * 57.5 + 1/3 * 25 = 140/3 (= 140 over 3 walks).
    # Without A: V = 1/3 * 25 = 25/3 -> RE_A = 1 - 25/140 = 23/28.
    # Without B: x_A = 45, V = 2/3 * 45 = 30 -> RE_B = 1 - 90/140 = 10/28.
    # Normalised: A 23/33, B 10/33 of 140.
    removal = markov(j, value_credit="removal")
    c = removal.credit.set_index("channel")
    assert c["value_removal_effect"].to_dict() == pytest.approx({"A": 23 / 28, "B": 10 / 28})
    assert c["value"].to_dict() == pytest.approx({"A": 140 * 23 / 33, "B": 140 * 10 / 33})
    # conversion credit and conversion removal effects do not depend on the value convention
    assert c["conversions"].to_dict() == pytest.approx({"A": 1.5, "B": 1.5})
    assert c["removal_effect"].to_dict() == pytest.approx({"A": 2 / 3, "B": 2 / 3})
    assert removal.value_credit == "removal" and markov(j).value_credit == "share"


def _simulate_channelattribution(p: np.ndarray, value_draws: dict[int, tuple[np.ndarray, np.ndarray]], walks: int,
                                 rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """ChannelAttribution's markov_model with var_value, by simulation (its C++ W_markov_model_1).

    Walk the chain from start; a walk that reaches conversion draws a value from the per-conversion
    values observed after its last state (value / conversions of each path, weighted by conversions)
    and adds it to every state it visited. Returns the value per state and the total value drawn.
    """
    cum = np.cumsum(p, axis=1)
    n_states = p.shape[0]
    conv, null = n_states - 2, n_states - 1
    pos = np.zeros(walks, dtype=np.int64)
    last = np.zeros(walks, dtype=np.int64)
    visited = np.zeros((walks, n_states), dtype=bool)
    active = np.arange(walks)
    while active.size:
        u = rng.random(active.size)
        nxt = np.minimum((cum[pos[active]] <= u[:, None]).sum(axis=1), null)
        last[active] = pos[active]
        pos[active] = nxt
        visited[active, nxt] = True
        active = active[nxt < conv]
    value = np.zeros(walks)
    for state, (values, weights) in value_draws.items():
        ends = np.flatnonzero((pos == conv) & (last == state))
        value[ends] = rng.choice(values, size=ends.size, p=weights / weights.sum())
    per_state = (visited * value[:, None]).sum(axis=0)
    return per_state, float(value.sum())


def test_markov_value_removal_matches_channelattribution_simulation():
    j = random_journeys(seed=11, n=400)
    # conversions closed by A are worth five times as much: value credit should lean to A's paths
    j["value"] *= np.where([p[-1] == "A" for p in j["path"]], 5.0, 1.0)
    res = markov(j, value_credit="removal").credit.set_index("channel")
    states, p = _count_chain(j)
    draws: dict[int, tuple[list[float], list[float]]] = {}
    for path, conv, n, v in zip(j["path"], j["converted"], j["conversions"], j["value"], strict=True):
        if conv:
            values, weights = draws.setdefault(states.index(path[-1]), ([], []))
            values.append(v / n)
            weights.append(float(n))
    arrays = {s: (np.array(v), np.array(w)) for s, (v, w) in draws.items()}
    per_state, total = _simulate_channelattribution(p, arrays, 200_000, np.random.default_rng(17))
    channels = states[1:-2]
    simulated_effect = {c: per_state[states.index(c)] / total for c in channels}  # its removal_effects_conversion_value
    shares = np.array([per_state[states.index(c)] for c in channels])
    simulated_credit = dict(zip(channels, shares / shares.sum() * j["value"].sum(), strict=True))
    assert res["value_removal_effect"].to_dict() == pytest.approx(simulated_effect, abs=0.01)
    assert res["value"].to_dict() == pytest.approx(simulated_credit, rel=0.02)
    assert res["value"].sum() == pytest.approx(j["value"].sum())
    # the two conventions differ on this data (else the test would not tell them apart)
    share = markov(j).credit.set_index("channel")["value"]
    assert res["value"]["A"] > 1.2 * share["A"]


def test_markov_value_removal_missing_and_bad_convention():
    j = make_journeys([("A",), ("B",), ("A", "B")], [True, True, True], [90.0, np.nan, 40.0])
    assert markov(j, value_credit="removal").credit["value"].isna().all()  # unknown value stays unknown
    untracked = make_journeys([("A",), ("B",)], [True, False], [np.nan, np.nan])
    assert markov(untracked, value_credit="removal").credit["value"].isna().all()
    nothing = make_journeys([("A",), ("B",)], [False, False], [0.0, 0.0])
    assert markov(nothing, value_credit="removal").credit["value"].tolist() == [0.0, 0.0]
    with pytest.raises(ParameterError, match="value_credit='revenue'.*share, removal"):
        markov(j, value_credit="revenue")


def test_markov_counts_each_conversion_of_a_repeat_converter():
    # J1: A, converted twice; J2: B, converted once; J3: B, no conversion.
    j = make_journeys([("A",), ("B",), ("B",)], [True, True, False], [20.0, 10.0, 0.0], [2, 1, 0])
    # Each conversion a walk: start->A 2, start->B 2 (J2, J3); A->conv 2; B->conv 1, B->null 1.
    # P = 1/2 * 1 + 1/2 * 1/2 = 3/4. Without A: 1/4 -> RE_A = 2/3. Without B: 1/2 -> RE_B = 1/3.
    # Shares 2/3, 1/3 of 3 conversions: A 2, B 1 (A's only path converted twice, B's once in two).
    # (Counting J1 once would give start->A 1/3 and RE_A = RE_B = 1/2: 1.5 conversions each.)
    res = markov(j)
    assert res.conversion_probability == pytest.approx(3 / 4)
    assert credit(res.credit, "removal_effect") == pytest.approx({"A": 2 / 3, "B": 1 / 3})
    assert credit(res.credit) == pytest.approx({"A": 2.0, "B": 1.0})
    assert res.transition_matrix.loc["start", "A"] == pytest.approx(0.5)


def test_a_repeat_converter_counts_as_one_journey_per_conversion():
    j = random_journeys(seed=21, n=300)
    assert (j["conversions"] > 1).sum() > 5
    # the same data with each repeat converter split into one journey per conversion (value split evenly)
    rows = []
    for r in j.itertuples(index=False):
        n = max(int(r.conversions), 1)
        rows += [(r.path, r.converted, r.value / n, int(r.converted))] * n
    split = make_journeys([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])
    for value_credit in ("share", "removal"):
        a, b = markov(j, value_credit=value_credit), markov(split, value_credit=value_credit)
        assert a.conversion_probability == pytest.approx(b.conversion_probability, abs=1e-12)
        pd.testing.assert_frame_equal(a.credit, b.credit, atol=1e-9)


def test_credited_conversions_add_up_to_the_data_with_a_repeat_converter():
    touchpoints = pd.DataFrame(
        {"journey_id": ["K", "K", "L", "M", "M"],
         "occurred_at": ["2026-03-01 10:00", "2026-03-02 10:00", "2026-03-01 11:00", "2026-03-01 09:00",
                         "2026-03-05 09:00"],
         "channel": ["A", "B", "B", "C", "A"]}
    )
    # K converts 3 times, L once, M never: 4 conversions worth 10 + 20 + 30 + 5 = 65
    conversions = pd.DataFrame(
        {"journey_id": ["K", "K", "K", "L"],
         "occurred_at": ["2026-03-01 12:00", "2026-03-02 12:00", "2026-03-03 12:00", "2026-03-01 12:00"],
         "value": [10.0, 20.0, 30.0, 5.0]}
    )
    for markov_value in ("share", "removal"):
        comparison = compare_models(build_journeys(touchpoints, conversions), markov_value=markov_value)
        sums = comparison.groupby("model")[["conversions", "value"]].sum()
        assert sums["conversions"].to_dict() == pytest.approx(dict.fromkeys(MODELS, 4.0))
        assert sums["value"].to_dict() == pytest.approx(dict.fromkeys(MODELS, 65.0))


def test_review_states_its_conventions(tables):
    from helpers.review.attribution import review_journeys

    touchpoints, conversions = tables
    default = review_journeys(touchpoints, conversions, "2026-01-01", "2026-01-31")
    removal = review_journeys(touchpoints, conversions, "2026-01-01", "2026-01-31", markov_value="removal")
    assert default is not None and removal is not None
    assert default.conventions() == {"markov_value": "share", "repeat_conversions": "each counted"}
    assert removal.conventions() == {"markov_value": "removal", "repeat_conversions": "each counted"}
    expected = markov(default.journeys, value_credit="removal").credit.set_index("channel")["value"]
    got = removal.comparison[removal.comparison["model"] == "markov"].set_index("channel")["value"]
    pd.testing.assert_series_equal(got, expected, check_names=False)
    with pytest.raises(ParameterError, match="markov_value"):
        review_journeys(touchpoints, conversions, "2026-01-01", "2026-01-31", markov_value="both")


# ---------------------------------------------------------------------------------------------
# Conversions with no recorded touch (issue 21): reconciled, never dropped
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def no_touch_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five conversions, two with no recorded touch.

    P1: A, B     -> converts (100)
    P2: B        -> converts (40)
    P3: A, C, A  -> converts (60)
    P4: no touchpoint at all                 -> converts (25): no recorded touch
    P5: its only touch (C) after the conversion -> converts (15): no recorded touch
    P6: C        -> does not convert
    """
    touchpoints = pd.DataFrame(
        [("P1", "2026-01-01 09:00", "A"), ("P1", "2026-01-02 09:00", "B"),
         ("P2", "2026-01-03 09:00", "B"),
         ("P3", "2026-01-04 09:00", "A"), ("P3", "2026-01-04 10:00", "C"), ("P3", "2026-01-04 11:00", "A"),
         ("P5", "2026-01-07 09:00", "C"),
         ("P6", "2026-01-08 09:00", "C")],
        columns=["journey_id", "occurred_at", "channel"],
    )
    conversions = pd.DataFrame(
        [("P1", "2026-01-02 10:00", 100.0), ("P2", "2026-01-03 12:00", 40.0), ("P3", "2026-01-04 12:00", 60.0),
         ("P4", "2026-01-05 10:00", 25.0), ("P5", "2026-01-06 10:00", 15.0)],
        columns=["journey_id", "occurred_at", "value"],
    )
    return touchpoints, conversions


def test_reconcile_counts_conversions_with_no_recorded_touch(no_touch_tables):
    journeys = build_journeys(*no_touch_tables)
    # credited: P1 + P2 + P3 = 3 conversions, 100 + 40 + 60 = 200; no touch: P4 + P5 = 2, 25 + 15 = 40
    assert reconcile(journeys) == {
        "converting_journeys": 5, "conversions": 5.0, "value": 240.0,
        "credited_journeys": 3, "credited_conversions": 3.0, "credited_value": 200.0,
        "no_touch_journeys": 2, "no_touch_conversions": 2.0, "no_touch_value": 40.0}


def test_every_model_table_sums_to_all_conversions_with_the_no_touch_row(no_touch_tables):
    comparison = compare_models(build_journeys(*no_touch_tables))
    got = {m: {r.channel: (r.conversions, r.value) for r in g.itertuples()} for m, g in comparison.groupby("model")}
    apart = (2.0, 40.0)  # P4 (25) + P5 (15), the same in every model
    expected = {
        # P1 -> A, P2 -> B, P3 -> A
        "first_touch": {"A": (2.0, 160.0), "B": (1.0, 40.0), "C": (0.0, 0.0), NO_TOUCH: apart},
        # P1 -> B, P2 -> B, P3 -> A
        "last_touch": {"A": (1.0, 60.0), "B": (2.0, 140.0), "C": (0.0, 0.0), NO_TOUCH: apart},
        # P1 halves (A, B: .5 and 50 each), P2 all to B (1, 40), P3 thirds (A 2/3 and 40, C 1/3 and 20)
        "linear": {"A": (0.5 + 2 / 3, 90.0), "B": (1.5, 90.0), "C": (1 / 3, 20.0), NO_TOUCH: apart},
        # P3's distinct channels are A and C: halves (30 each)
        "shapley": {"A": (1.0, 80.0), "B": (1.5, 90.0), "C": (0.5, 30.0), NO_TOUCH: apart},
        # chain over P1, P2, P3, P6 (P4 and P5 have no path): start -> A 2/4, B 1/4, C 1/4;
        # A -> B, C, conversion 1/3 each; B -> conversion; C -> A 1/2, null 1/2.
        # x_B = 1, x_A = 2/3 + x_C/3, x_C = x_A/2 -> x_A = 4/5, x_C = 2/5; P = 2/5 + 1/4 + 1/10 = 3/4.
        # Without A: P = 1/4 (effect 2/3); without B: x_A = 2/5, x_C = 1/5, P = 1/4 (2/3);
        # without C: x_A = 2/3, P = 7/12 (effect 1 - 7/9 = 2/9). Shares 3/7, 3/7, 1/7 of 3 and of 200.
        "markov": {"A": (9 / 7, 600 / 7), "B": (9 / 7, 600 / 7), "C": (3 / 7, 200 / 7), NO_TOUCH: apart},
    }
    assert set(got) == set(expected)
    for model, table in expected.items():
        assert set(got[model]) == set(table), model
        for channel, (conv, value) in table.items():
            assert got[model][channel] == pytest.approx((conv, value)), (model, channel)
        # 5 conversions worth 240 in every model: credited 3 (200) + no recorded touch 2 (40)
        assert sum(c for c, _ in got[model].values()) == pytest.approx(5.0)
        assert sum(v for _, v in got[model].values()) == pytest.approx(240.0)
    shares = comparison[comparison["channel"] == NO_TOUCH]["share"]
    assert shares.tolist() == pytest.approx([2 / 5] * 5)  # of all conversions in each model
    # the no-touch row is not a channel: no assist ratio for it
    assert NO_TOUCH not in set(assist_ratio(comparison)["channel"])


def test_unknown_value_of_a_no_touch_conversion_stays_unknown(no_touch_tables):
    touchpoints, conversions = no_touch_tables
    conversions = conversions.assign(value=conversions["value"].where(conversions["journey_id"] != "P4"))
    journeys = build_journeys(touchpoints, conversions)
    totals = reconcile(journeys)
    assert totals["credited_value"] == 200.0
    assert math.isnan(totals["no_touch_value"]) and math.isnan(totals["value"])  # 15 + unknown is unknown
    row = compare_models(journeys).query("channel == @NO_TOUCH")
    assert row["conversions"].tolist() == [2.0] * 5 and row["value"].isna().all()


def test_a_real_channel_named_like_the_no_touch_row_is_refused(no_touch_tables):
    touchpoints, conversions = no_touch_tables
    renamed = touchpoints.assign(channel=touchpoints["channel"].replace("C", NO_TOUCH))
    with pytest.raises(DataError, match="rename that channel"):
        compare_models(build_journeys(renamed, conversions))


def test_review_reconciles_the_period(no_touch_tables):
    from helpers.review.attribution import review_journeys

    credited = review_journeys(*no_touch_tables, "2026-01-01", "2026-01-31")
    assert credited is not None
    assert credited.reconciliation()["no_touch_conversions"] == 2.0
    sums = credited.comparison.groupby("model")["conversions"].sum()
    assert sums.to_dict() == pytest.approx(dict.fromkeys(MODELS, 5.0))


def test_a_journeys_earlier_conversions_stay_in_their_own_period():
    """Journey j converts on 3 Sep (value 100) and 12 Oct (value 40): October counts 1 conversion worth 40.

    Its October path still holds every touch up to 12 Oct (A on 1 Sep, B on 10 Oct); September's review
    counts the 3 Sep conversion only (value 100), with the path up to it (A); k converts once in October.
    """
    touchpoints = pd.DataFrame({"journey_id": ["j", "j", "k"],
                                "occurred_at": ["2026-09-01 10:00", "2026-10-10 10:00", "2026-10-05 09:00"],
                                "channel": ["A", "B", "A"]})
    conversions = pd.DataFrame({"journey_id": ["j", "j", "k"],
                                "occurred_at": ["2026-09-03 12:00", "2026-10-12 12:00", "2026-10-06 08:00"],
                                "value": [100.0, 40.0, 10.0]})
    october = build_journeys(touchpoints, conversions, start="2026-10-01", end="2026-10-31").set_index("journey_id")
    assert october["conversions"].to_dict() == {"j": 1, "k": 1}
    assert october["value"].to_dict() == {"j": 40.0, "k": 10.0}
    assert october.loc["j", "path"] == ("A", "B")
    september = build_journeys(touchpoints, conversions, start="2026-09-01", end="2026-09-30").set_index("journey_id")
    assert september["conversions"].to_dict() == {"j": 1}
    assert september.loc["j", "value"] == 100.0 and september.loc["j", "path"] == ("A",)
