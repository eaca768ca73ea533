"""What a reader of the audience profile reads: the lines under each section, the persona table, summary.json.

Each function takes computed results and returns text or a table; none prints. The notebook
prints or displays what they return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from helpers.audience.clusters import ClusterResult
from helpers.audience.personas import Persona
from helpers.audience.retention import PeakChurnAge
from helpers.errors import require_columns

PERSONA_COLUMNS: tuple[str, ...] = ("persona", "users", "share", "value", "peak_hour", "action")


def window_line(account_ids: Sequence[str], start: pd.Timestamp, as_of: pd.Timestamp) -> str:
    """The profiled accounts and the analysis window (both days included)."""
    return f"Accounts: {', '.join(account_ids)}; window {start:%Y-%m-%d} – {as_of:%Y-%m-%d}"


def bot_line(counts: Mapping[str, Any]) -> str:
    """Users with activity, how many were flagged as bots and how many were kept (bots.bot_summary)."""
    return (f"Users with activity: {counts['users_before']:,}; flagged as bots: {counts['bots']:,}; "
            f"kept: {counts['users_after']:,}")


def busiest_window_line(peaks: pd.DataFrame) -> str:
    """The busiest window of behaviour.peak_windows (its first row), with the window's width in hours."""
    require_columns(peaks, ("start_hour", "end_hour", "label"), "peak windows", "Build it with peak_windows().")
    first = peaks.iloc[0]
    width = (int(first["end_hour"]) - int(first["start_hour"])) % 24 or 24
    return f"Busiest {width}-hour window: {first['label']}"


def cluster_line(result: ClusterResult) -> str:
    """The number of behaviour clusters and their mean silhouette (below 0.3: soft partitions)."""
    return f"k = {result.k}, silhouette {result.silhouette:.2f}"


def churn_line(peak: PeakChurnAge) -> str:
    """The follow age at which most unfollows happen, with its count of all unfollows."""
    return (f"Most unfollows happen in {peak.unit} {peak.age} after following "
            f"({peak.unfollows} of {peak.total_unfollows}).")


def persona_table(cards: Sequence[Persona]) -> pd.DataFrame:
    """One row per persona card: name, users, share, value, peak hour and the recommended action."""
    rows = [{"persona": c.name, "users": c.users, "share": c.share, "value": c.value, "peak_hour": c.peak_hour,
             "action": c.action} for c in cards]
    return pd.DataFrame(rows, columns=list(PERSONA_COLUMNS))


def written_line(tables: int, figures: int) -> str:
    """What the run wrote (summary.json, the number of tables and figures)."""
    return f"Wrote summary.json, {tables} tables and {figures} figures."


def summary(*, label: str, bot_counts: Mapping[str, Any], demographics: pd.DataFrame, peak_windows: pd.DataFrame,
            rfm_segments: pd.DataFrame, interests_by_group: pd.DataFrame, clusters: ClusterResult,
            cluster_profile: pd.DataFrame, retention: pd.DataFrame, churn_peak: PeakChurnAge,
            personas: pd.DataFrame) -> dict[str, Any]:
    """The headline results for summary.json, in reading order (RunOutputs makes them JSON).

    retention is the wide cohort × day-N table (retention.cohort_heatmap_table), written with its
    cohort as a column. The runner adds the parameters itself.
    """
    return {
        "label": label,
        "users": dict(bot_counts),
        "demographics": demographics,
        "peak_windows": peak_windows,
        "rfm_segments": rfm_segments,
        "interests_by_group": interests_by_group,
        "clusters": {"k": clusters.k, "silhouette": clusters.silhouette, "profile": cluster_profile},
        "retention": retention.reset_index(),
        "churn_peak": churn_peak,
        "personas": personas,
    }
