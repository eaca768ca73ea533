"""The data schema of DESIGN.md as code: one TableSpec per table, turned into pandera schemas.

A spec names each column's kind (id, text, date, count, amount, rate, ...) and whether it is
required; the loader (helpers.data) parses columns by kind and pandera checks the values.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from typing import Literal

import pandera.pandas as pa

Kind = Literal["id", "text", "category", "date", "count", "amount", "rate", "score", "bool", "number", "period"]

PLATFORMS: tuple[str, ...] = (
    "wechat", "weibo", "douyin", "xiaohongshu", "bilibili", "zhihu", "wechat_channels",
    "instagram", "facebook", "tiktok", "youtube", "x", "linkedin",
)
POST_FORMATS: tuple[str, ...] = ("article", "image", "carousel", "video", "short_video", "live", "text")
EVENTS: tuple[str, ...] = (
    "view", "like", "comment", "share", "save", "click", "follow", "unfollow", "message", "purchase",
)
TIERS: tuple[str, ...] = ("daily", "series", "flagship")
#: What a row of the comments table is: a comment, a reply to one, a direct message, a survey answer or a danmaku.
COMMENT_SOURCES: tuple[str, ...] = ("comment", "reply", "dm", "survey", "danmaku")
#: What a KOL's quoted price buys (kols.price_format).
PRICE_FORMATS: tuple[str, ...] = ("image", "video", "live", "article")
#: The dimensions of a KOL's audience distribution (kol_audience.dimension), named as in the audience table.
KOL_DIMENSIONS: tuple[str, ...] = ("gender", "age_band", "region", "city_tier", "interests")
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"


def load_pandera_checks() -> None:
    """Import pandera's built-in checks for pandas without importing hypothesis (issue 22: ~0.25 s).

    pandera registers its built-in checks (in_range, isin, ...) on the first validation, and their module
    imports pandera's data-synthesis strategies, which import hypothesis (and hypothesis.extra.numpy and
    .pandas) whenever it is installed. The suite validates data and never synthesises it (hypothesis is a
    test dependency), so the checks are imported once here with hypothesis hidden: pandera then records that
    it has no strategies, which only `schema.example()`/`strategy()` would need. A process that already
    imported hypothesis (a test run) imports the checks as they are, and hypothesis stays importable after.
    """
    name = "pandera.backends.pandas.builtin_checks"
    if name in sys.modules or "hypothesis" in sys.modules:
        importlib.import_module(name)
        return
    sys.modules["hypothesis"] = None  # type: ignore[assignment]  # `import hypothesis` raises ImportError
    try:
        importlib.import_module(name)
    finally:
        del sys.modules["hypothesis"]


load_pandera_checks()


@dataclass(frozen=True)
class ColumnSpec:
    """One column: its kind (how it is parsed and checked) and whether the table must have it."""

    name: str
    kind: Kind
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    above: float | None = None   # values must be strictly greater (e.g. hours > 0)


@dataclass(frozen=True)
class TableSpec:
    """One table of the schema: its columns, its key and whether its rows refer to accounts or KOLs (by id)."""

    name: str
    grain: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()
    references_accounts: bool = False
    references_kols: bool = False
    used_by: tuple[str, ...] = field(default=())
    #: The column that dates a row (when it happened); its dates after the data's end are suspect (helpers.data).
    time_column: str | None = None
    #: A header-only file reads as "no data for this table" (a warning): every notebook reading it can do without.
    may_be_empty: bool = False

    @property
    def required(self) -> list[str]:
        """Names of the columns a file must have."""
        return [c.name for c in self.columns if c.required]

    @property
    def optional(self) -> list[str]:
        """Names of the columns a file may have."""
        return [c.name for c in self.columns if not c.required]

    def column(self, name: str) -> ColumnSpec | None:
        """The spec of a column, or None for an extra column the schema does not know."""
        return next((c for c in self.columns if c.name == name), None)


def _req(name: str, kind: Kind, **kw: object) -> ColumnSpec:
    return ColumnSpec(name, kind, required=True, **kw)  # type: ignore[arg-type]


def _opt(name: str, kind: Kind, **kw: object) -> ColumnSpec:
    return ColumnSpec(name, kind, required=False, nullable=True, **kw)  # type: ignore[arg-type]


_POST_METRICS = tuple(
    _opt(m, "count")
    for m in ("impressions", "reach", "views", "likes", "comments", "shares", "saves", "clicks",
              "follows", "conversions")
)

#: Who reads the KOL tables; each is optional for it (a folder without them works for every other notebook).
_KOL_NOTEBOOKS: tuple[str, ...] = ("kol_evaluation",)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "accounts", "account",
            (_req("account_id", "id"), _req("platform", "category", allowed=PLATFORMS),
             _req("name", "text"), _req("owner", "category", allowed=("own", "competitor")),
             _opt("category", "text"), _opt("timezone", "text")),
            key=("account_id",), used_by=("all notebooks",),
        ),
        TableSpec(
            "posts", "published post",
            (_req("post_id", "id"), _req("account_id", "id"), _req("published_at", "date"),
             _req("format", "category", allowed=POST_FORMATS), _req("pillar", "text", nullable=True),
             _req("title", "text", nullable=True), _req("topics", "text", nullable=True),
             _req("paid", "bool"), *_POST_METRICS, _opt("completion_rate", "rate"),
             _opt("avg_watch_s", "amount"), _opt("revenue", "amount"), _opt("cost", "amount"),
             _opt("tier", "category", allowed=TIERS)),
            key=("post_id",), references_accounts=True,
            time_column="published_at",
            used_by=("period_review", "competitor_analysis", "content_planning", "audience_profiling"),
        ),
        TableSpec(
            "account_daily", "account × day",
            (_req("date", "date"), _req("account_id", "id"), _req("followers", "count", nullable=True),
             *(_opt(m, "count") for m in ("followers_gained", "followers_lost", "impressions", "reach",
                                          "profile_visits", "engagements", "link_clicks", "conversions")),
             _opt("revenue", "amount")),
            key=("account_id", "date"), references_accounts=True,
            time_column="date", used_by=("period_review", "competitor_analysis"),
        ),
        TableSpec(
            "audience", "follower or known user",
            (_req("user_id", "id"), _req("account_id", "id"), _req("first_seen", "date"),
             _opt("unfollowed_at", "date"), _opt("gender", "text"), _opt("age_band", "text"),
             _opt("region", "text"), _opt("city_tier", "text"), _opt("device", "text"),
             _opt("interests", "text")),
            key=("user_id", "account_id"), references_accounts=True, time_column="first_seen",
            used_by=("audience_profiling",),
        ),
        TableSpec(
            "interactions", "user event",
            (_req("user_id", "id"), _req("account_id", "id"), _req("occurred_at", "date"),
             _req("event", "category", allowed=EVENTS), _opt("post_id", "id"), _opt("value", "amount")),
            references_accounts=True, time_column="occurred_at", used_by=("audience_profiling",),
        ),
        TableSpec(
            "touchpoints", "marketing touch",
            (_req("journey_id", "id"), _req("occurred_at", "date"), _req("channel", "text"),
             _opt("campaign", "text")),
            time_column="occurred_at", may_be_empty=True, used_by=("period_review",),
        ),
        TableSpec(
            "conversions", "conversion",
            (_req("journey_id", "id"), _req("occurred_at", "date"), _opt("value", "amount")),
            time_column="occurred_at", may_be_empty=True, used_by=("period_review",),
        ),
        TableSpec(
            "ad_daily", "campaign × creative × day",
            (_req("date", "date"), _req("account_id", "id"), _req("campaign_id", "id"),
             _req("channel", "text"), _req("spend", "amount"), _req("impressions", "count"),
             _req("clicks", "count"), _req("conversions", "count"), _opt("creative_id", "id"),
             _opt("revenue", "amount")),
            key=("date", "campaign_id", "creative_id"), references_accounts=True,
            time_column="date", may_be_empty=True, used_by=("period_review",),
        ),
        TableSpec(
            "experiments", "experiment",
            (_req("experiment_id", "id"), _req("name", "text"), _req("unit", "text"),
             _req("primary_metric", "text"), _req("control", "text"), _req("variants", "text"),
             _req("start", "date"), _req("end", "date"), _opt("hypothesis", "text"),
             _opt("expected_split", "text"), _opt("guardrails", "text"), _opt("mde", "number")),
            key=("experiment_id",), used_by=("experiment_evaluation",),
        ),
        TableSpec(
            "experiment_units", "unit in an experiment",
            (_req("experiment_id", "id"), _req("unit_id", "id"), _req("variant", "text")),
            key=("experiment_id", "unit_id"), used_by=("experiment_evaluation",),
        ),
        TableSpec(
            "targets", "KPI target",
            (_req("account_id", "id"), _req("kpi", "text"), _req("period", "period"),
             _req("target", "number")),
            key=("account_id", "kpi", "period"), may_be_empty=True, used_by=("period_review",),
        ),
        TableSpec(
            "risks", "risk",
            (_req("risk_id", "id"), _req("category", "text"), _req("description", "text"),
             _req("probability", "rate"), _req("impact", "score"), _req("owner", "text"),
             _req("mitigation", "text"), _req("status", "text"),
             _opt("respond_within_h", "amount", above=0.0), _opt("escalate_after_h", "amount", above=0.0)),
            key=("risk_id",), may_be_empty=True, used_by=("period_review", "voice_of_customer"),
        ),
        TableSpec(
            "topic_bank", "candidate topic",
            (_req("topic", "text"), _req("pillar", "text"), _req("format", "category", allowed=POST_FORMATS),
             _opt("source", "text"), _opt("strategic_weight", "amount"), _opt("notes", "text")),
            used_by=("content_planning",),
        ),
        TableSpec(
            "comments", "comment, reply, direct message, survey answer or danmaku",
            (_req("comment_id", "id"), _req("account_id", "id"), _req("created_at", "date"),
             _req("text", "text", nullable=True), _req("source", "category", allowed=COMMENT_SOURCES),
             _opt("post_id", "id"), _opt("user_id", "id"), _opt("parent_id", "id"), _opt("likes", "count"),
             _opt("replied_at", "date"), _opt("replied_by_brand", "bool"), _opt("rating", "score")),
            key=("comment_id",), references_accounts=True, time_column="created_at",
            used_by=("voice_of_customer", "period_review"),
        ),
        TableSpec(
            "kols", "KOL (达人)",
            (_req("kol_id", "id"), _req("platform", "category", allowed=PLATFORMS), _req("name", "text"),
             _req("followers", "count"), _req("category", "text"), _opt("price", "amount"),
             _opt("price_format", "category", allowed=PRICE_FORMATS), _opt("contact_owner", "text"),
             _opt("handle", "text"), _opt("region", "text")),
            key=("kol_id",), used_by=_KOL_NOTEBOOKS,
        ),
        TableSpec(
            "kol_posts", "post of a KOL",
            (_req("post_id", "id"), _req("kol_id", "id"), _req("published_at", "date"),
             _opt("format", "category", allowed=POST_FORMATS), _opt("title", "text"),
             *(_opt(m, "count") for m in ("views", "likes", "comments", "shares", "saves", "impressions")),
             _opt("is_sponsored", "bool"), _opt("brand", "text"), _opt("campaign", "text"), _opt("cost", "amount")),
            key=("post_id",), references_kols=True, time_column="published_at", used_by=_KOL_NOTEBOOKS,
        ),
        TableSpec(
            "kol_daily", "KOL × day",
            (_req("kol_id", "id"), _req("date", "date"), _req("followers", "count")),
            key=("kol_id", "date"), references_kols=True, time_column="date", may_be_empty=True, used_by=_KOL_NOTEBOOKS,
        ),
        TableSpec(
            "kol_audience", "KOL × audience dimension × bucket",
            (_req("kol_id", "id"), _req("dimension", "category", allowed=KOL_DIMENSIONS), _req("bucket", "text"),
             _req("share", "rate")),
            key=("kol_id", "dimension", "bucket"), references_kols=True, may_be_empty=True, used_by=_KOL_NOTEBOOKS,
        ),
        TableSpec(
            "kol_followers", "sampled follower of a KOL",
            (_req("kol_id", "id"), _req("follower_id", "id"), _opt("has_avatar", "bool"), _opt("posts", "count"),
             _opt("followers", "count"), _opt("following", "count"), _opt("created_at", "date"),
             _opt("nickname", "text"), _opt("gender", "text"), _opt("age_band", "text"), _opt("region", "text"),
             _opt("city_tier", "text")),
            key=("kol_id", "follower_id"), references_kols=True, may_be_empty=True, used_by=_KOL_NOTEBOOKS,
        ),
    )
}


def _checks(col: ColumnSpec) -> list[pa.Check]:
    """The value checks of a column kind (parsing has already happened), plus its lower bound if it has one."""
    if col.above is not None:
        return [pa.Check.gt(col.above, error=f"value must be > {col.above:g}")]
    if col.kind in ("count", "amount"):
        return [pa.Check.ge(0, error="negative value (counts and amounts cannot be below 0)")]
    if col.kind == "rate":
        return [pa.Check.in_range(0, 1, error="rate outside 0–1 (write 5% as 0.05)")]
    if col.kind == "score":
        return [pa.Check.isin([1, 2, 3, 4, 5], error="score must be an integer 1–5")]
    if col.kind == "period":
        return [pa.Check.str_matches(PERIOD_PATTERN, error="period must look like 2026-10, 2026-Q4 or 2026")]
    if col.allowed is not None:
        return [pa.Check.isin(list(col.allowed), error=f"value not one of {', '.join(col.allowed)}")]
    return []


def pandera_schema(spec: TableSpec, present: list[str] | None = None) -> pa.DataFrameSchema:
    """A pandera schema checking values of an already-parsed table (ranges, allowed values, keys)."""
    key = [k for k in spec.key if present is None or k in present]
    columns = {
        c.name: pa.Column(
            checks=_checks(c),
            nullable=c.nullable,
            required=False,
            unique=(key == [c.name]),
            report_duplicates="all",
        )
        for c in spec.columns
    }
    # composite keys are checked by helpers.data.duplicate_key_rows (one pass, no failure-case frame)
    return pa.DataFrameSchema(columns, strict=False, coerce=False, name=spec.name)


#: What each column kind holds and how it is read, for docs/schema.md.
KIND_NOTES: dict[str, str] = {
    "id": "identifier, kept as text (never a number: `00123` stays `00123`)",
    "text": "free text (UTF-8, Chinese welcome)",
    "category": "one of a fixed list of values",
    "date": "ISO 8601 date or time; naive = local time; with an offset (`Z`, `+08:00`) converted to the "
            "`timezone` of the row's account (Asia/Shanghai in tables without account_id)",
    "count": "whole count ≥ 0; empty = missing, never 0",
    "amount": "number ≥ 0 (money, seconds, weights); empty = missing",
    "rate": "share between 0 and 1 (write 5 % as 0.05)",
    "score": "integer 1–5",
    "bool": "true/false (also 1/0, yes/no)",
    "number": "any number",
    "period": "2026-10, 2026-Q4 or 2026",
}


#: Columns whose values say more than their kind, for docs/schema.md.
COLUMN_NOTES: dict[tuple[str, str], str] = {
    ("accounts", "timezone"): "IANA time zone name such as `Asia/Shanghai` or `Europe/London`; empty = Asia/Shanghai",
    ("posts", "topics"): "topic tags separated by `;`",
    ("audience", "interests"): "interest tags separated by `;`",
    ("experiments", "variants"): "variant names separated by `;` (the control included)",
    ("experiments", "expected_split"): "planned weights separated by `;`, in the order of variants",
    ("experiments", "guardrails"): "guardrail metric names separated by `;`",
    ("risks", "respond_within_h"): "response SOP: hours within which a triggered risk must be answered "
                                   "(e.g. 24); a number > 0, empty = no SOP",
    ("risks", "escalate_after_h"): "response SOP: hours after which an unresolved risk is escalated (e.g. 48); "
                                   "a number > 0, empty = no SOP",
    ("comments", "created_at"): "when the comment was written; ISO 8601, naive = local time of the account",
    ("comments", "text"): "the comment as written (emoji kept)",
    ("comments", "post_id"): "the commented post (empty for direct messages and surveys)",
    ("comments", "user_id"): "pseudonymous id of the commenter (never shown in a report)",
    ("comments", "parent_id"): "comment_id of the comment a reply answers",
    ("comments", "replied_at"): "when the brand first answered (empty = not answered)",
    ("comments", "replied_by_brand"): "true when the brand answered the comment",
    ("comments", "rating"): "survey rating, integer 1–5",
    ("kols", "price"): "quoted price per post in CNY (what `price_format` buys); empty = no quote, never 0",
    ("kols", "contact_owner"): "our colleague who handles the KOL",
    ("kols", "handle"): "the KOL's platform id (抖音号, 小红书号 ...)",
    ("kol_posts", "is_sponsored"): "true for a paid (brand) post, ours or another brand's",
    ("kol_posts", "brand"): "the sponsoring brand of a paid post",
    ("kol_posts", "campaign"): "OUR campaign id when we booked the post; the same id as `touchpoints.campaign`",
    ("kol_posts", "cost"): "what we paid for the post, CNY",
    ("kol_audience", "bucket"): "a label of the dimension as the audience table writes it: 女, 18-24, 广东, 一线, 护肤",
    ("kol_audience", "share"): "share of the KOL's audience in the bucket (0–1); a dimension's shares sum to about 1",
    ("kol_followers", "follower_id"): "the follower's platform user id; equal to `audience.user_id` for the same user",
    ("kol_followers", "created_at"): "when the follower's account was created",
    ("experiments", "mde"): "smallest effect worth acting on for the primary metric, absolute (0.008 = 0.8 points)",
}


def _column_note(table: str, col: ColumnSpec) -> str:
    """The 'values' cell of a column in docs/schema.md."""
    note = COLUMN_NOTES.get((table, col.name), KIND_NOTES[col.kind])
    if col.allowed is not None:
        note = f"one of {', '.join(f'`{v}`' for v in col.allowed)}"
    if col.required and col.nullable:
        note += "; the column is required, a value may be empty"
    return note


def schema_markdown() -> str:
    """docs/schema.md: every table and column of the schema, generated from TABLES (so it cannot drift)."""
    lines = [
        "# The data schema",
        "",
        "Generated from `helpers.schema` (`make docs`); `tests/test_schema_doc.py` fails when it is stale.",
        "Put one CSV (UTF-8, with or without BOM; comma-, semicolon- or tab-separated) or Parquet file per",
        "table in a folder, named `<table>.csv` (or `.csv.gz`, `.parquet`). Extra columns are kept; a",
        "missing metric is missing, never zero.",
        "`opsbook validate --data DIR` lists every problem of a folder; `opsbook import` maps platform",
        "exports onto these tables.",
        "",
    ]
    for spec in TABLES.values():
        lines += [f"## {spec.name}", "",
                  f"One row per {spec.grain}. Used by: {', '.join(spec.used_by) or '-'}."
                  + (f" Key: {', '.join(spec.key)}." if spec.key else "")
                  + (" Every `account_id` must be in accounts." if spec.references_accounts else "")
                  + (" Every `kol_id` must be in kols." if spec.references_kols else ""),
                  "", "| column | required | kind | values |", "| --- | --- | --- | --- |"]
        lines += [f"| `{c.name}` | {'yes' if c.required else 'no'} | {c.kind} | {_column_note(spec.name, c)} |"
                  for c in spec.columns]
        if spec.name == "experiment_units":
            lines += ["", "Plus one column per metric (e.g. exposures, clicks, conversions, revenue) and, optionally, "
                          "pre-period covariates and segment columns."]
        lines.append("")
    return "\n".join(lines)
