"""The defect corpus: the sample data with one defect per folder, as real platform exports carry them.

Each `Defect` names a folder, says what is wrong in words, and makes it by editing a copy of the sample
(`make(folder)`). tests/test_corpus.py checks what the suite answers for each: the exit code, a message
that names the file, column and rows without a traceback, or, when the run goes on, numbers equal to the
clean run's or the oddity stated in the report and summary.json. To try them by hand, write every folder
under OUT with `PYTHONPATH=tests .venv/bin/python -m corpus.defects OUT`.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Defect:
    """One defect: its folder name, what is wrong, and how to make it from a copy of the sample."""

    name: str
    what: str
    make: Callable[[Path], None]

    def build(self, sample: Path, root: Path) -> Path:
        """Copy the sample into root/name and apply the defect; returns the folder."""
        folder = root / self.name
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(sample, folder, ignore=shutil.ignore_patterns("README.md"))
        self.make(folder)
        return folder


def read(folder: Path, table: str) -> pd.DataFrame:
    """A sample table as text, exactly as written (no parsing), so edits keep every other value intact."""
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def write(folder: Path, table: str, frame: pd.DataFrame, **options: object) -> None:
    """Write a table back as CSV (UTF-8 unless the defect says otherwise)."""
    frame.to_csv(folder / f"{table}.csv", index=False, **options)  # type: ignore[arg-type]


def edit(table: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    """A defect that rewrites one table through `change`."""
    def make(folder: Path) -> None:
        write(folder, table, change(read(folder, table)))
    return make


def set_cell(table: str, where: Callable[[pd.DataFrame], pd.Series], column: str, value: str,
             first_only: bool = True) -> Callable[[Path], None]:
    """A defect that writes `value` into `column` of the (first) row matching `where`."""
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        rows = frame.index[where(frame)]
        frame.loc[rows[:1] if first_only else rows, column] = value
        return frame
    return edit(table, change)


def xhs_october(frame: pd.DataFrame, column: str) -> pd.Series:
    """Rows of own_xhs (Xiaohongshu) in October 2026."""
    return (frame["account_id"] == "own_xhs") & frame[column].str.startswith("2026-10")


def drop_rows(table: str, where: Callable[[pd.DataFrame], pd.Series]) -> Callable[[Path], None]:
    """A defect that removes the rows matching `where`."""
    return edit(table, lambda f: f[~where(f)])


def both(*makes: Callable[[Path], None]) -> Callable[[Path], None]:
    """Several edits as one defect."""
    def make(folder: Path) -> None:
        for m in makes:
            m(folder)
    return make


def reencode(table: str, encoding: str) -> Callable[[Path], None]:
    """Save a table in another encoding (GBK from a Chinese Excel)."""
    def make(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    return make


def separator(table: str, sep: str) -> Callable[[Path], None]:
    """Save a table with another field separator (Excel's ';' in a European locale, or tabs)."""
    return lambda folder: write(folder, table, read(folder, table), sep=sep)


def remove(table: str) -> Callable[[Path], None]:
    """Delete a table's file."""
    return lambda folder: (folder / f"{table}.csv").unlink()


def header_only(table: str) -> Callable[[Path], None]:
    """Keep a table's header and no rows."""
    return edit(table, lambda f: f.iloc[:0])


def to_parquet(table: str) -> Callable[[Path], None]:
    """Replace a CSV by the same table as Parquet (typed as pandas reads it)."""
    def make(folder: Path) -> None:
        path = folder / f"{table}.csv"
        pd.read_csv(path).to_parquet(folder / f"{table}.parquet", index=False)
        path.unlink()
    return make


def crlf(table: str) -> Callable[[Path], None]:
    """Windows line endings."""
    def make(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return make


def with_bom(table: str) -> Callable[[Path], None]:
    """UTF-8 with a byte-order mark, as Excel saves 'CSV UTF-8'."""
    def make(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return make


def own_douyin(frame: pd.DataFrame) -> pd.Series:
    """Rows of own_douyin."""
    return frame["account_id"] == "own_douyin"


def in_october(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    """Rows of own_douyin in October 2026 (the reviewed month)."""
    return lambda f: own_douyin(f) & f[column].str.startswith("2026-10")


def orphan_conversions(folder: Path) -> None:
    """30 October conversions whose journeys have no touchpoint at all."""
    conversions, touchpoints = read(folder, "conversions"), read(folder, "touchpoints")
    october = conversions[conversions["occurred_at"].str.startswith("2026-10")]
    orphans = set(october["journey_id"].head(30))
    write(folder, "touchpoints", touchpoints[~touchpoints["journey_id"].isin(orphans)])


def mixed_offsets(folder: Path) -> None:
    """posts.published_at written with '+08:00' on some rows and the same instant in UTC ('Z') on others."""
    posts = read(folder, "posts")
    when = pd.to_datetime(posts["published_at"])
    utc = (when - pd.Timedelta(hours=8)).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    local = when.dt.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    posts["published_at"] = local.where(posts.index % 2 == 0, utc)
    write(folder, "posts", posts)


def zero_spend_campaign(folder: Path) -> None:
    """One October campaign with no spend on any day (it ran on credit or was paused)."""
    ads = read(folder, "ad_daily")
    october = ads["date"].str.startswith("2026-10")
    campaign = ads.loc[october, "campaign_id"].iloc[0]
    ads.loc[october & (ads["campaign_id"] == campaign), "spend"] = "0"
    write(folder, "ad_daily", ads)


def undeclared_variant(folder: Path) -> None:
    """experiment_units with a variant label the experiments table does not declare."""
    units = read(folder, "experiment_units")
    units.loc[units.index[:3], "variant"] = "variant_x"
    write(folder, "experiment_units", units)


LONG_TITLE = "长" * 100_000


def long_title(folder: Path) -> None:
    """100,000-character titles on own_douyin's October posts (so the top-posts table surely shows one)."""
    posts = read(folder, "posts")
    posts.loc[in_october("published_at")(posts), "title"] = LONG_TITLE
    write(folder, "posts", posts)


DEFECTS: tuple[Defect, ...] = (
    # --- read as the clean sample (exit 0, the same tables) ------------------------------------
    Defect("bom_header", "account_daily.csv saved by Excel as 'CSV UTF-8' (a BOM before the header)",
           with_bom("account_daily")),
    Defect("crlf_lines", "posts.csv with Windows line endings", crlf("posts")),
    Defect("parquet_table", "account_daily as Parquet instead of CSV", to_parquet("account_daily")),
    Defect("extra_column", "posts.csv with a column the schema does not know (备注)",
           edit("posts", lambda f: f.assign(备注="x"))),
    Defect("columns_reordered", "account_daily.csv with its columns in another order",
           edit("account_daily", lambda f: f[f.columns[::-1]])),
    Defect("mixed_offsets", "posts.published_at mixes '+08:00' and 'Z' (both ISO 8601, same instants)",
           mixed_offsets),
    Defect("semicolon_separator", "account_daily.csv separated by ';' (Excel in many locales)",
           separator("account_daily", ";")),
    Defect("tab_separator", "posts.csv separated by tabs", separator("posts", "\t")),
    # --- refused: the message names the file, the column and the line ------------------------
    Defect("gbk_encoding", "posts.csv saved as GBK by a Chinese Excel", reencode("posts", "gbk")),
    Defect("wan_number", "account_daily.impressions written as '1.2万'",
           set_cell("account_daily", own_douyin, "impressions", "1.2万")),
    Defect("dash_number", "account_daily.impressions written as '--' (the platform's 'no data')",
           set_cell("account_daily", own_douyin, "impressions", "--")),
    Defect("percent_rate", "posts.completion_rate written as '28.19%'",
           set_cell("posts", own_douyin, "completion_rate", "28.19%")),
    Defect("rate_as_percent_number", "posts.completion_rate written as 28.19 (a percent, not a share)",
           set_cell("posts", own_douyin, "completion_rate", "28.19")),
    Defect("negative_count", "account_daily.engagements negative",
           set_cell("account_daily", own_douyin, "engagements", "-5")),
    Defect("bad_date", "account_daily.date '2026-13-45'",
           set_cell("account_daily", own_douyin, "date", "2026-13-45")),
    Defect("duplicate_post_id", "posts.csv with one post_id on two rows",
           edit("posts", lambda f: pd.concat([f, f.iloc[[5]]], ignore_index=True))),
    Defect("duplicate_day", "account_daily with own_douyin's 2026-10-15 twice",
           edit("account_daily", lambda f: pd.concat([f, f[in_october("date")(f)].iloc[[14]]],
                                                     ignore_index=True))),
    Defect("unknown_account", "posts.csv names an account accounts.csv does not list",
           set_cell("posts", own_douyin, "account_id", "own_tiktok")),
    Defect("missing_account_id", "posts.account_id empty on one row",
           set_cell("posts", own_douyin, "account_id", "")),
    Defect("missing_required_column", "account_daily.csv without its date column",
           edit("account_daily", lambda f: f.drop(columns="date"))),
    Defect("missing_table", "no accounts.csv in the folder", remove("accounts")),
    Defect("unknown_timezone", "accounts.timezone 'China/Beijing' (not an IANA zone)",
           set_cell("accounts", lambda f: f["account_id"] == "own_douyin", "timezone", "China/Beijing")),
    Defect("bad_owner", "accounts.owner 'mine' instead of own/competitor",
           set_cell("accounts", lambda f: f["account_id"] == "own_douyin", "owner", "mine")),
    Defect("undeclared_variant", "experiment_units use a variant the experiments table does not declare",
           undeclared_variant),
    # --- goes on, and says what is odd ----------------------------------------------------
    Defect("platform_without_month", "own_xhs (Xiaohongshu) has no rows at all in October 2026",
           both(drop_rows("account_daily", lambda f: xhs_october(f, "date")),
                drop_rows("posts", lambda f: xhs_october(f, "published_at")))),
    Defect("three_days_of_month", "own_xhs has only 3 days of October 2026 in account_daily",
           drop_rows("account_daily", lambda f: xhs_october(f, "date") & (f["date"] > "2026-10-03"))),
    Defect("orphan_conversions", "30 October conversions whose journeys have no recorded touchpoint",
           orphan_conversions),
    Defect("future_date", "one account_daily row dated 2027-10-15 (a typo for 2026-10-15)",
           set_cell("account_daily", lambda f: own_douyin(f) & (f["date"] == "2026-10-15"), "date",
                    "2027-10-15")),
    Defect("empty_ad_daily", "ad_daily.csv with its header and no rows (no ads this period)",
           header_only("ad_daily")),
    Defect("missing_ad_daily", "no ad_daily.csv (the brand ran no ads)", remove("ad_daily")),
    Defect("zero_spend_campaign", "an October campaign with zero spend on every day", zero_spend_campaign),
    Defect("long_title", "post titles of 100,000 characters (own_douyin in October)", long_title),
)

BY_NAME: dict[str, Defect] = {d.name: d for d in DEFECTS}



def build_all(sample: Path, root: Path) -> list[Path]:
    """Write every defect folder under root."""
    root.mkdir(parents=True, exist_ok=True)
    return [d.build(sample, root) for d in DEFECTS]


if __name__ == "__main__":
    from helpers.sample import ensure_sample

    for path in build_all(ensure_sample(), Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")):
        print(path)
