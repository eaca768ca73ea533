"""The local store (helpers.ingest.store): merge rule, atomic generations, crashes, locking, archive, info.

Expected values are written out by hand from the scenario each test sets up.
"""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from filelock import FileLock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.data import find_table_file, load_tables, read_raw
from helpers.errors import DataError
from helpers.ingest import store_layout
from helpers.ingest.store import MergeCounts, Store, current_data_dir
from helpers.ingest.store_merge import incoming_rows, merge_into

SRC = Path(__file__).resolve().parents[1] / "src"
POSTS_KEY = ("account_id", "post_id")
DAILY_KEY = ("account_id", "date")
T1, T2, T3 = pd.Timestamp("2026-03-01 09:00"), pd.Timestamp("2026-03-08 09:00"), pd.Timestamp("2026-03-15 09:00")


def posts(ids: list[str], views: list[float | None], account: str = "dy1", **extra: list[object]) -> pd.DataFrame:
    """A few posts rows of one account."""
    frame = pd.DataFrame({"account_id": account, "post_id": ids, "views": views,
                          "published_at": pd.to_datetime([f"2026-02-{10 + i:02d} 20:00" for i in range(len(ids))])})
    for name, values in extra.items():
        frame[name] = values
    return frame


def generations(root: Path) -> list[str]:
    """The generation folders on disk (temporary ones included), sorted."""
    return sorted(p.name for p in (root / "generations").iterdir())


def by_post(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("post_id").sort_index()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.create(tmp_path / "store")


def run_child(code: str, tmp_path: Path, name: str = "child.py") -> subprocess.CompletedProcess[str]:
    """Run a Python script in a fresh interpreter with the package importable."""
    script = tmp_path / name
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60)


# -- create / open --------------------------------------------------------------------------------


def test_create_makes_the_layout_with_an_empty_first_generation_and_is_idempotent(tmp_path: Path) -> None:
    root = tmp_path / "store"
    created = Store.create(root)
    assert (root / "STORE.json").is_file() and (root / "raw").is_dir()
    assert (root / "CURRENT").read_text().strip() == "g000001"
    assert created.generation == "g000001"
    assert created.tables() == []
    assert created.log().empty and "sha256" in created.log().columns
    assert current_data_dir(root) == root.resolve() / "generations" / "g000001"
    again = Store.create(root)
    assert again.generation == "g000001" and generations(root) == ["g000001"]
    assert Store.open(root).generation == "g000001"
    assert "g000001" in repr(again)


def test_open_on_a_plain_folder_says_how_to_make_a_store(tmp_path: Path) -> None:
    plain = tmp_path / "exports"
    plain.mkdir()
    (plain / "posts.csv").write_text("post_id\n1\n")
    with pytest.raises(DataError, match=r"not an opsbook store.*opsbook store init.*--store"):
        Store.open(plain)
    with pytest.raises(DataError, match="does not exist"):
        Store.open(tmp_path / "nowhere")
    assert current_data_dir(plain) is None


# -- the merge rule --------------------------------------------------------------------------------


def test_merge_adds_updates_skips_older_and_never_erases(store: Store) -> None:
    a = posts(["p1", "p2", "p3"], [100, 200, 300])
    with store.transaction() as txn:
        counts = txn.merge("posts", a, POSTS_KEY, T1, "sha-a")
    assert (counts.added, counts.updated, counts.unchanged, counts.skipped_older) == (3, 0, 0, 0)
    assert store.generation == "g000002"

    # the same export again: nothing changes and no generation is written
    with store.transaction() as txn:
        counts = txn.merge("posts", a, POSTS_KEY, T1, "sha-a")
        assert not txn.changed
    assert (counts.added, counts.updated, counts.unchanged, counts.skipped_older) == (0, 0, 3, 0)
    assert store.generation == "g000002" and generations(store.root) == ["g000001", "g000002"]

    # a later export overlapping it: p2, p3 changed, p4 new
    b = posts(["p2", "p3", "p4"], [250, 333, 40])
    with store.transaction() as txn:
        counts = txn.merge("posts", b, POSTS_KEY, T2, "sha-b")
    assert (counts.added, counts.updated, counts.unchanged) == (1, 2, 0)
    table = by_post(store.read("posts"))
    assert table["views"].to_dict() == {"p1": 100.0, "p2": 250.0, "p3": 333.0, "p4": 40.0}
    assert table["_source"].to_dict() == {"p1": "sha-a", "p2": "sha-b", "p3": "sha-b", "p4": "sha-b"}
    assert table.loc["p2", "_snapshot_at"] == T2 and table.loc["p1", "_snapshot_at"] == T1

    # an older snapshot of p2 (between nothing and A) is skipped
    c = posts(["p2"], [1])
    with store.transaction() as txn:
        counts = txn.merge("posts", c, POSTS_KEY, pd.Timestamp("2026-02-20"), "sha-c")
    assert (counts.added, counts.updated, counts.unchanged, counts.skipped_older) == (0, 0, 0, 1)
    assert by_post(store.read("posts")).loc["p2", "views"] == 250.0

    # a later export with a missing value and a new column: the known value stays, the column appears
    d = posts(["p1", "p3"], [None, 333], likes=[7, 9])
    with store.transaction() as txn:
        counts = txn.merge("posts", d, POSTS_KEY, T3, "sha-d")
    assert (counts.added, counts.updated, counts.unchanged) == (0, 2, 0)
    table = by_post(store.read("posts"))
    assert table.loc["p1", "views"] == 100.0          # missing did not erase
    assert table.loc["p1", "likes"] == 7.0 and table.loc["p3", "likes"] == 9.0
    assert math.isnan(table.loc["p2", "likes"]) and math.isnan(table.loc["p4", "likes"])
    assert table.loc["p1", "_source"] == "sha-d" and table.loc["p2", "_source"] == "sha-b"

    # an export without the views column at all keeps every views value
    e = posts(["p2"], [None]).drop(columns="views").assign(likes=[3])
    with store.transaction() as txn:
        txn.merge("posts", e, POSTS_KEY, T3, "sha-e")
    table = by_post(store.read("posts"))
    assert table["views"].to_dict() == {"p1": 100.0, "p2": 250.0, "p3": 333.0, "p4": 40.0}
    assert table.loc["p2", "likes"] == 3.0


