"""helpers.attribution gives exactly what the pre-speed-up code gives (tests/attribution_reference.py).

The journeys (paths, counts, values, end times) and every model's credit are compared on random inputs
with the traits real exports have (rows out of order, ties in time, touches after the conversion,
conversions without a touch, repeat conversions, unknown values, a date window), and on the edge cases
(no journeys, one channel, no touch at all, paths too long for one integer key). Credit must agree to
1e-12; the journeys frame must be equal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import attribution_reference as ref
from helpers import attribution as new

TOL = {"check_exact": False, "rtol": 1e-12, "atol": 1e-12}
CREDIT_MODELS = ("first_touch", "last_touch", "linear", "shapley")


def random_tables(seed: int, n: int = 500, channels: int = 4, longest: int = 6,
                  value: str = "some missing") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Touchpoints and conversions of ~n journeys, rows shuffled, with every awkward trait of real exports."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, longest + 1, n)
    journey = np.repeat(np.arange(n), lengths)
    names = [f"ch{c:02d}" for c in range(channels)]
    day = rng.integers(0, 60, len(journey))  # whole days only: many ties in time within a journey
    touchpoints = pd.DataFrame({
        "journey_id": [f"J{j:04d}" for j in journey],
        "occurred_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(day, "D"),
        "channel": rng.choice(names, len(journey), p=np.linspace(1, 2, channels) / np.linspace(1, 2, channels).sum()),
    }).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    converts = rng.random(n) < 0.3
    twice = converts & (rng.random(n) < 0.15)
    conv_journey = np.r_[np.flatnonzero(converts), np.flatnonzero(twice), n + np.arange(12)]  # 12 without a touch
    conv_day = rng.integers(0, 70, len(conv_journey))  # some before a journey's first touch, some after its last
    conversions = pd.DataFrame({
        "journey_id": [f"J{j:04d}" for j in conv_journey],
        "occurred_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(conv_day, "D") + pd.Timedelta(hours=12),
        "value": np.round(rng.uniform(10, 500, len(conv_journey)), 2),
    })
    if value == "some missing":
        conversions.loc[rng.random(len(conversions)) < 0.03, "value"] = np.nan
    elif value == "none":
        conversions = conversions.drop(columns="value")
    return touchpoints, conversions


def assert_models_equal(journeys_new: pd.DataFrame, journeys_ref: pd.DataFrame,
                        orders: tuple[int, ...] = (1, 2)) -> None:
    """Every model, both Markov value conventions and ``orders``, and compare_models agree with the reference."""
    for model in CREDIT_MODELS:
        pd.testing.assert_frame_equal(getattr(new, model)(journeys_new), getattr(ref, model)(journeys_ref), **TOL)
    for order in orders:
        for value_credit in new.MARKOV_VALUES:
            got = new.markov(journeys_new, order=order, value_credit=value_credit)
            want = ref.markov(journeys_ref, order=order, value_credit=value_credit)
            pd.testing.assert_frame_equal(got.credit, want.credit, **TOL)
            pd.testing.assert_frame_equal(got.transition_matrix, want.transition_matrix, **TOL)
            assert got.conversion_probability == pytest.approx(want.conversion_probability, rel=1e-12, abs=1e-12)
    pd.testing.assert_frame_equal(new.compare_models(journeys_new), ref.compare_models(journeys_ref), **TOL)
    assert new.reconcile(journeys_new) == pytest.approx(ref.reconcile(journeys_ref), rel=1e-12, nan_ok=True)


@pytest.mark.parametrize(("seed", "window", "value"), [
    (1, (None, None), "some missing"),
    (2, ("2026-01-20", "2026-02-10"), "some missing"),
    (3, (None, "2026-02-01"), "none"),
    (4, ("2026-01-15", None), "all known"),
])
def test_journeys_and_every_model_match_the_reference(seed, window, value):
    touchpoints, conversions = random_tables(seed, value=value)
    got, want = new.build_journeys(touchpoints, conversions, *window), ref.build_journeys(touchpoints, conversions,
                                                                                           *window)
    pd.testing.assert_frame_equal(got, want)
    assert want["path"].map(len).eq(0).any() and (want["conversions"] > 1).any()  # the awkward cases are there
    assert_models_equal(got, want)


def test_models_on_a_hand_made_frame_match_the_reference():
    """A journeys frame not made by build_journeys (paths as tuples only) gives the reference's credit too."""
    touchpoints, conversions = random_tables(5)
    frame = ref.build_journeys(touchpoints, conversions)
    assert_models_equal(frame.copy(), frame)


