"""helpers.timezones: per-account local time, worked out by hand from the zones' UTC offsets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.data import load_tables
from helpers.errors import DataError
from helpers.timezones import (
    DEFAULT_TIMEZONE,
    account_zones,
    local_times,
    parse_local_times,
    to_local,
    to_local_by_account,
)

ACCOUNTS = pd.DataFrame({"account_id": ["cn", "uk", "blank"], "timezone": ["Asia/Shanghai", "Europe/London", None]})


def test_account_zones_default_blank_to_shanghai() -> None:
    assert account_zones(ACCOUNTS).to_dict() == {"cn": "Asia/Shanghai", "uk": "Europe/London",
                                                "blank": DEFAULT_TIMEZONE}


def test_unknown_zone_names_the_account() -> None:
    with pytest.raises(DataError, match=r"'uk' has an unknown timezone 'Europe/Londn'"):
        account_zones(ACCOUNTS.assign(timezone=["Asia/Shanghai", "Europe/Londn", None]))


def test_aware_times_become_each_accounts_wall_clock() -> None:
    # 2026-01-15 12:00 UTC: Shanghai is UTC+8 (20:00), London in winter UTC+0 (12:00)
    times = pd.Series(pd.to_datetime(["2026-01-15T12:00:00Z"] * 3))
    got = to_local_by_account(times, pd.Series(["cn", "uk", "blank"]), account_zones(ACCOUNTS))
    assert got.tolist() == [pd.Timestamp("2026-01-15 20:00"), pd.Timestamp("2026-01-15 12:00"),
                            pd.Timestamp("2026-01-15 20:00")]


def test_naive_times_are_local_already() -> None:
    naive = pd.Series(pd.to_datetime(["2026-01-15 09:30"]))
    assert to_local(naive).tolist() == [pd.Timestamp("2026-01-15 09:30")]
    assert local_times(pd.DataFrame({"account_id": ["uk"], "occurred_at": naive}), ACCOUNTS).tolist() == \
        [pd.Timestamp("2026-01-15 09:30")]


def test_text_mixing_naive_and_offset_values() -> None:
    # +02:00 at 00:30 is 22:30 UTC the day before: 06:30 in Shanghai; Z at 23:00 UTC: 07:00 next day in Shanghai
    text = pd.Series(["2026-07-01T00:30:00+02:00", "2026-07-01 09:00", "2026-07-01T23:00:00Z", "not a time"])
    got = parse_local_times(text, pd.Series([DEFAULT_TIMEZONE] * 4))
    assert got.tolist()[:3] == [pd.Timestamp("2026-07-01 06:30"), pd.Timestamp("2026-07-01 09:00"),
                                pd.Timestamp("2026-07-02 07:00")]
    assert pd.isna(got.iloc[3])


def test_keep_own_zone_when_zone_is_none() -> None:
    aware = pd.Series(pd.to_datetime(["2026-07-01T00:30:00+02:00"]))
    assert to_local(aware, None).tolist() == [pd.Timestamp("2026-07-01 00:30")]


def test_loading_a_csv_applies_each_accounts_zone(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(
        "account_id,platform,name,owner,timezone\n"
        "own_cn,weibo,CN,own,Asia/Shanghai\nown_us,x,US,own,America/New_York\n", encoding="utf-8")
    # 2026-03-01 02:00 UTC = 10:00 in Shanghai, 21:00 the day before in New York (EST, UTC−5)
    (tmp_path / "posts.csv").write_text(
        "post_id,account_id,published_at,format,pillar,title,topics,paid\n"
        "p1,own_cn,2026-03-01T02:00:00Z,image,a,t,x,false\n"
        "p2,own_us,2026-03-01T02:00:00Z,image,a,t,x,false\n"
        "p3,own_us,2026-03-01 08:00,image,a,t,x,false\n", encoding="utf-8")
    posts = load_tables(["posts"], tmp_path)["posts"].set_index("post_id")["published_at"]
    assert posts.to_dict() == {"p1": pd.Timestamp("2026-03-01 10:00"), "p2": pd.Timestamp("2026-02-28 21:00"),
                               "p3": pd.Timestamp("2026-03-01 08:00")}


def test_loading_refuses_an_unknown_zone_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(
        "account_id,platform,name,owner,timezone\nown_cn,weibo,CN,own,Asia/Shanghai\nown_x,x,X,own,Mars/Base\n",
        encoding="utf-8")
    with pytest.raises(DataError, match=r"accounts.csv, column 'timezone': unknown time zone; 1 row\(s\), first at line"
                                        r"\(s\) 3; values: 'own_x: Mars/Base'"):
        load_tables(["accounts"], tmp_path)


@pytest.mark.parametrize(("written", "shanghai"), [
    # 04:00 UTC is 12:00 in Shanghai (UTC+8) however the offset is spelled
    ("2026-10-01T04:00:00Z", "2026-10-01 12:00"),
    ("2026-10-01T04:00:00.250Z", "2026-10-01 12:00:00.250"),
    ("2026-10-01 12:00:00+0800", "2026-10-01 12:00"),
    ("20261001T120000+0800", "2026-10-01 12:00"),   # ISO 8601 basic format
    ("2026-10-01T12+08:00", "2026-10-01 12:00"),     # hours only
    ("2026-10-01t04:00:00z", "2026-10-01 12:00"),    # lower-case t and z
    ("2026-09-30T23:00:00-05:00", "2026-10-01 12:00"),  # 23:00 at UTC−5 is 04:00 UTC
])
def test_every_offset_form_mixed_with_naive_values(written: str, shanghai: str) -> None:
    # the "Mixed timezones detected": one column holding naive values, +08:00 and Z (and other spellings)
    text = pd.Series(["2026-10-01 09:00", written, "2026-10-01T12:00:00+08:00", "2026-10-01T04:00:00Z"])
    got = parse_local_times(text, pd.Series([DEFAULT_TIMEZONE] * 4))
    assert got.tolist() == [pd.Timestamp("2026-10-01 09:00"), pd.Timestamp(shanghai),
                            pd.Timestamp("2026-10-01 12:00"), pd.Timestamp("2026-10-01 12:00")]


def test_mixed_offsets_go_to_a_non_shanghai_accounts_zone(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(
        "account_id,platform,name,owner,timezone\nown_uk,x,UK,own,Europe/London\n", encoding="utf-8")
    # summer: London is UTC+1. 12:00+08:00 = 04:00 UTC = 05:00 London; 04:00Z = 05:00 London;
    # 20261001T120000+0800 the same instant; the naive 09:00 is London time already
    (tmp_path / "comments.csv").write_text(
        "comment_id,account_id,created_at,text,source\n"
        "c1,own_uk,2026-10-01T12:00:00+08:00,a,comment\nc2,own_uk,2026-10-01T04:00:00Z,b,comment\n"
        "c3,own_uk,20261001T120000+0800,c,comment\nc4,own_uk,2026-10-01 09:00,d,comment\n", encoding="utf-8")
    got = load_tables(["comments"], tmp_path)["comments"].set_index("comment_id")["created_at"]
    assert got.to_dict() == {"c1": pd.Timestamp("2026-10-01 05:00"), "c2": pd.Timestamp("2026-10-01 05:00"),
                             "c3": pd.Timestamp("2026-10-01 05:00"), "c4": pd.Timestamp("2026-10-01 09:00")}


def test_experiment_unit_timestamps_may_mix_offsets() -> None:
    from helpers.experiments.design import typed_units
    units = pd.DataFrame({"experiment_id": ["E"] * 3, "unit_id": ["1", "2", "3"], "variant": ["A", "B", "A"],
                          "assigned_at": ["2026-10-01T12:00:00+08:00", "2026-10-01T04:00:00Z", "2026-10-01 09:00"]})
    # units have no account: Asia/Shanghai; 04:00 UTC = 12:00
    assert typed_units(units)["assigned_at"].tolist() == [pd.Timestamp("2026-10-01 12:00"),
                                                          pd.Timestamp("2026-10-01 12:00"),
                                                          pd.Timestamp("2026-10-01 09:00")]


def test_a_value_that_is_not_a_time_is_a_problem_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "touchpoints.csv").write_text(
        "journey_id,occurred_at,channel\nj1,2026-10-01T04:00:00Z,search\nj1,2026-10-01 04:00 UTC,kol\n"
        "j2,2026-10-01T12:00:00+08:00,feed\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"touchpoints.csv, column 'occurred_at': unparsable date .*line\(s\) 3; "
                                        r"values: '2026-10-01 04:00 UTC'"):
        load_tables(["touchpoints"], tmp_path)
