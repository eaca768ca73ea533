"""Language setting and locale formats, against values written out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import i18n
from helpers.errors import ParameterError


def test_language_resolves_parameter_then_environment_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert i18n.resolve_language("") == "zh-CN"
    monkeypatch.setenv(i18n.ENV_VAR, "en")
    assert i18n.resolve_language("") == "en"
    assert i18n.resolve_language("zh-CN") == "zh-CN"
    assert i18n.resolve_language("zh") == "zh-CN"
    with pytest.raises(ParameterError, match="lang must be one of zh-CN, en; got 'fr'"):
        i18n.resolve_language("fr")
    monkeypatch.setenv(i18n.ENV_VAR, "de")
    with pytest.raises(ParameterError, match="OPSBOOK_LANG must be one of"):
        i18n.resolve_language(None)


def test_use_language_restores_the_previous_one() -> None:
    with i18n.use_language("zh-CN"):
        assert i18n.gettext("Engagement rate") == "互动率"
        with i18n.use_language("en"):
            assert i18n.gettext("Engagement rate") == "Engagement rate"
        assert i18n.current_language() == "zh-CN"
        assert i18n.gettext("no such message") == "no such message"


@pytest.mark.parametrize(("value", "zh", "en"), [
    (20015, "20,015", "20,015"),
    (99999.6, "100,000", "100,000"),
    (100000, "10.0万", "100,000"),
    (15866000, "1,586.6万", "15,866,000"),      # 15,866,000 ÷ 10,000 = 1,586.6
    (123456789, "1.23亿", "123,456,789"),       # ÷ 100,000,000 = 1.2346 → 1.23
    (-2500, "−2,500", "−2,500"),
    (None, "–", "–"),
    (float("nan"), "–", "–"),
])
def test_counts_use_wan_and_yi_in_chinese(value: float, zh: str, en: str) -> None:
    with i18n.use_language("zh-CN"):
        assert i18n.fmt_count(value) == zh
    with i18n.use_language("en"):
        assert i18n.fmt_count(value) == en


def test_percentages_points_and_changes() -> None:
    with i18n.use_language("en"):
        assert i18n.fmt_percent(0.0491) == "4.9%"
        assert i18n.fmt_percent(0.0491, 2) == "4.91%"
        assert i18n.fmt_change(0.2119) == "+21.2%"
        assert i18n.fmt_change(-0.032) == "−3.2%"
        assert i18n.fmt_change(0.00001) == "0.0%"
        assert i18n.fmt_pp(0.0486 - 0.0401) == "+0.85 pp"
        assert i18n.fmt_pp(-0.0012) == "−0.12 pp"
    with i18n.use_language("zh-CN"):
        assert i18n.fmt_pp(0.0085) == "+0.85 个百分点"


@pytest.mark.parametrize(("p", "shown"), [(3e-12, "p < 0.001"), (0.0009, "p < 0.001"), (0.0431, "p = 0.043"),
                                          (0.2134, "p = 0.21"), (1.0, "p = 1.00")])
def test_p_values_never_in_scientific_notation(p: float, shown: str) -> None:
    assert i18n.fmt_p_value(p) == shown


@pytest.mark.parametrize(("p", "shown"), [(1.0, ">99.9%"), (0.99996, ">99.9%"), (0.9994, "99.9%"),
                                          (0.973, "97.3%"), (0.0, "<0.1%"), (0.00004, "<0.1%"), (0.0006, "0.1%")])
def test_probabilities_are_capped(p: float, shown: str) -> None:
    assert i18n.fmt_probability(p) == shown


def test_small_values_read_as_about_zero() -> None:
    with i18n.use_language("en"):
        assert i18n.fmt_small(1.2e-7, 4, "percent") == "≈ 0"
        assert i18n.fmt_small(0.00123, 2, "percent") == "0.12%"
        assert i18n.fmt_small(0.004, 2) == "≈ 0"


@pytest.mark.parametrize(("value", "shown"), [(0.895, "89.5%"), (0.8949, "89%"), (0.9995, "99.95%"),
                                              (0.874, "87%"), (1.004, "100%"), (0.90, "90%")])
def test_percent_near_threshold_never_rounds_across_it(value: float, shown: str) -> None:
    # 0.895 would round to 90% (healthy side of 90) while its status is "at risk"; 0.9995 → 100% vs 100 %.
    assert i18n.fmt_percent_near(value, (0.9, 1.0)) == shown


def test_dates_months_and_periods_follow_the_locale() -> None:
    day = dt.date(2026, 10, 15)
    with i18n.use_language("zh-CN"):
        assert i18n.fmt_month(day) == "2026年10月"
        assert i18n.fmt_date(day) == "2026年10月15日"
        assert i18n.fmt_period("quarter", day) == "2026年第4季度"
        assert i18n.fmt_period("week", dt.date(2026, 10, 19)) == "2026年第43周"
        assert i18n.platform_name("xiaohongshu") == "小红书"
        assert i18n.yes_no(True) == "是"
    with i18n.use_language("en"):
        assert i18n.fmt_month(day) == "Oct 2026"
        assert i18n.fmt_date(day) == "Oct 15, 2026"
        assert i18n.fmt_period("quarter", day) == "Q4 2026"
        assert i18n.fmt_period("week", dt.date(2026, 10, 19)) == "week 43 of 2026"
        assert i18n.platform_name("xiaohongshu") == "Xiaohongshu"
        assert i18n.platform_name("mastodon") == "mastodon"


def test_plural_messages() -> None:
    with i18n.use_language("en"):
        assert i18n.ngettext("{n} post", "{n} posts", 1) == "{n} post"
        assert i18n.ngettext("{n} post", "{n} posts", 2) == "{n} posts"


def test_money_amounts() -> None:
    with i18n.use_language("en"):
        assert i18n.fmt_money(0) == "0"
        assert i18n.fmt_money(12.5) == "12.50"
        assert i18n.fmt_money(274000) == "274,000"
    with i18n.use_language("zh-CN"):
        assert i18n.fmt_money(274000) == "27.4万"