def test_equal_values_in_other_spellings_count_as_unchanged(store: Store) -> None:
    first = pd.DataFrame({
        "account_id": ["dy1", "dy1"], "date": pd.to_datetime(["2026-03-01", "2026-03-02"]),
        "followers": [1000, 1010], "revenue": [np.nan, 2.5], "paid": pd.array([True, None], dtype="boolean"),
        "note": ["x", None], "checked_at": pd.to_datetime(["2026-03-03", None]),
    })
    with store.transaction() as txn:
        assert txn.merge("account_daily", first, DAILY_KEY, T1, "s1").added == 2
    again = pd.DataFrame({
        "account_id": ["dy1", "dy1"], "date": [pd.Timestamp("2026-03-01").date(), pd.Timestamp("2026-03-02").date()],
        "followers": [1000.0, 1010.0], "revenue": [None, 2.5], "paid": [True, None],
        "note": pd.array(["x", pd.NA], dtype="string"), "checked_at": [pd.Timestamp("2026-03-03"), pd.NaT],
    })
    generation = store.generation
    with store.transaction() as txn:
        counts = txn.merge("account_daily", again, DAILY_KEY, T1, "s2")   # the same snapshot time: nothing to record
    assert (counts.added, counts.updated, counts.unchanged) == (0, 0, 2)
    assert store.generation == generation
    # at a later time the same values are a confirmation: counted unchanged, but the rows' snapshot moves on
    with store.transaction() as txn:
        counts = txn.merge("account_daily", again, DAILY_KEY, T2, "s2")
    assert (counts.added, counts.updated, counts.unchanged) == (0, 0, 2)
    stored = store.read("account_daily")
    assert stored["_snapshot_at"].tolist() == [T2, T2] and stored["_source"].tolist() == ["s1", "s1"]


def test_a_confirmed_value_beats_an_older_snapshot_imported_afterwards(store: Store) -> None:
    # stored at T1 = 2,500,000; T3 confirms 2,500,000 (no change); then T2 says 2,000,000: T3 is the latest
    with store.transaction() as txn:
        txn.merge("posts", posts(["p1"], [2_500_000]), POSTS_KEY, T1, "t1")
    with store.transaction() as txn:
        assert txn.merge("posts", posts(["p1"], [2_500_000]), POSTS_KEY, T3, "t3").unchanged == 1
    with store.transaction() as txn:
        counts = txn.merge("posts", posts(["p1"], [2_000_000]), POSTS_KEY, T2, "t2")
    assert (counts.updated, counts.skipped_older) == (0, 1)
    stored = store.read("posts")
    assert stored["views"].tolist() == [2_500_000] and stored["_snapshot_at"].tolist() == [T3]


def test_an_older_snapshot_fills_only_the_gaps_so_import_order_does_not_matter(tmp_path: Path) -> None:
    newer = posts(["p1", "p2"], [2000, 3000]).assign(saves=[np.nan, 7.0])   # T2: p1's saves unknown
    older = posts(["p1", "p2"], [1500, 2500]).assign(saves=[25.0, 5.0])     # T1: knows p1's saves
    outcomes = []
    for name, order in (("newer_first", [(newer, T2, "new"), (older, T1, "old")]),
                        ("older_first", [(older, T1, "old"), (newer, T2, "new")])):
        store = Store.create(tmp_path / name)
        for frame, when, source in order:
            with store.transaction() as txn:
                counts = txn.merge("posts", frame, POSTS_KEY, when, source)
        outcomes.append((store.read("posts").set_index("post_id"), counts))
    # either way: views from T2 (2000, 3000); p1's saves from T1 (25), the only snapshot that has it; p2's from T2
    for stored, _ in outcomes:
        assert stored["views"].to_dict() == {"p1": 2000, "p2": 3000}
        assert stored["saves"].to_dict() == {"p1": 25, "p2": 7}
        assert stored["_snapshot_at"].tolist() == [T2, T2]
    # newer first: the older file fills one gap (p1 updated) and has nothing for p2 (kept)
    assert (outcomes[0][1].updated, outcomes[0][1].skipped_older) == (1, 1)
    # older first: the newer file changes both rows' views
    assert outcomes[1][1].updated == 2


def test_bad_keys_are_refused_with_the_key_values(store: Store) -> None:
    dup = posts(["p1", "p2", "p1"], [1, 2, 3]).assign(_line=[5, 6, 7])
    with store.transaction() as txn:
        with pytest.raises(DataError, match=r"account_id=dy1, post_id=p1.*file line\(s\) 5, 7.*de-duplicate"):
            txn.merge("posts", dup, POSTS_KEY, T1, "s")
        no_key = posts(["p1", None], [1, 2])
        with pytest.raises(DataError, match=r"1 incoming row\(s\) lack a value for the key.*row\(s\) 2"):
            txn.merge("posts", no_key, POSTS_KEY, T1, "s")
        with pytest.raises(DataError, match="lack key column"):
            txn.merge("posts", posts(["p1"], [1]).drop(columns="post_id"), POSTS_KEY, T1, "s")
        assert txn.read("posts") is None and not txn.changed


