"""A small benchmark_table-shaped frame shared by the competitor tests (values chosen for hand arithmetic)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.competitors.benchmark import FIELD_ROW


def benchmark_frame() -> pd.DataFrame:
    """A benchmark_table-shaped frame: own o, field a, b, c and the field median row."""
    rows = {
        "account_id": ["o", "a", "b", "c", FIELD_ROW],
        "role": ["own", "field", "field", "field", FIELD_ROW],
        "followers_start": [100.0, 200.0, 300.0, 400.0, 300.0],
        "followers_end": [120.0, 210.0, 330.0, np.nan, 270.0],
        "net_growth": [20.0, 10.0, 30.0, np.nan, 20.0],
        "growth_pct": [0.2, 0.05, 0.1, np.nan, 0.075],
        "posts": [10.0, 8.0, 6.0, 0.0, 6.0],
        "posts_per_week": [5.0, 4.0, 3.0, 0.0, 3.0],
        "engagements_mean": [50.0, 40.0, 90.0, np.nan, 65.0],
        "engagements_median": [45.0, 35.0, 80.0, np.nan, 57.5],
        "er_mean_of_rates": [0.04, 0.02, 0.03, np.nan, 0.025],
        "er_rate_of_sums": [0.041, 0.019, 0.028, np.nan, 0.0235],
        "er_base": ["followers"] * 5,
        "views_per_video_post": [1000.0, np.nan, 3000.0, np.nan, 3000.0],
        "note": ["", "", "", "no posts in the period", "median"],
    }
    return pd.DataFrame(rows)
