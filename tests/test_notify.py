"""`--notify`: the config is checked up front, the message reads right in both languages, and every
channel is exercised against a real local server (aiosmtpd with STARTTLS + AUTH and a trustme CA;
an http.server standing in for WeCom, DingTalk, Feishu and Slack).

Expected texts are written out by hand from the fixture below; signatures are recomputed here with
hmac/hashlib/base64 from the platform docs, not with the module's functions.
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import logging
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from helpers import notify
from helpers.errors import ParameterError

SMTP_USER = "ops-robot"
SMTP_PASSWORD = "pw-7Hq2xVb9Lm"
WEBHOOK_TOKEN = "tok4f9a1c77e2b54d0c8a61"
SIGNING_SECRET = "SECd41d8cd98f00b204e9800998ecf8427e"
LINK_BASE = "https://reports.example.com/opsbook/"


# ---------------------------------------------------------------- the pack record

def _record(lang: str = "zh-CN") -> dict[str, Any]:
    """Two accounts: Douyin at risk with 12 alerts; Weibo (a name with <b>&) stale, its review failed."""
    zh = lang == "zh-CN"
    return {
        "period": "2026-10", "kind": "month", "start": "2026-10-01", "end": "2026-10-31", "lang": lang,
        "title": "运营报告包 · 2026年10月" if zh else "Operations pack · Oct 2026",
        "written_at": "2026-11-02T06:03:11", "failed": 1, "stale": 1,
        "accounts": [
            {"account": "own_douyin", "name": "青柠生活·抖音", "status": "at risk", "verdict": "",
             "kpis": [{"label": "净增粉丝" if zh else "Net follower change", "value": "16,401", "status": "at risk",
                       "lines": ["达成率 89.5%"]},
                      {"label": "曝光量" if zh else "Impressions", "value": "1,586.6万" if zh else "15,866,000",
                       "status": "healthy", "lines": []},
                      {"label": "收入" if zh else "Revenue", "value": "138.9万" if zh else "1,389,000",
                       "status": "info", "lines": []}],
             "alerts": 12, "data_end": "2026-10-31", "fresh": True, "freshness_note": "", "runs": [0, 1]},
            {"account": "own_weibo", "name": "<b>&微博", "status": "failed", "verdict": "", "kpis": [],
             "alerts": None, "data_end": "2026-10-20", "fresh": False,
             "freshness_note": "数据截至 2026年10月20日，比周期结束早 11 天" if zh
             else "data ends Oct 20, 2026, 11 days before the period ends",
             "runs": [2]},
        ],
        "shared_runs": [3],
        "runs": [
            {"notebook": "period_review", "account": "own_douyin", "window": "2026-10", "status": "ok",
             "report": "../../period_review/own_douyin_2026-10/report.html", "message": ""},
            {"notebook": "audience_profiling", "account": "own_douyin", "window": "2026-10-31", "status": "ok",
             "report": "../../audience_profiling/own_douyin_2026-10-31/report.html", "message": ""},
            {"notebook": "period_review", "account": "own_weibo", "window": "2026-10", "status": "failed",
             "report": None, "message": "Cell 7: KeyError: 'impressions'\nTraceback (most recent call last): ..."},
            {"notebook": "content_planning", "window": "2026-11", "status": "ok",
             "report": "../../content_planning/2026-11/report.html", "message": ""},
        ],
    }


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "outputs" / "packs" / "2026-10"
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<html><body>运营报告包 index</body></html>", encoding="utf-8")
    (folder / "index.pdf").write_bytes(b"%PDF-1.7 fake pdf bytes\x00\x01")
    return folder


def _config(**changes: Any) -> notify.NotifyConfig:
    return notify.NotifyConfig(Path("notify.yaml"), **changes)


# ---------------------------------------------------------------- compose

def test_zh_message_puts_the_verdict_first_then_the_accounts_problems_first(pack_dir: Path) -> None:
    message = notify.compose(_record("zh-CN"), pack_dir, _config())
    assert message.subject == "运营报告包 · 2026年10月：1 个账号需关注，1 个运行失败"
    lines = message.text.splitlines()
    assert lines[0] == "2 个账号：▲ 风险 1 · ▲ 运行失败 1；1 个账号数据滞后；1 个运行失败"
    # the failed account before the one at risk; each with its status, KPI tiles, alerts, freshness
    text = message.text
    assert text.index("▲ 运行失败 <b>&微博") < text.index("▲ 风险 青柠生活·抖音")
    assert "净增粉丝 16,401 ▲ · 曝光量 1,586.6万 ● · 收入 138.9万\n12 条异常预警" in text
    assert "▲ 运行失败 <b>&微博\n数据截至 2026年10月20日，比周期结束早 11 天" in text
    # the failed run with the first line of its message only
    assert "运行失败\n- 周期复盘 · <b>&微博：Cell 7: KeyError: 'impressions'\n" in text
    assert "Traceback" not in text


def test_en_message_reads_in_english(pack_dir: Path) -> None:
    message = notify.compose(_record("en"), pack_dir, _config())
    assert message.subject == "Operations pack · Oct 2026: 1 account needs attention, 1 run failed"
    text = message.text
    assert text.splitlines()[0] == ("2 accounts: ▲ at risk 1 · ▲ run failed 1; 1 account with stale data; "
                                    "1 run failed")
    assert "▲ at risk 青柠生活·抖音\nNet follower change 16,401 ▲ · Impressions 15,866,000 ● · " \
           "Revenue 1,389,000\n12 anomaly alerts" in text
    assert "Failed runs\n- Period review · <b>&微博: Cell 7: KeyError: 'impressions'\n" in text
    assert not any(ord(c) > 0x2E80 for c in text.replace("青柠生活·抖音", "").replace("<b>&微博", "")
                   .replace("运营报告包", "")), "Chinese words left in the English message"


def test_html_escapes_every_data_text(pack_dir: Path) -> None:
    html = notify.compose(_record("zh-CN"), pack_dir, _config(link_base=LINK_BASE)).html
    assert "&lt;b&gt;&amp;微博" in html
    assert "<b>&" not in html
    assert '<html lang="zh-CN">' in html
    assert ('<a href="https://reports.example.com/opsbook/period_review/own_douyin_2026-10/report.html">周期复盘</a>'
            in html)


def test_links_are_link_base_plus_the_path_under_outputs(pack_dir: Path) -> None:
    message = notify.compose(_record("zh-CN"), pack_dir, _config(link_base=LINK_BASE))
    # pack_dir is outputs/packs/2026-10; "../../period_review/..." from there is outputs/period_review/...
    assert [(link.text, link.href) for link in message.accounts[1].links] == [
        ("周期复盘", "https://reports.example.com/opsbook/period_review/own_douyin_2026-10/report.html"),
        ("用户画像", "https://reports.example.com/opsbook/audience_profiling/own_douyin_2026-10-31/report.html")]
    assert message.accounts[0].links == ()  # its review failed: no report
    assert [(link.text, link.href) for link in message.others] == [
        ("内容规划 · 2026-11", "https://reports.example.com/opsbook/content_planning/2026-11/report.html")]
    assert message.pack_link == notify.Link("打开报告包", "https://reports.example.com/opsbook/packs/2026-10/index.html")
    assert message.attachments == () and str(pack_dir) not in message.text
    assert message.text.rstrip().endswith("打开报告包 https://reports.example.com/opsbook/packs/2026-10/index.html")


def test_without_link_base_the_message_names_the_folder_and_attaches_the_index(pack_dir: Path) -> None:
    message = notify.compose(_record("en"), pack_dir, _config())
    assert "https://" not in message.text
    assert f"Pack folder: {pack_dir.resolve()}" in message.text
    assert [(a.filename, a.mime, a.content) for a in message.attachments] == [
        ("opsbook-2026-10-index.html", "text/html", (pack_dir / "index.html").read_bytes()),
        ("opsbook-2026-10-index.pdf", "application/pdf", (pack_dir / "index.pdf").read_bytes())]


def test_chat_markdown_escapes_data_per_platform(pack_dir: Path) -> None:
    message = notify.compose(_record("zh-CN"), pack_dir, _config(link_base=LINK_BASE))
    wecom = notify.render_markdown(message, "markdown")
    assert wecom.splitlines()[0] == "**运营报告包 · 2026年10月：1 个账号需关注，1 个运行失败**"
    assert "▲ 运行失败 **\\<b\\>&微博**" in wecom
    assert "[周期复盘](https://reports.example.com/opsbook/period_review/own_douyin_2026-10/report.html)" in wecom
    slack = notify.render_markdown(message, "slack")
    assert "▲ 运行失败 *&lt;b&gt;&amp;微博*" in slack
    assert "<https://reports.example.com/opsbook/packs/2026-10/index.html|打开报告包>" in slack
    assert "  \n" in notify.render_markdown(message, "dingtalk")  # DingTalk's line break


def test_a_pack_without_account_rows_counts_its_reports(pack_dir: Path) -> None:
    record = _record("zh-CN")
    del record["accounts"], record["shared_runs"]
    message = notify.compose(record, pack_dir, _config(link_base=LINK_BASE))
    assert message.subject == "运营报告包 · 2026年10月：1 个运行失败"
    assert message.text.splitlines()[0] == "已发布 3 份报告；1 个运行失败"
    # every report is then an "other report"
    assert [link.text for link in message.others] == ["周期复盘 · 2026-10", "用户画像 · 2026-10-31",
                                                      "内容规划 · 2026-11"]


def test_the_brand_total_is_shown_first_but_not_counted_as_an_account(pack_dir: Path) -> None:
    record = _record("en")
    total = {"account": "own", "name": "青柠生活", "status": "healthy", "kpis": [], "alerts": 3,
             "fresh": True, "runs": []}
    record["accounts"].append(total)
    message = notify.compose(record, pack_dir, _config())
    assert message.accounts[0].name == "青柠生活"
    assert message.text.splitlines()[0].startswith("2 accounts: ")


# ---------------------------------------------------------------- size limits

def _many_accounts(n: int) -> dict[str, Any]:
    """n accounts, every third at risk, listed healthy-first so the message has to reorder them."""
    record = _record("zh-CN")
    record["runs"] = []
    record["failed"] = 0
    record["accounts"] = [
        {"account": f"acc{i:03d}", "name": f"青柠生活·测试账号第{i:03d}号", "fresh": True, "alerts": 2, "runs": [],
         "status": "at risk" if i % 3 == 0 else "healthy",
         "kpis": [{"label": "净增粉丝", "value": "16,401", "status": "healthy"},
                  {"label": "曝光量", "value": "1,586.6万", "status": "healthy"},
                  {"label": "收入", "value": "138.9万", "status": "info"}]}
        for i in range(n)]
    return record


def test_wecom_message_fits_4096_bytes_and_keeps_the_accounts_at_risk(pack_dir: Path) -> None:
    message = notify.compose(_many_accounts(90), pack_dir, _config(link_base=LINK_BASE))
    payload, note = notify._PAYLOADS["wecom"](message)
    content = payload["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    shown = [i for i in range(90) if f"测试账号第{i:03d}号" in content]
    assert content.rstrip().splitlines()[-1] == "[打开报告包](https://reports.example.com/opsbook/packs/2026-10/index.html)"
    assert f"……另有 {90 - len(shown)} 个账号" in content
    assert 0 < len(shown) < 30  # 90 accounts at ~150 bytes each cannot all fit
    assert all(i % 3 == 0 for i in shown), "accounts at risk come before healthy ones"
    assert note == f"shortened to {len(shown)} of 90 accounts: WeCom's 4096-byte limit"
    # one more account would not have fitted
    longer = notify.render_markdown(message, "markdown", len(shown) + 1, 5)
    assert len(longer.encode("utf-8")) > 4096


# ---------------------------------------------------------------- load_config

def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "notify.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    return path


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("OPSBOOK_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("OPSBOOK_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("OPSBOOK_WECOM_URL", f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WEBHOOK_TOKEN}")
    monkeypatch.setenv("OPSBOOK_DINGTALK_URL", f"https://oapi.dingtalk.com/robot/send?access_token={WEBHOOK_TOKEN}")
    monkeypatch.setenv("OPSBOOK_DINGTALK_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("OPSBOOK_FEISHU_URL", f"https://open.feishu.cn/open-apis/bot/v2/hook/{WEBHOOK_TOKEN}")
    monkeypatch.setenv("OPSBOOK_SLACK_URL", f"https://hooks.slack.com/services/T0/B0/{WEBHOOK_TOKEN}")
    return monkeypatch


GOOD = """
link_base: https://reports.example.com/opsbook
email:
  host: smtp.example.com
  username_env: OPSBOOK_SMTP_USER
  password_env: OPSBOOK_SMTP_PASSWORD
  ca_file: ca.pem
  from: 运营报告 <ops@example.com>
  to: [lead@example.com, ops@example.com]