def test_the_merge_rule_works_on_frames_alone() -> None:
    """helpers.ingest.store_merge needs no store folder: the rule on two frames, worked out by hand."""
    def rows(ids: list[str], views: list[float], likes: list[float | None], when: pd.Timestamp, source: str):
        frame = pd.DataFrame({"account_id": "a", "post_id": ids, "views": views, "likes": likes})
        return incoming_rows(frame, "posts", POSTS_KEY, when, source)

    stored = rows(["p1", "p2"], [10, 20], [None, 3], T2, "s2")
    older = rows(["p1", "p3"], [99, 5], [7, None], T1, "s1")
    merged, counts = merge_into(stored, older, "posts", POSTS_KEY)
    # p1: the older snapshot keeps views 10 (stored is newer) but fills the missing likes with 7 → updated;
    # p3 is new → added; p2 is not in the import → untouched (not counted)
    assert counts == MergeCounts(added=1, updated=1)
    assert merged is not None
    table = merged.set_index("post_id")
    assert table["views"].to_dict() == {"p1": 10.0, "p2": 20.0, "p3": 5.0}
    assert table.loc["p1", "likes"] == 7.0
    # p1 keeps its later snapshot and its source: a gap filled from an older file moves neither
    assert (table.loc["p1", "_snapshot_at"], table.loc["p1", "_source"]) == (T2, "s2")
    assert (table.loc["p3", "_snapshot_at"], table.loc["p3", "_source"]) == (T1, "s1")

    confirming = rows(["p1"], [10], [7], T3, "s3")
    again, counts = merge_into(merged, confirming, "posts", POSTS_KEY)
    # same values from a later snapshot: unchanged, yet the table is written, p1 now confirmed at T3
    assert counts == MergeCounts(unchanged=1)
    assert again is not None and again.set_index("post_id").loc["p1", "_snapshot_at"] == T3
    assert again.set_index("post_id").loc["p1", "_source"] == "s2"   # no value changed, so the source stays
    # without recording confirmations (accounts), nothing is to be written
    unrecorded = merge_into(merged, confirming, "posts", POSTS_KEY, record_confirmations=False)
    assert unrecorded == (None, MergeCounts(unchanged=1))


def test_a_column_read_as_text_after_numbers_is_refused(store: Store) -> None:
    with store.transaction() as txn:
        txn.merge("posts", posts(["p1"], [10]), POSTS_KEY, T1, "s1")
    refused = pytest.raises(DataError, match=r"column 'views'.*number values.*text values.*'1.2万'")
    with store.transaction() as txn, refused:
        txn.merge("posts", posts(["p1"], ["1.2万"]), POSTS_KEY, T2, "s2")


def test_the_scratch_line_column_is_not_stored_and_does_not_count_as_a_change(store: Store) -> None:
    with store.transaction() as txn:
        txn.merge("posts", posts(["p1"], [10]).assign(_line=[3]), POSTS_KEY, T1, "s1")
    with store.transaction() as txn:
        counts = txn.merge("posts", posts(["p1"], [10]).assign(_line=[9]), POSTS_KEY, T2, "s2")
    assert counts.unchanged == 1
    assert "_line" not in store.read("posts").columns


def test_numeric_and_text_ids_match_and_integer_keys_stay_integers(store: Store) -> None:
    activity = pd.DataFrame({"account_id": "tt1", "date": pd.to_datetime(["2026-03-01"] * 3),
                             "hour": [0, 1, 2], "active": [10, 20, 30]})
    with store.transaction() as txn:
        txn.merge("follower_activity", activity, ("account_id", "date", "hour"), T1, "s1")
        txn.merge("posts", posts(["7301234567890123456"], [5]), POSTS_KEY, T1, "s1")
    stored = store.read("follower_activity")
    assert str(stored["hour"].dtype) == "Int64" and stored["hour"].tolist() == [0, 1, 2]
    with store.transaction() as txn:
        more = activity.assign(hour=[2.0, 3.0, 4.0], active=[30, 40, 50])
        assert txn.merge("follower_activity", more, ("account_id", "date", "hour"), T2, "s2").added == 2
        numeric_id = pd.DataFrame({"account_id": ["dy1"], "post_id": [7301234567890123456], "views": [6]})
        counts = txn.merge("posts", numeric_id, POSTS_KEY, T2, "s2")
    assert (counts.added, counts.updated) == (0, 1)
    assert store.read("posts")["post_id"].tolist() == ["7301234567890123456"]
    assert sorted(store.read("follower_activity")["hour"].tolist()) == [0, 1, 2, 3, 4]


def test_merge_counts_add_up_and_read_well() -> None:
    total = MergeCounts(3, 1, 5, 0) + MergeCounts(1, 0, 0, 2, removed=1)
    assert total == MergeCounts(4, 1, 5, 2, 1)
    assert repr(MergeCounts(3, 1, 5, 0)) == "3 added, 1 updated, 5 unchanged"
    assert repr(MergeCounts(0, 0, 2, 4)) == "0 added, 0 updated, 2 unchanged, 4 kept (the store has a later snapshot)"
    assert str(total).endswith(", 1 removed")


def test_replace_swaps_a_table_without_a_key(store: Store) -> None:
    bank = pd.DataFrame({"topic": ["a", "b"], "pillar": ["x", "y"], "format": ["video", "image"]})
    with store.transaction() as txn:
        assert txn.replace("topic_bank", bank, "s1") == MergeCounts(added=2)
    generation = store.generation
    with store.transaction() as txn:
        assert txn.replace("topic_bank", bank.copy(), "s2") == MergeCounts(unchanged=2)
    assert store.generation == generation
    bigger = pd.DataFrame({"topic": ["c", "d", "e"], "pillar": ["x"] * 3, "format": ["text"] * 3})
    with store.transaction() as txn:
        assert txn.replace("topic_bank", bigger, "s3") == MergeCounts(added=3, removed=2)
        with pytest.raises(ValueError, match="merge"):
            txn.replace("posts", bigger, "s3")
    assert store.read("topic_bank")["topic"].tolist() == ["c", "d", "e"]