def test_paths_too_long_for_one_integer_key_are_kept_whole():
    """40 channels: a path key holds 11 touches; paths of 12–20 touches still come out whole and equal."""
    touchpoints, conversions = random_tables(6, n=300, channels=40, longest=20)
    got, want = new.build_journeys(touchpoints, conversions), ref.build_journeys(touchpoints, conversions)
    assert want["path"].map(len).max() > 11
    pd.testing.assert_frame_equal(got, want)
    assert_models_equal(got, want, orders=(1,))  # (a second-order chain over 40 channels is slow to solve)


def test_edge_cases_match_the_reference():
    touchpoints, conversions = random_tables(7, n=50)
    one_channel = touchpoints.assign(channel="only")
    for tp, cv in [
        (one_channel, conversions),  # one channel
        (touchpoints.iloc[:0], conversions),  # no touch at all: every conversion has an empty path
        (touchpoints, conversions.iloc[:0]),  # nothing converts
        (touchpoints, conversions),
    ]:
        got, want = new.build_journeys(tp, cv), ref.build_journeys(tp, cv)
        pd.testing.assert_frame_equal(got, want)
        for model in CREDIT_MODELS:
            pd.testing.assert_frame_equal(getattr(new, model)(got), getattr(ref, model)(want), **TOL)
        if len(tp):
            pd.testing.assert_frame_equal(new.markov(got).credit, ref.markov(want).credit, **TOL)
        else:  # the old code raised a numpy casting error here (no transition counted); now: nothing to credit
            result = new.markov(got)
            assert result.credit.empty and list(result.credit.columns) == [
                "channel", "removal_effect", "value_removal_effect", "conversions", "value"]
            assert result.conversion_probability == 0.0
    empty = ref.build_journeys(touchpoints.iloc[:0], conversions.iloc[:0])
    assert len(empty) == 0
    pd.testing.assert_frame_equal(new.build_journeys(touchpoints.iloc[:0], conversions.iloc[:0]), empty)
    for model in CREDIT_MODELS:
        pd.testing.assert_frame_equal(getattr(new, model)(empty), getattr(ref, model)(empty), **TOL)


def test_a_frame_whose_paths_change_is_encoded_again():
    """The encoding kept for a frame is dropped when its paths change in place or in a copy (no stale credit)."""
    touchpoints, conversions = random_tables(8, n=100)
    journeys = new.build_journeys(touchpoints, conversions)
    before = new.linear(journeys)
    converting = int(np.flatnonzero(journeys["converted"].to_numpy())[0])
    journeys.loc[converting, "path"] = ("brand_new",)
    changed = journeys.copy()
    pd.testing.assert_frame_equal(new.linear(journeys), ref.linear(changed), **TOL)
    assert "brand_new" not in set(before["channel"]) and "brand_new" in set(new.linear(journeys)["channel"])
    edited = journeys.assign(path=[p[:1] for p in journeys["path"]])  # first touches only
    pd.testing.assert_frame_equal(new.shapley(edited), ref.shapley(edited.copy()), **TOL)
    journeys["converted"] = False  # the per-journey columns are read afresh every time
    assert new.first_touch(journeys)["conversions"].sum() == 0


def test_shared_path_tuples_are_equal_values():
    """Journeys with the same path share one tuple; the column still reads as one tuple of names per journey."""
    touchpoints = pd.DataFrame({"journey_id": ["a", "a", "b", "b", "c"],
                                "occurred_at": pd.to_datetime(["2026-01-01", "2026-01-02"] * 2 + ["2026-01-03"]),
                                "channel": ["x", "y", "x", "y", "y"]})
    conversions = pd.DataFrame({"journey_id": ["a"], "occurred_at": pd.to_datetime(["2026-01-05"])})
    journeys = new.build_journeys(touchpoints, conversions)
    assert journeys["path"].tolist() == [("x", "y"), ("x", "y"), ("y",)]
    assert all(type(c) is str for p in journeys["path"] for c in p)


@pytest.mark.parametrize("channels", [127, 128])
def test_channel_codes_at_the_edge_of_a_byte_match_the_reference(channels):
    """127 channels still fit int8 codes (states code + 1 ≤ 127); 128 take int16: both credit as before."""
    touchpoints, conversions = random_tables(9, n=600, channels=channels, longest=4)
    got, want = new.build_journeys(touchpoints, conversions), ref.build_journeys(touchpoints, conversions)
    pd.testing.assert_frame_equal(got, want)
    assert_models_equal(got, want, orders=(1,))
    assert_models_equal(want.copy(), want, orders=(1,))  # the tuples' own encoding too