webhooks:
  - kind: wecom
    url_env: OPSBOOK_WECOM_URL
  - kind: dingtalk
    url_env: OPSBOOK_DINGTALK_URL
    secret_env: OPSBOOK_DINGTALK_SECRET
    name: 运营群
"""


def test_a_good_config_loads_with_its_defaults(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    config = notify.load_config(_write(tmp_path, GOOD))
    assert config.link_base == "https://reports.example.com/opsbook/"
    assert config.email == notify.EmailConfig(
        host="smtp.example.com", port=587, security="starttls", sender="运营报告 <ops@example.com>",
        to=("lead@example.com", "ops@example.com"), username_env="OPSBOOK_SMTP_USER",
        password_env="OPSBOOK_SMTP_PASSWORD", ca_file=tmp_path / "ca.pem")
    assert [h.channel for h in config.webhooks] == ["wecom", "dingtalk (运营群)"]
    assert config.timeout == 20


def test_the_example_file_in_docs_is_valid(env: pytest.MonkeyPatch) -> None:
    example = Path(__file__).parents[1] / "docs" / "notify.example.yaml"
    config = notify.load_config(example)
    assert config.email is not None and config.email.to == ("lead@example.com", "ops@example.com")
    assert [h.kind for h in config.webhooks] == ["wecom", "dingtalk", "feishu", "slack"]


def _refused(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(ParameterError) as caught:
        notify.load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    return message


def test_a_missing_environment_variable_is_named_not_its_value(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    env.delenv("OPSBOOK_SMTP_PASSWORD")
    message = _refused(tmp_path, GOOD.replace("  ca_file: ca.pem\n", ""))
    assert "email.password_env" in message and "OPSBOOK_SMTP_PASSWORD, which is not set" in message


def test_a_secret_written_in_the_file_is_refused_without_repeating_it(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    message = _refused(tmp_path, GOOD.replace("  password_env: OPSBOOK_SMTP_PASSWORD", "  password: hunter2secret"))
    assert "email.password" in message and "password_env:" in message and "hunter2secret" not in message
    message = _refused(tmp_path, GOOD.replace("    url_env: OPSBOOK_WECOM_URL", "    url: https://x/?key=abc123"))
    assert "webhooks[0].url" in message and "url_env:" in message and "abc123" not in message


def test_a_url_pasted_into_url_env_is_refused_without_repeating_it(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    message = _refused(tmp_path, GOOD.replace("url_env: OPSBOOK_WECOM_URL", f"url_env: https://q/?key={WEBHOOK_TOKEN}"))
    assert "webhooks[0].url_env" in message and "name of an environment variable" in message
    assert WEBHOOK_TOKEN not in message


def test_an_unknown_webhook_kind_lists_the_known_ones(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    message = _refused(tmp_path, GOOD.replace("kind: wecom", "kind: teams"))
    assert "webhooks[0].kind must be one of wecom, dingtalk, feishu, slack; got 'teams'" in message


@pytest.mark.parametrize("port", ["smtp", "70000", "0", "true"])
def test_a_bad_port_is_refused(tmp_path: Path, env: pytest.MonkeyPatch, port: str) -> None:
    message = _refused(tmp_path, GOOD.replace("  host: smtp.example.com", f"  host: smtp.example.com\n  port: {port}"))
    assert "email.port must be a whole number from 1 to 65535" in message


def test_missing_recipients_are_refused(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    message = _refused(tmp_path, GOOD.replace("  to: [lead@example.com, ops@example.com]\n", ""))
    assert "email.to is missing" in message and "to: [lead@example.com]" in message


@pytest.mark.parametrize(("edit", "expected"), [
    (("security: starttls", "security: none"), "email.security none sends the password"),
    (("  from: 运营报告 <ops@example.com>", "  from: ops"), "email.from must be an e-mail address"),
    (("  ca_file: ca.pem", "  ca_file: missing.pem"), "email.ca_file"),
    (("    name: 运营群", "    name: 运营群\n    colour: red"), "webhooks[1].colour is not a known key"),
    (("    url_env: OPSBOOK_WECOM_URL", "    url_env: OPSBOOK_WECOM_URL\n    secret_env: OPSBOOK_DINGTALK_SECRET"),
     "webhooks[0].secret_env is only used by dingtalk and feishu"),
    (("link_base: https://reports.example.com/opsbook", "link_base: reports/opsbook"), "link_base must be"),
])
def test_other_mistakes_name_the_key(tmp_path: Path, env: pytest.MonkeyPatch, edit: tuple[str, str],
                                     expected: str) -> None:
    text = GOOD.replace("  host: smtp.example.com", "  host: smtp.example.com\n  security: starttls")
    assert edit[0] in text
    assert expected in _refused(tmp_path, text.replace(*edit))


def test_a_webhook_url_without_tls_is_refused_naming_the_variable(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    env.setenv("OPSBOOK_WECOM_URL", f"http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WEBHOOK_TOKEN}")
    message = _refused(tmp_path, GOOD)
    assert "OPSBOOK_WECOM_URL" in message and "https://" in message and WEBHOOK_TOKEN not in message


def test_a_config_without_channels_or_not_yaml_is_refused(tmp_path: Path) -> None:
    assert "give at least one channel" in _refused(tmp_path, "link_base: https://x.example.com/\n")
    assert "is not valid YAML at line 3" in _refused(tmp_path, "email:\n  host: a\n to: b\n")
    with pytest.raises(ParameterError, match="no such file"):
        notify.load_config(tmp_path / "absent.yaml")


# ---------------------------------------------------------------- SMTP against aiosmtpd

class _Controller(Controller):  # type: ignore[misc]
    """aiosmtpd's Controller on a free port (port 0), reading back the port the system chose."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class _Inbox:
    port: int
    ca_file: Path
    mails: list[tuple[list[str], bytes, bool, bool]] = field(default_factory=list)  # rcpt, data, tls, authenticated

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), envelope.content, session.ssl is not None,
                           bool(session.authenticated)))
        return "250 OK"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    ok = (auth_data.login.decode(), auth_data.password.decode()) == (SMTP_USER, SMTP_PASSWORD)
    return AuthResult(success=ok, handled=False)  # unhandled: the server answers 535 itself


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    authority = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return authority, path