def test_accounts_upsert_keeps_what_an_import_does_not_say(store: Store) -> None:
    with store.transaction() as txn:
        txn.upsert_account("dy1", "douyin", "Brand Douyin")
        txn.upsert_account("ig1", "instagram", "Brand IG", timezone="Europe/Berlin", category="beauty")
    with store.transaction() as txn:
        counts = txn.upsert_account("ig1", "instagram", "Brand IG")   # an import naming the account again
        assert counts.unchanged == 1
        txn.upsert_account("dy1", "douyin", "Brand Douyin", owner="competitor")
        with pytest.raises(DataError, match="unknown platform"):
            txn.upsert_account("x1", "myspace", "X")
    accounts = store.read("accounts").set_index("account_id")
    assert accounts.loc["ig1", ["timezone", "category", "owner"]].tolist() == ["Europe/Berlin", "beauty", "own"]
    assert accounts.loc["dy1", ["timezone", "owner"]].tolist() == ["Asia/Shanghai", "competitor"]
    assert list(accounts.reset_index().columns[:6]) == ["account_id", "platform", "name", "owner", "category",
                                                        "timezone"]


# -- generations are data folders --------------------------------------------------------------


def test_the_current_generation_is_a_data_folder_helpers_data_can_load(store: Store) -> None:
    daily = pd.DataFrame({"date": pd.date_range("2026-03-01", periods=4), "account_id": "dy1",
                          "followers": [100, 110, 120, 130], "impressions": [1000, None, 1200, 1300]})
    with store.transaction() as txn:
        txn.upsert_account("dy1", "douyin", "Brand")
        txn.merge("account_daily", daily, DAILY_KEY, T1, "s1")
        txn.merge("posts", posts(["p1"], [5], format=["short_video"], paid=[False], pillar=[None],
                                 title=["hi"], topics=[None]), POSTS_KEY, T1, "s1")
    folder = current_data_dir(store.root)
    assert folder is not None and folder.name == (store.root / "CURRENT").read_text().strip() == store.generation
    assert sorted(p.name for p in folder.iterdir()) == ["_imports.parquet", "account_daily.parquet",
                                                        "accounts.parquet", "posts.parquet"]
    raw = read_raw(find_table_file("account_daily", folder))
    assert raw["followers"].tolist() == [100.0, 110.0, 120.0, 130.0]
    loaded = load_tables(["account_daily", "posts"], folder)
    assert loaded["account_daily"]["date"].tolist() == list(pd.date_range("2026-03-01", periods=4))
    assert math.isnan(loaded["account_daily"]["impressions"].iloc[1])
    assert loaded["posts"]["published_at"].iloc[0] == pd.Timestamp("2026-02-10 20:00")
    assert loaded["accounts"]["platform"].tolist() == ["douyin"]


def test_parquet_round_trip_keeps_types_and_values(store: Store) -> None:
    rows = pd.DataFrame({
        "account_id": ["a", "a"], "post_id": ["1", "2"], "views": [1, 2], "rate": [0.1, None],
        "paid": [True, False], "title": ["标题", None], "published_at": pd.to_datetime(["2026-01-01 08:00", None]),
        "at_utc": pd.to_datetime(["2026-01-01 00:00+00:00", "2026-01-02 12:00+00:00"]),
    })
    with store.transaction() as txn:
        txn.merge("posts", rows, POSTS_KEY, T1, "s1")
    stored = store.read("posts")
    dtypes = {c: str(t) for c, t in stored.dtypes.items()}
    assert dtypes["views"] == "float64" and dtypes["rate"] == "float64" and dtypes["paid"] == "boolean"
    assert dtypes["published_at"] == dtypes["at_utc"] == dtypes["_snapshot_at"] == "datetime64[ns]"
    assert dtypes["title"] == dtypes["_source"] == "str"
    assert stored["at_utc"].tolist() == [pd.Timestamp("2026-01-01 08:00"), pd.Timestamp("2026-01-02 20:00")]
    assert stored["title"].iloc[0] == "标题" and pd.isna(stored["title"].iloc[1])
    with store.transaction() as txn:   # the stored frame merged back is unchanged
        assert txn.merge("posts", stored, POSTS_KEY, T2, "s2").unchanged == 2


# -- crashes ------------------------------------------------------------------------------------


def _seed(store: Store) -> pd.DataFrame:
    with store.transaction() as txn:
        txn.merge("posts", posts(["p1", "p2"], [1, 2]), POSTS_KEY, T1, "s1")
        txn.record(file="a.csv", sha256="s1", account_id="dy1", kind="k", table="posts", added=2)
    return store.read("posts")


def test_an_exception_inside_the_block_changes_nothing(store: Store) -> None:
    before = _seed(store)
    generation, folders = store.generation, generations(store.root)
    with pytest.raises(RuntimeError, match="boom"), store.transaction() as txn:
        txn.merge("posts", posts(["p1", "p9"], [50, 9]), POSTS_KEY, T2, "s2")
        txn.record(file="b.csv", sha256="s2", account_id="dy1")
        raise RuntimeError("boom")
    assert store.generation == generation and generations(store.root) == folders
    pd.testing.assert_frame_equal(store.read("posts"), before)
    assert store.log()["file"].tolist() == ["a.csv"]
    (store.root / "generations" / ".tmp-left-over").mkdir()       # as a killed writer would leave it
    with store.transaction() as txn:
        assert txn.read("posts")["views"].tolist() == [1.0, 2.0]
    assert generations(store.root) == folders


def test_a_failure_while_writing_a_table_file_leaves_the_store_as_it_was(store: Store, monkeypatch) -> None:
    before = _seed(store)
    generation, folders = store.generation, generations(store.root)
    written: list[str] = []
    real = store_layout.write_parquet

    def failing(frame: pd.DataFrame, path: Path) -> None:
        if written:
            raise OSError("disk full")
        written.append(path.name)
        real(frame, path)

    monkeypatch.setattr(store_layout, "write_parquet", failing)
    with pytest.raises(OSError, match="disk full"), store.transaction() as txn:
        txn.merge("posts", posts(["p3"], [3]), POSTS_KEY, T2, "s2")
        txn.record(file="b.csv", sha256="s2", account_id="dy1")
    assert written   # one file was written before the failure
    assert store.generation == generation and generations(store.root) == folders
    pd.testing.assert_frame_equal(store.read("posts"), before)
    monkeypatch.setattr(store_layout, "write_parquet", real)
    with store.transaction() as txn:
        txn.merge("posts", posts(["p3"], [3]), POSTS_KEY, T2, "s2")
    assert sorted(store.read("posts")["post_id"]) == ["p1", "p2", "p3"]


def test_a_failure_replacing_current_leaves_the_store_as_it_was(store: Store, monkeypatch) -> None:
    before = _seed(store)
    generation, folders = store.generation, generations(store.root)

    def failing(tmp: Path, path: Path) -> None:
        raise OSError("no space for CURRENT")

    monkeypatch.setattr(store_layout, "replace_current", failing)
    with pytest.raises(OSError, match="no space"), store.transaction() as txn:
        txn.merge("posts", posts(["p3"], [3]), POSTS_KEY, T2, "s2")
    assert store.generation == generation and generations(store.root) == folders
    assert (store.root / "CURRENT").read_text().strip() == generation
    pd.testing.assert_frame_equal(store.read("posts"), before)


def test_a_writer_killed_while_writing_the_generation_leaves_the_old_store(store: Store, tmp_path: Path) -> None:
    before = _seed(store)
    generation = store.generation
    result = run_child(f"""
        import os
        import pandas as pd
        from helpers.ingest import store_layout
        from helpers.ingest.store import Store
        real = store_layout.write_parquet
        def dying(frame, path):
            real(frame, path)
            os._exit(1)          # killed after the first file of the new generation
        store_layout.write_parquet = dying
        store = Store.open({str(store.root)!r})
        with store.transaction() as txn:
            rows = pd.DataFrame({{"account_id": ["dy1"], "post_id": ["p1"], "views": [999]}})
            txn.merge("posts", rows, ("account_id", "post_id"), pd.Timestamp("2026-04-01"), "s-child")
        print("not reached")
    """, tmp_path)
    assert result.returncode == 1 and "not reached" not in result.stdout, result.stderr
    assert any(name.startswith(".tmp-") for name in generations(store.root))   # the half-written folder
    assert store.generation == generation
    pd.testing.assert_frame_equal(Store.open(store.root).read("posts"), before)
    with store.transaction() as txn:
        txn.merge("posts", posts(["p3"], [3]), POSTS_KEY, T2, "s2")
    assert not any(name.startswith(".tmp-") for name in generations(store.root))
    assert by_post(store.read("posts"))["views"].to_dict() == {"p1": 1.0, "p2": 2.0, "p3": 3.0}


def test_a_writer_killed_before_current_is_replaced_leaves_the_old_store(store: Store, tmp_path: Path) -> None:
    before = _seed(store)
    generation = store.generation     # g000002
    result = run_child(f"""
        import os
        import pandas as pd
        from helpers.ingest import store_layout
        from helpers.ingest.store import Store
        store_layout.replace_current = lambda tmp, path: os._exit(1)
        store = Store.open({str(store.root)!r})
        with store.transaction() as txn:
            rows = pd.DataFrame({{"account_id": ["dy1"], "post_id": ["p1"], "views": [999]}})
            txn.merge("posts", rows, ("account_id", "post_id"), pd.Timestamp("2026-04-01"), "s-child")
    """, tmp_path)
    assert result.returncode == 1, result.stderr
    assert "g000003" in generations(store.root)          # renamed, but never published
    assert store.generation == generation
    pd.testing.assert_frame_equal(store.read("posts"), before)
    with store.transaction() as txn:
        txn.merge("posts", posts(["p3"], [3]), POSTS_KEY, T2, "s2")
    # the unpublished g000003 is kept (it cannot be told from a rolled-back one) and its name not reused
    assert store.generation == "g000004" and "g000003" in generations(store.root)
    assert by_post(store.read("posts"))["views"].to_dict() == {"p1": 1.0, "p2": 2.0, "p3": 3.0}


# -- concurrency ----------------------------------------------------------------------------------


WRITER = """
    import sys, time
    from pathlib import Path
    import pandas as pd
    from helpers.ingest.store import Store
    root, name, wait_for, inside = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    trying, hold_until = Path(sys.argv[5]), Path(sys.argv[6])
    while not wait_for.exists():
        time.sleep(0.01)
    store = Store.open(root)
    tried = time.time()
    trying.touch()
    with store.transaction(timeout=30) as txn:
        entered = time.time()
        rows = pd.DataFrame({"account_id": name, "post_id": [f"{name}-{i}" for i in range(50)], "views": range(50)})
        txn.merge("posts", rows, ("account_id", "post_id"), pd.Timestamp("2026-04-01"), name)
        txn.record(file=f"{name}.csv", sha256=name, account_id=name, table="posts", added=50)
        inside.touch()
        while not hold_until.exists():  # w1 holds the lock until w2 is trying to get it, however slow the machine
            time.sleep(0.01)
        time.sleep(0.5)
    print(name, tried, entered, time.time())
"""