def _server_context(authority: Any) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def smtp_server(ca: tuple[Any, Path]) -> Iterator[_Inbox]:
    """STARTTLS required, AUTH (LOGIN/PLAIN) required after TLS, the user/password checked."""
    inbox = _Inbox(0, ca[1])
    controller = _Controller(inbox, hostname="127.0.0.1", port=0, tls_context=_server_context(ca[0]),
                             require_starttls=True, auth_required=True, auth_require_tls=True,
                             authenticator=_authenticator)
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def _email_config(inbox: _Inbox, **changes: Any) -> notify.EmailConfig:
    values = dict(host="127.0.0.1", port=inbox.port, security="starttls", sender="运营报告 <ops@example.com>",
                  to=("lead@example.com", "ops@example.com"), username_env="OPSBOOK_SMTP_USER",
                  password_env="OPSBOOK_SMTP_PASSWORD", ca_file=inbox.ca_file)
    values.update(changes)
    return notify.EmailConfig(**values)


def _parsed(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def test_email_arrives_over_starttls_with_login_in_chinese_with_attachments(
        smtp_server: _Inbox, pack_dir: Path, env: pytest.MonkeyPatch) -> None:
    config = _config(email=_email_config(smtp_server), timeout=10)
    deliveries = notify.send_all(notify.compose(_record("zh-CN"), pack_dir, config), config)
    assert [str(d) for d in deliveries] == ["e-mail to 2 recipients: sent"]
    [(recipients, data, tls, authenticated)] = smtp_server.mails
    assert recipients == ["lead@example.com", "ops@example.com"] and tls and authenticated
    mail = _parsed(data)
    assert mail["Subject"] == "运营报告包 · 2026年10月：1 个账号需关注，1 个运行失败"
    assert mail["From"].addresses[0].display_name == "运营报告"
    plain = mail.get_body(("plain",)).get_content()
    assert plain.startswith("2 个账号：▲ 风险 1 · ▲ 运行失败 1；1 个账号数据滞后；1 个运行失败\n")
    assert "净增粉丝 16,401 ▲" in plain and f"报告包文件夹：{pack_dir.resolve()}" in plain
    html = mail.get_body(("html",)).get_content()
    assert "&lt;b&gt;&amp;微博" in html
    attachments = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    assert attachments == {"opsbook-2026-10-index.html": (pack_dir / "index.html").read_text(encoding="utf-8"),
                           "opsbook-2026-10-index.pdf": (pack_dir / "index.pdf").read_bytes()}


def test_email_in_english_with_links_has_no_attachments(smtp_server: _Inbox, pack_dir: Path,
                                                        env: pytest.MonkeyPatch) -> None:
    config = _config(email=_email_config(smtp_server, to=("lead@example.com",)), link_base=LINK_BASE, timeout=10)
    [delivery] = notify.send_all(notify.compose(_record("en"), pack_dir, config), config)
    assert str(delivery) == "e-mail to 1 recipient: sent"
    mail = _parsed(smtp_server.mails[0][1])
    assert mail["Subject"] == "Operations pack · Oct 2026: 1 account needs attention, 1 run failed"
    plain = mail.get_body(("plain",)).get_content()
    assert "Period review https://reports.example.com/opsbook/period_review/own_douyin_2026-10/report.html" in plain
    assert plain.rstrip().endswith("Open the pack https://reports.example.com/opsbook/packs/2026-10/index.html")
    assert list(mail.iter_attachments()) == []


def test_a_wrong_password_fails_without_showing_it(smtp_server: _Inbox, pack_dir: Path, env: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    env.setenv("OPSBOOK_SMTP_PASSWORD", "wrong-Zq81xPP0")
    config = _config(email=_email_config(smtp_server), timeout=10)
    with caplog.at_level(logging.INFO, logger="helpers.notify"):
        [delivery] = notify.send_all(notify.compose(_record("zh-CN"), pack_dir, config), config)
    assert not delivery.ok and smtp_server.mails == []
    assert delivery.detail.startswith("the server refused the login (535)")
    for shown in (str(delivery), repr(delivery), caplog.text):
        assert "wrong-Zq81xPP0" not in shown and SMTP_PASSWORD not in shown
    assert "e-mail to 2 recipients: failed (the server refused the login" in caplog.text


def test_an_untrusted_certificate_is_refused(smtp_server: _Inbox, pack_dir: Path, env: pytest.MonkeyPatch) -> None:
    config = _config(email=_email_config(smtp_server, ca_file=None), timeout=10)
    [delivery] = notify.send_all(notify.compose(_record("zh-CN"), pack_dir, config), config)
    assert not delivery.ok and "TLS certificate of 127.0.0.1" in delivery.detail and "not trusted" in delivery.detail
    assert smtp_server.mails == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_server_that_is_not_listening_is_a_failed_delivery(pack_dir: Path, env: pytest.MonkeyPatch,
                                                             ca: tuple[Any, Path]) -> None:
    inbox = _Inbox(_closed_port(), ca[1])
    config = _config(email=_email_config(inbox), timeout=5)
    [delivery] = notify.send_all(notify.compose(_record("zh-CN"), pack_dir, config), config)
    assert str(delivery) == f"e-mail to 2 recipients: failed (could not connect to 127.0.0.1:{inbox.port} " \
                            "(connection refused))"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # implicit TLS: aiosmtpd cannot tell
def test_implicit_tls_verifies_the_certificate_and_logs_in(ca: tuple[Any, Path], pack_dir: Path,
                                                          env: pytest.MonkeyPatch) -> None:
    # security: ssl (port 465 style): TLS from the first byte, the certificate verified through ca_file
    inbox = _Inbox(0, ca[1])
    controller = _Controller(inbox, hostname="127.0.0.1", port=0, ssl_context=_server_context(ca[0]),
                             auth_required=True, auth_require_tls=False, authenticator=_authenticator)
    controller.start()
    try:
        inbox.port = controller.port
        config = _config(email=_email_config(inbox, security="ssl"), timeout=10)
        assert [str(d) for d in notify.send_all(notify.compose(_record("zh-CN"), pack_dir, config), config)] == [
            "e-mail to 2 recipients: sent"]
        [(_recipients, data, _tls, authenticated)] = inbox.mails
        assert authenticated and _parsed(data)["Subject"].startswith("运营报告包 · 2026年10月")
    finally:
        controller.stop()


def test_a_server_without_starttls_gets_nothing_in_clear(pack_dir: Path, env: pytest.MonkeyPatch,
                                                         ca: tuple[Any, Path]) -> None:
    inbox = _Inbox(0, ca[1])
    controller = _Controller(inbox, hostname="127.0.0.1", port=0)  # no TLS at all
    controller.start()
    try:
        inbox.port = controller.port
        config = _config(email=_email_config(inbox), timeout=5)
        [delivery] = notify.send_all(notify.compose(_record("zh-CN"), pack_dir, config), config)
        assert not delivery.ok and "STARTTLS" in delivery.detail and inbox.mails == []
    finally:
        controller.stop()


# ---------------------------------------------------------------- webhooks against http.server

@dataclass
class _Hook:
    """A local stand-in for a chat platform: records each POST and answers as told."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    reply: bytes = b'{"errcode": 0, "errmsg": "ok"}'


@pytest.fixture
def hook() -> Iterator[_Hook]:
    state = _Hook("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            parts = urllib.parse.urlsplit(self.path)
            state.requests.append({"path": parts.path, "query": dict(urllib.parse.parse_qsl(parts.query)),
                                   "type": self.headers["Content-Type"], "json": json.loads(body.decode("utf-8"))})
            self.send_response(state.status)
            self.send_header("Content-Length", str(len(state.reply)))
            self.end_headers()
            self.wfile.write(state.reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def _send(hook_config: notify.WebhookConfig, record: dict[str, Any], pack_dir: Path,
          link_base: str = LINK_BASE) -> notify.Delivery:
    config = _config(webhooks=(hook_config,), link_base=link_base, timeout=5)
    [delivery] = notify.send_all(notify.compose(record, pack_dir, config), config)
    return delivery


def test_wecom_gets_markdown_with_the_chinese_text(hook: _Hook, pack_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WECOM", f"{hook.url}/cgi-bin/webhook/send?key={WEBHOOK_TOKEN}")
    delivery = _send(notify.WebhookConfig("wecom", "WECOM"), _record("zh-CN"), pack_dir)
    assert str(delivery) == "wecom: sent"
    [request] = hook.requests
    assert request["path"] == "/cgi-bin/webhook/send" and request["query"] == {"key": WEBHOOK_TOKEN}
    assert request["type"] == "application/json; charset=utf-8"
    assert set(request["json"]) == {"msgtype", "markdown"} and request["json"]["msgtype"] == "markdown"
    content = request["json"]["markdown"]["content"]
    assert content.startswith("**运营报告包 · 2026年10月：1 个账号需关注，1 个运行失败**\n"
                              "2 个账号：▲ 风险 1 · ▲ 运行失败 1；1 个账号数据滞后；1 个运行失败\n")
    assert "▲ 风险 **青柠生活·抖音**\n净增粉丝 16,401 ▲ · 曝光量 1,586.6万 ● · 收入 138.9万\n12 条异常预警\n" in content


def _dingtalk_sign_by_hand(secret: str, timestamp: str) -> str:
    # DingTalk 加签: HmacSHA256 with the secret as key over "timestamp\nsecret", then Base64
    mac = hmac.new(secret.encode("utf-8"), (timestamp + "\n" + secret).encode("utf-8"), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def test_dingtalk_is_signed_per_its_docs(hook: _Hook, pack_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DING", f"{hook.url}/robot/send?access_token={WEBHOOK_TOKEN}")
    monkeypatch.setenv("DING_SECRET", SIGNING_SECRET)
    before = time.time() * 1000
    delivery = _send(notify.WebhookConfig("dingtalk", "DING", "DING_SECRET"), _record("en"), pack_dir)
    assert delivery.ok, delivery
    [request] = hook.requests
    query = request["query"]
    assert request["path"] == "/robot/send" and query["access_token"] == WEBHOOK_TOKEN
    assert before - 1 <= int(query["timestamp"]) <= time.time() * 1000 + 1  # milliseconds
    assert query["sign"] == _dingtalk_sign_by_hand(SIGNING_SECRET, query["timestamp"])
    body = request["json"]
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"title", "text"}
    assert body["markdown"]["title"] == "Operations pack · Oct 2026: 1 account needs attention, 1 run failed"
    assert "  \n▲ at risk **青柠生活·抖音**  \n" in body["markdown"]["text"]


def test_dingtalk_error_code_is_a_failure_without_token_or_secret(hook: _Hook, pack_dir: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("DING", f"{hook.url}/robot/send?access_token={WEBHOOK_TOKEN}")
    monkeypatch.setenv("DING_SECRET", SIGNING_SECRET)
    # a platform that echoes the token and the secret in its error message
    hook.reply = json.dumps({"errcode": 310000, "errmsg": f"sign not match for {WEBHOOK_TOKEN} / {SIGNING_SECRET}"}
                            ).encode()
    with caplog.at_level(logging.INFO, logger="helpers.notify"):
        delivery = _send(notify.WebhookConfig("dingtalk", "DING", "DING_SECRET"), _record("zh-CN"), pack_dir)
    assert str(delivery) == "dingtalk: failed (errcode 310000: sign not match for *** / ***)"
    assert WEBHOOK_TOKEN not in caplog.text and SIGNING_SECRET not in caplog.text


def test_http_500_is_a_failure(hook: _Hook, pack_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DING", f"{hook.url}/robot/send?access_token={WEBHOOK_TOKEN}")
    hook.status, hook.reply = 500, b""
    assert str(_send(notify.WebhookConfig("dingtalk", "DING"), _record("zh-CN"), pack_dir)) == \
        "dingtalk: failed (HTTP 500)"


def _feishu_sign_by_hand(secret: str, timestamp: str) -> str:
    # Feishu 签名校验: HmacSHA256 keyed by "timestamp\nsecret" over an empty message, then Base64
    mac = hmac.new((timestamp + "\n" + secret).encode("utf-8"), b"", hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def test_feishu_gets_a_signed_post_with_links(hook: _Hook, pack_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEISHU", f"{hook.url}/open-apis/bot/v2/hook/{WEBHOOK_TOKEN}")
    monkeypatch.setenv("FEISHU_SECRET", SIGNING_SECRET)
    hook.reply = b'{"code": 0, "msg": "success", "data": {}}'
    before = int(time.time())
    assert _send(notify.WebhookConfig("feishu", "FEISHU", "FEISHU_SECRET"), _record("zh-CN"), pack_dir).ok
    body = hook.requests[0]["json"]
    assert before <= int(body["timestamp"]) <= time.time() + 1  # seconds, as a string
    assert body["sign"] == _feishu_sign_by_hand(SIGNING_SECRET, body["timestamp"])
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "运营报告包 · 2026年10月：1 个账号需关注，1 个运行失败"
    assert [{"tag": "text", "text": "▲ 运行失败 "}, {"tag": "text", "text": "<b>&微博"}] in post["content"]
    assert {"tag": "a", "text": "打开报告包",
            "href": "https://reports.example.com/opsbook/packs/2026-10/index.html"} in post["content"][-1]


def test_feishu_error_code_is_a_failure(hook: _Hook, pack_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEISHU", f"{hook.url}/open-apis/bot/v2/hook/{WEBHOOK_TOKEN}")
    hook.reply = b'{"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}'
    delivery = _send(notify.WebhookConfig("feishu", "FEISHU"), _record("zh-CN"), pack_dir)
    assert not delivery.ok and delivery.detail.startswith("code 19021: sign match fail")


def test_slack_gets_mrkdwn_and_needs_ok(hook: _Hook, pack_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK", f"{hook.url}/services/T0/B0/{WEBHOOK_TOKEN}")
    hook.reply = b"ok"
    assert str(_send(notify.WebhookConfig("slack", "SLACK"), _record("en"), pack_dir)) == "slack: sent"
    text = hook.requests[0]["json"]["text"]
    assert set(hook.requests[0]["json"]) == {"text"}
    assert text.startswith("*Operations pack · Oct 2026: 1 account needs attention, 1 run failed*\n")
    assert "▲ run failed *&lt;b&gt;&amp;微博*" in text
    hook.status, hook.reply = 400, b"invalid_payload"
    delivery = _send(notify.WebhookConfig("slack", "SLACK"), _record("en"), pack_dir)
    assert str(delivery) == "slack: failed (HTTP 400: invalid_payload)"


def test_one_failing_channel_does_not_stop_the_others(hook: _Hook, pack_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    port = _closed_port()
    monkeypatch.setenv("DING", f"http://127.0.0.1:{port}/robot/send?access_token={WEBHOOK_TOKEN}")
    monkeypatch.setenv("WECOM", f"{hook.url}/cgi-bin/webhook/send?key={WEBHOOK_TOKEN}")
    monkeypatch.setenv("OPSBOOK_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("OPSBOOK_SMTP_PASSWORD", SMTP_PASSWORD)
    email_config = notify.EmailConfig("127.0.0.1", _closed_port(), "starttls", "ops@example.com",
                                      ("lead@example.com",), "OPSBOOK_SMTP_USER", "OPSBOOK_SMTP_PASSWORD")
    config = _config(email=email_config, webhooks=(notify.WebhookConfig("dingtalk", "DING"),
                                                   notify.WebhookConfig("wecom", "WECOM")), timeout=5)
    with caplog.at_level(logging.INFO, logger="helpers.notify"):
        deliveries = notify.send_all(notify.compose(_record("zh-CN"), pack_dir, config), config)
    assert [(d.channel, d.ok) for d in deliveries] == [("e-mail to 1 recipient", False), ("dingtalk", False),
                                                       ("wecom", True)]
    assert deliveries[1].detail == f"could not connect to 127.0.0.1:{port} (connection refused)"
    assert len(hook.requests) == 1
    for text in [caplog.text, *map(str, deliveries)]:
        assert WEBHOOK_TOKEN not in text and SMTP_PASSWORD not in text