def test_two_writers_at_once_both_land(store: Store, tmp_path: Path) -> None:
    _seed(store)
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(WRITER), encoding="utf-8")
    go, w1_inside, w2_inside = tmp_path / "go", tmp_path / "w1-inside", tmp_path / "w2-inside"
    w1_trying, w2_trying = tmp_path / "w1-trying", tmp_path / "w2-trying"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    # w2 starts its transaction only once w1 is inside its own, and w1 holds it until w2 is trying, so w2 must
    # wait for the lock however the machine schedules them
    args = [("w1", go, w1_inside, w1_trying, w2_trying), ("w2", w1_inside, w2_inside, w2_trying, go)]
    procs = [subprocess.Popen([sys.executable, str(script), str(store.root), name, str(wait), str(inside),
                               str(trying), str(hold)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name, wait, inside, trying, hold in args]
    go.touch()
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    times = {out.split()[0]: tuple(map(float, out.split()[1:])) for out, _ in outputs}
    _, _, w1_done = times["w1"]
    w2_tried, w2_entered, _ = times["w2"]
    assert w2_tried < w1_done            # the two transactions overlapped in time ...
    assert w2_entered >= w1_done - 0.05  # ... and w2 got the lock only after w1 committed
    table = store.read("posts")
    assert table.groupby("account_id").size().to_dict() == {"dy1": 2, "w1": 50, "w2": 50}
    assert sorted(store.log()["file"]) == ["a.csv", "w1.csv", "w2.csv"]
    assert store.generation == "g000004"
    assert generations(store.root) == ["g000002", "g000003", "g000004"]


def test_a_held_lock_times_out_with_a_clear_message(store: Store) -> None:
    holder = FileLock(str(store.root / ".lock"))
    holder.acquire()
    try:
        started = time.monotonic()
        with (pytest.raises(DataError, match=r"another import is writing to .*lock .*held.*waited 0.5 s.*try again"),
              store.transaction(timeout=0.5)):
            pass
        assert 0.4 < time.monotonic() - started < 5
    finally:
        holder.release()
    with store.transaction(timeout=0.5) as txn:
        assert txn.tables() == []


# -- generations, archive, log, info ------------------------------------------------------------


def test_only_the_newest_three_generations_are_kept(store: Store) -> None:
    for i in range(5):
        with store.transaction() as txn:
            txn.merge("posts", posts([f"p{i}"], [i]), POSTS_KEY, T1, f"s{i}")
    assert store.generation == "g000006"
    assert generations(store.root) == ["g000004", "g000005", "g000006"]
    assert len(store.read("posts")) == 5


def test_archive_stores_each_content_once(store: Store, tmp_path: Path) -> None:
    export = tmp_path / "Content.CSV"
    export.write_bytes("Date,Views\n2026-03-01,12\n".encode("utf-8-sig"))
    expected = hashlib.sha256(export.read_bytes()).hexdigest()
    copy = tmp_path / "Content (1).csv"
    copy.write_bytes(export.read_bytes())
    with store.transaction() as txn:
        first, second, third = txn.archive(export), txn.archive(export), txn.archive(copy)
    assert first == second == third == expected
    path = store.raw_path(expected)
    assert path == store.root / "raw" / expected[:2] / f"{expected}.csv"
    assert path.read_bytes() == export.read_bytes()
    assert [p.name for p in (store.root / "raw").rglob("*") if p.is_file()] == [f"{expected}.csv"]
    with pytest.raises(DataError, match="no raw file"):
        store.raw_path("0" * 64)
    with store.transaction() as txn, pytest.raises(DataError, match="file not found"):
        txn.archive(tmp_path / "missing.csv")


def test_already_imported_reads_the_log_of_committed_imports(store: Store) -> None:
    with store.transaction() as txn:
        assert not txn.already_imported("abc", "dy1")
        txn.record(file="a.csv", sha256="abc", account_id="dy1", kind="douyin_content", table="posts",
                   **MergeCounts(added=3).as_dict())
        assert txn.already_imported("abc", "dy1")   # staged rows count inside the transaction
    with pytest.raises(RuntimeError), store.transaction() as txn:
        txn.record(file="b.csv", sha256="def", account_id="dy1")
        raise RuntimeError("failed import")
    with store.transaction() as txn:
        assert txn.already_imported("abc", "dy1")
        assert not txn.already_imported("abc", "ig1")
        assert not txn.already_imported("def", "dy1")
    log = store.log()
    assert log[["file", "added", "removed"]].values.tolist() == [["a.csv", 3, 0]]
    assert str(log["added"].dtype) == "int64" and str(log["imported_at"].dtype) == "datetime64[ns]"


def test_store_info_reports_tables_accounts_dates_and_last_imports(store: Store) -> None:
    daily = pd.concat([
        pd.DataFrame({"date": pd.date_range("2026-01-01", "2026-01-31"), "account_id": "dy1", "followers": 1.0}),
        pd.DataFrame({"date": pd.date_range("2026-02-10", "2026-02-14"), "account_id": "ig1", "followers": 2.0}),
    ])
    with store.transaction() as txn:
        txn.upsert_account("dy1", "douyin", "Brand DY")
        txn.upsert_account("ig1", "instagram", "Brand IG")
        counts = txn.merge("account_daily", daily, DAILY_KEY, T1, "sha-daily")
        txn.record(imported_at=pd.Timestamp("2026-03-01 10:30"), file="overview.csv", sha256="sha-daily",
                   account_id="dy1", kind="douyin_overview", table="account_daily", skipped_rows=1,
                   notes="1 total row dropped", **counts.as_dict())
        txn.merge("posts", posts(["p1", "p2"], [1, 2], account="ig1"), POSTS_KEY, T1, "sha-posts")
    info = store.info()
    assert info.tables.set_index("table")["rows"].to_dict() == {"account_daily": 36, "accounts": 2, "posts": 2}
    per = info.per_account.set_index(["table", "account_id"])
    assert per.loc[("account_daily", "dy1"), "rows"] == 31
    assert per.loc[("account_daily", "ig1"), "first_date"] == pd.Timestamp("2026-02-10")
    text = str(info)
    print(text)
    for expected in ("g000002", "account_daily", "accounts", "posts", "36",
                     "2026-01-01  2026-01-31", "2026-02-10  2026-02-14", "2026-02-10  2026-02-11",
                     "2026-03-01 10:30  overview.csv (dy1, douyin_overview) → account_daily: 36 added",
                     "1 row(s) not imported; 1 total row dropped"):
        assert expected in text, expected
    assert "No tables yet" in str(Store.create(store.root.parent / "empty").info())


def test_a_transaction_is_single_use(store: Store) -> None:
    txn = store.transaction()
    with pytest.raises(RuntimeError, match="inside"):
        txn.read("posts")
    with txn:
        pass
    with pytest.raises(RuntimeError):
        txn.merge("posts", posts(["p1"], [1]), POSTS_KEY, T1, "s")
    with pytest.raises(RuntimeError, match="once"), txn:
        pass


# -- the merge rule as a property ------------------------------------------------------------------


snapshots = st.lists(
    st.tuples(st.integers(0, 3),                                   # snapshot day
              st.lists(st.tuples(st.sampled_from("abcde"), st.one_of(st.none(), st.integers(0, 5))),
                       max_size=5, unique_by=lambda t: t[0])),
    min_size=1, max_size=5,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(exports=snapshots)
def test_merge_follows_the_documented_rule_over_random_import_sequences(tmp_path_factory, exports) -> None:
    store = Store.create(tmp_path_factory.mktemp("prop") / "store")
    with pytest.raises(KeyError), store.transaction() as txn:   # stage only: the rule is about the merge, not the disk
        for day, rows in exports:
            frame = pd.DataFrame({"account_id": "a", "post_id": [k for k, _ in rows],
                                  "views": [float("nan") if v is None else v for _, v in rows]})
            txn.merge("posts", frame, POSTS_KEY, pd.Timestamp("2026-01-01") + pd.Timedelta(days=day), "s")
        table = txn.read("posts")
        raise KeyError("roll back")
    # a plain-dict model of the rule: a snapshot at least as new overwrites with its known value, an
    # older one only fills a missing value, missing never erases, and the row keeps the latest time seen
    model: dict[str, tuple[int | None, int]] = {}
    for day, rows in exports:
        for k, v in rows:
            if k not in model:
                model[k] = (v, day)
                continue
            value, seen = model[k]
            if day >= seen:
                model[k] = (v if v is not None else value, day)
            elif value is None:
                model[k] = (v, seen)
    if table is None:
        assert model == {}
        return
    got = {k: (None if math.isnan(v) else int(v), (t - pd.Timestamp("2026-01-01")).days)
           for k, v, t in zip(table["post_id"], table["views"], table["_snapshot_at"], strict=True)}
    assert got == model


def test_adding_an_unchanged_account_again_writes_no_generation(store: Store) -> None:
    # setup scripts re-add their accounts before each import: that must not push out the kept generations
    with store.transaction() as txn:
        txn.upsert_account("ig1", "instagram", "I")
    generation = store.generation
    for _ in range(2):
        with store.transaction() as txn:
            assert txn.upsert_account("ig1", "instagram", "I").unchanged == 1
    assert store.generation == generation


def test_a_hand_rollback_keeps_the_rolled_back_generation_and_never_reuses_its_name(store: Store) -> None:
    for views in (1, 2, 3):
        with store.transaction() as txn:
            txn.merge("posts", posts(["p1"], [views]), POSTS_KEY, T1 + pd.Timedelta(days=views), f"s{views}")
    assert store.generation == "g000004"                                      # g000001 is the empty store
    (store.root / "CURRENT").write_text("g000003\n", encoding="utf-8")        # roll back the third import
    assert store.read("posts")["views"].tolist() == [2]
    with store.transaction() as txn:
        txn.merge("posts", posts(["p2"], [9]), POSTS_KEY, T3, "s4")
    # the new generation is g000005, not a second g000004; the rolled-back g000004 is still there
    assert store.generation == "g000005"
    assert (store.root / "generations" / "g000004").is_dir()
    assert sorted(store.read("posts")["views"].tolist()) == [2, 9]


@pytest.mark.parametrize("current", ["g7", "g000099", ""])
def test_a_write_refuses_a_current_that_names_no_generation(store: Store, current: str) -> None:
    with store.transaction() as txn:
        txn.merge("posts", posts(["p1"], [1]), POSTS_KEY, T1, "s")
    (store.root / "CURRENT").write_text(current + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"(does not exist \(generations: g000001, g000002\)|CURRENT is missing "
                                        r"or empty).*Nothing was changed"), store.transaction() as txn:
        txn.upsert_account("y1", "weibo", "Y")
    assert generations(store.root) == ["g000001", "g000002"]


# -- untouched tables are hard links (issue 22: a generation rewrites only what an import touched) --------


def _daily(days: list[str], followers: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"account_id": "dy1", "date": pd.to_datetime(days), "followers": followers})


def test_a_commit_touching_one_table_hard_links_the_others_and_a_rollback_restores_their_bytes(store: Store) -> None:
    with store.transaction() as txn:
        txn.merge("posts", posts(["p1", "p2"], [10, 20]), POSTS_KEY, T1, "s1")
        txn.merge("account_daily", _daily(["2026-03-01", "2026-03-02"], [100, 101]), DAILY_KEY, T1, "s1")
    before = store.data_dir
    assert before is not None
    before_bytes = {p.name: p.read_bytes() for p in before.glob("*.parquet")}
    with store.transaction() as txn:           # touches posts only
        txn.merge("posts", posts(["p1"], [15]), POSTS_KEY, T2, "s2")
    after = store.data_dir
    assert after is not None and after != before
    for name in ("account_daily.parquet", "accounts.parquet"):
        if (before / name).exists():
            # the same file (inode), not a copy: nothing was rewritten
            assert (after / name).stat().st_ino == (before / name).stat().st_ino, name
            assert (after / name).stat().st_nlink >= 2
    assert (after / "account_daily.parquet").exists()
    assert (after / "posts.parquet").stat().st_ino != (before / "posts.parquet").stat().st_ino
    assert by_post(store.read("posts"))["views"].tolist() == [15, 20]
    # a hand rollback to the previous generation gives back every file byte for byte
    (store.root / "CURRENT").write_text(f"{before.name}\n", encoding="utf-8")
    rolled = store.data_dir
    assert rolled == before
    assert {p.name: p.read_bytes() for p in rolled.glob("*.parquet")} == before_bytes
    assert by_post(store.read("posts"))["views"].tolist() == [10, 20]


def test_pruning_the_generation_a_newer_one_links_to_keeps_the_newer_one_readable(store: Store) -> None:
    with store.transaction() as txn:
        txn.merge("account_daily", _daily(["2026-03-01"], [100]), DAILY_KEY, T1, "s0")
    first = store.data_dir
    assert first is not None
    daily_bytes = (first / "account_daily.parquet").read_bytes()
    for i in range(4):                          # four commits touching posts only: `first` is pruned
        with store.transaction() as txn:
            txn.merge("posts", posts([f"p{i}"], [i]), POSTS_KEY, T1, f"s{i}")
    assert not first.exists()
    current = store.data_dir
    assert current is not None
    # the daily table the pruned generation held is still there, through its link, unchanged
    assert (current / "account_daily.parquet").read_bytes() == daily_bytes
    daily = store.read("account_daily")
    assert daily is not None and daily["followers"].tolist() == [100.0]
    assert len(store.read("posts")) == 4
    # helpers.data still finds and reads the linked table in the generation's data folder
    assert read_raw(find_table_file("account_daily", current))["followers"].tolist() == [100.0]


# -- merging only the touched rows (issue 22) --------------------------------------------------------


def _whole_frame_merge(file: Path | None, rows: pd.DataFrame, when: pd.Timestamp, source: str,
                       out: Path) -> tuple[pd.DataFrame | None, MergeCounts]:
    """The merge as it was before the row-level path: read the whole file, merge the frames, write it all."""
    stored = None if file is None else store_layout.read_parquet(file)
    merged, counts = merge_into(stored, incoming_rows(rows, "posts", POSTS_KEY, when, source), "posts", POSTS_KEY)
    if merged is None:
        return stored, counts
    merged.reset_index(drop=True).to_parquet(out, index=False)
    return store_layout.read_parquet(out), counts


def test_a_merge_rewrites_only_the_touched_rows_yet_gives_the_whole_frame_merge(store: Store, tmp_path: Path) -> None:
    """Each transaction merges through the Arrow row-level path (the base file is not read into pandas);
    table, row order, types, counts and the written `attrs` equal the old whole-frame merge after every step,
    fallbacks included (a new column, an empty import, text meeting stored numbers)."""
    base = pd.DataFrame({"account_id": "dy1", "post_id": [f"p{i}" for i in range(40)],
                         "views": [float(i) for i in range(40)],
                         "published_at": pd.date_range("2026-01-01 20:00", periods=40, freq="D"),
                         "likes": [None if i % 3 else float(i) for i in range(40)],
                         "title": [f"t{i}" for i in range(40)]})
    steps: list[tuple[pd.DataFrame, pd.Timestamp, str]] = [
        (base, T1, "s1"),
        # update three rows in the middle and one at each end, add two (later snapshot)
        (posts(["p0", "p17", "p18", "p25", "p39", "n1", "n2"], [100, 17, 180, None, 390, 1, 2],
               likes=[1.0, None, 5.0, 6.0, None, None, 2.0]), T2, "s2"),
        # an older snapshot: fills gaps only; one unknown post of another account
        (pd.concat([posts(["p1", "p2", "p3"], [-1, -2, -3], likes=[11.0, 12.0, 13.0]),
                    posts(["p1"], [7], account="dy2")], ignore_index=True), T1, "s0"),
        # a confirmation (same values, later snapshot): unchanged yet written
        (posts(["p18"], [180], likes=[5.0]), T3, "s3"),
        # nothing stored matches: all added at the end
        (posts(["z1", "z2"], [1, None]), T3, "s4"),
        # a column the store lacks: falls back to the whole-frame merge
        (posts(["p5", "z3"], [50, 3], saves=[4.0, None]), T3, "s5"),
        # no rows at all
        (posts([], []), T3, "s6"),
    ]
    reference: pd.DataFrame | None = None
    ref_file: Path | None = None
    for i, (rows, when, source) in enumerate(steps):
        with store.transaction() as txn:
            counts = txn.merge("posts", rows, POSTS_KEY, when, source)
            staged = txn._staged.get("posts")
            if i in (1, 2, 3, 4):   # the base file was never read as a frame: the row-level path ran
                assert isinstance(staged, pa.Table) and "posts" not in txn._base_tables
        out = tmp_path / f"ref{i}.parquet"
        reference, expected_counts = _whole_frame_merge(ref_file, rows, when, source, out)
        ref_file = out if out.exists() else ref_file
        assert counts == expected_counts, i
        got = store.read("posts")
        pd.testing.assert_frame_equal(got, reference, check_exact=True)
        assert got.attrs == reference.attrs, i
    assert reference is not None and len(reference) == 40 + 2 + 1 + 2 + 1
    # text meeting stored numbers is refused with the whole-frame merge's message
    refused = pytest.raises(DataError, match=r"column 'views'.*number values.*text values")
    with store.transaction() as txn, refused:
        txn.merge("posts", posts(["p1"], ["1.2万"]), POSTS_KEY, T3, "s7")


def test_a_filtered_read_returns_the_rows_of_those_keys(store: Store) -> None:
    with store.transaction() as txn:
        txn.merge("posts", posts(["p1", "p2", "p3"], [1, 2, 3]), POSTS_KEY, T1, "s1")
        txn.merge("posts", posts(["p1"], [9], account="dy2"), POSTS_KEY, T1, "s1")
    where = {"account_id": ["dy1"], "post_id": ["p1", "p3", "nope"]}
    assert store.read("posts", where=where)[["post_id", "views"]].values.tolist() == [["p1", 1.0], ["p3", 3.0]]
    assert store.read("posts", columns=["post_id"], where={"post_id": ["p1"]})["post_id"].tolist() == ["p1", "p1"]
    assert store.read("posts", where={"post_id": []}).empty
    with store.transaction() as txn:
        from_arrow = txn.read("posts", where=where)
        txn.read("posts")   # now held as a frame: the frame is filtered the same way
        from_frame = txn.read("posts", where=where)
    pd.testing.assert_frame_equal(from_arrow, from_frame)
    assert from_arrow["post_id"].tolist() == ["p1", "p3"]
