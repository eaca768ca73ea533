"""Send a finished pack by e-mail and to chat webhooks: `opsbook run-all --period P --notify notify.yaml`.

Three steps, each one job:

- ``load_config(path)`` reads and checks the YAML file before any notebook runs, so a bad config
  costs nothing. Every environment variable it names must be set.
- ``compose(record, pack_dir, config)`` turns pack.json into a ``Message`` in the pack's language:
  the verdict first (accounts healthy / watch / at risk, stale data, runs failed), then each account
  (its status, its three KPI tiles, alerts, a freshness note), the failed runs with the first line of
  their message, and the links. Accounts that need attention come first, so a chat message cut to
  its platform's size limit drops healthy accounts, never problems.
- ``send_all(message, config)`` sends it to every channel and returns one ``Delivery`` per channel.
  A channel that fails (refused connection, authentication, HTTP 4xx/5xx, a webhook's error code)
  is reported and the others still go; nothing raises, and the pack on disk is never touched.

The config (see docs/notify.example.yaml)::

    link_base: https://reports.example.com/opsbook/   # optional: where outputs/ is served
    timeout: 20                                       # optional: seconds per channel
    email:
      host: smtp.example.com
      port: 587                       # default 587 (starttls), 465 (ssl), 25 (none)
      security: starttls              # starttls (default) | ssl | none (none only for localhost)
      username_env: OPSBOOK_SMTP_USER         # optional: no login when absent
      password_env: OPSBOOK_SMTP_PASSWORD     # required with username_env
      ca_file: /etc/ssl/custom-ca.pem         # optional, to trust a private CA (relative to this file)
      from: 运营报告 <ops@example.com>
      to: [lead@example.com, ops@example.com]
    webhooks:
      - kind: wecom                   # wecom | dingtalk | feishu | slack
        url_env: OPSBOOK_WECOM_URL
      - kind: dingtalk
        url_env: OPSBOOK_DINGTALK_URL
        secret_env: OPSBOOK_DINGTALK_SECRET   # optional signing secret (dingtalk, feishu)
        name: ops group                       # optional: how deliveries name the channel

Secrets (the SMTP password, webhook URLs, which carry their token, and signing secrets) come only
from environment variables named by ``*_env`` keys; a literal ``password:``, ``url:`` or ``secret:``
in the file is refused. No secret is ever written into a Delivery, a log line or an error message.

Links: with ``link_base`` each report links to link_base + its path under outputs/ (the pack folder
is outputs/packs/<period>). Without it the message names the pack folder and the e-mail attaches
the pack's index.html (and index.pdf when there is one).

Chat formats follow each platform's documentation of its custom robot / incoming webhook:

- WeCom (企业微信群机器人, developer.work.weixin.qq.com/document/path/91770 "群机器人配置说明"):
  ``{"msgtype": "markdown", "markdown": {"content": ...}}``, content at most 4096 bytes of UTF-8;
  the reply is ``{"errcode": 0, "errmsg": "ok"}``.
- DingTalk (钉钉自定义机器人, open.dingtalk.com/document/group/custom-robot-access and
  .../robot-message-type): ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}``,
  line breaks as two spaces + newline; signing ("加签"): timestamp in ms, sign = urlencode(base64(
  HmacSHA256(key=secret, message=timestamp + "\\n" + secret))), appended as &timestamp=..&sign=..;
  the reply is ``{"errcode": 0, ...}`` (310000 when the signature or keyword check fails).
- Feishu (飞书自定义机器人, open.feishu.cn/document/ukTMukTMukTM/ucTM5YjL3ETO24yNxkjN):
  ``{"msg_type": "post", "content": {"post": {"zh_cn": {"title": ..., "content": [[tags]]}}}}``
  with ``text`` and ``a`` tags (so data needs no markdown escaping); signing: timestamp in seconds,
  sign = base64(HmacSHA256(key=timestamp + "\\n" + secret, message="")), both in the body; the
  reply is ``{"code": 0, ...}`` (older bots: ``{"StatusCode": 0, ...}``). The body is kept under
  20 KB, Feishu's limit for a custom bot's request.
- Slack (api.slack.com/messaging/webhooks): ``{"text": ...}`` in mrkdwn (``*bold*``,
  ``<url|text>``, &, <, > escaped as &amp; &lt; &gt;); the reply is ``ok``; text is truncated by
  Slack past 40,000 characters (api.slack.com/changelog/2018-04-truncating-really-long-messages),
  so the message is cut before that.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import json
import logging
import os
import posixpath
import re
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any

import yaml

from helpers import i18n, page
from helpers.errors import ParameterError
from helpers.i18n import _, ngettext

log = logging.getLogger(__name__)

WEBHOOK_KINDS: tuple[str, ...] = ("wecom", "dingtalk", "feishu", "slack")
SECURITY_MODES: tuple[str, ...] = ("starttls", "ssl", "none")
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
LOCAL_HOSTS: frozenset[str] = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_TIMEOUT = 20.0
#: Size limits of the chat platforms (see the module docstring for the sources).
WECOM_MAX_BYTES = 4096
FEISHU_MAX_BODY_BYTES = 20_000
SLACK_MAX_CHARS = 40_000

#: Keys that would hold a secret in the file → the key to write instead.
_SECRET_KEYS: dict[str, str] = {"password": "password_env", "username": "username_env", "url": "url_env",
                                "webhook": "url_env", "key": "url_env", "token": "url_env",
                                "secret": "secret_env"}
_TOP_KEYS = ("link_base", "timeout", "email", "webhooks")
_EMAIL_KEYS = ("host", "port", "security", "username_env", "password_env", "ca_file", "from", "to")
_WEBHOOK_KEYS = ("kind", "url_env", "secret_env", "name")
_SIGNED_KINDS = ("dingtalk", "feishu")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: Accounts in the order a reader needs them: problems first.
_URGENCY = {"failed": 0, "at risk": 1, "watch": 2, "info": 3, "healthy": 4}
_TOTAL_ACCOUNT = "own"


# ---------------------------------------------------------------- the config

@dataclass(frozen=True)
class EmailConfig:
    """Where and how to send the e-mail; credentials are the names of environment variables."""

    host: str
    port: int
    security: str
    sender: str
    to: tuple[str, ...]
    username_env: str = ""
    password_env: str = ""
    ca_file: Path | None = None

    @property
    def channel(self) -> str:
        """How deliveries name this channel: "e-mail to 2 recipients"."""
        return f"e-mail to {len(self.to)} recipient{'' if len(self.to) == 1 else 's'}"


@dataclass(frozen=True)
class WebhookConfig:
    """One chat robot: its platform, the variable holding its URL and, optionally, its signing secret."""

    kind: str
    url_env: str
    secret_env: str = ""
    name: str = ""

    @property
    def channel(self) -> str:
        """How deliveries name this channel: the kind, with its name when one is given."""
        return f"{self.kind} ({self.name})" if self.name else self.kind


@dataclass(frozen=True)
class NotifyConfig:
    """A checked notify config: the channels, where outputs/ is served, and the time each channel gets."""

    source: Path
    link_base: str = ""
    email: EmailConfig | None = None
    webhooks: tuple[WebhookConfig, ...] = ()
    timeout: float = DEFAULT_TIMEOUT


class _Checker:
    """Builds the one clear message of a bad config: the file, the key, what to write instead."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, key: str, problem: str) -> ParameterError:
        return ParameterError(f"{self.path}: {key} {problem}")

    def refuse_secrets(self, value: object, where: str) -> None:
        """Refuse a secret written anywhere in the file, before any other check (and without repeating it)."""
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for name, item in items:
            key = f"{where}[{name}]" if isinstance(value, list) else f"{where}.{name}" if where else str(name)
            if isinstance(value, dict) and name in _SECRET_KEYS:
                raise self.error(key, f"would keep a secret in the file; secrets come only from environment "
                                      f"variables: write {_SECRET_KEYS[str(name)]}: OPSBOOK_... and export that "
                                      "variable in the job's environment.")
            self.refuse_secrets(item, key)

    def mapping(self, value: object, key: str, allowed: Sequence[str]) -> dict[str, Any]:
        """`value` as a mapping with only `allowed` keys."""
        if not isinstance(value, dict):
            raise (self.error(key, f"must be a mapping with the keys {', '.join(allowed)}.") if key else
                   ParameterError(f"{self.path}: must hold a YAML mapping with the keys {', '.join(allowed)}; "
                                  "see docs/notify.example.yaml."))
        for name in value:
            where = f"{key}.{name}" if key else str(name)
            if name not in allowed:
                raise self.error(where, f"is not a known key; known keys: {', '.join(allowed)}.")
        return dict(value)

    def text(self, mapping: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
        """A non-empty string value (or '' when optional and absent)."""
        value = mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.error(f"{where}{key}", "is missing.")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise self.error(f"{where}{key}", f"must be text; got {type(value).__name__}.")
        return str(value).strip()

    def env_name(self, mapping: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
        """The name of an environment variable that is set; its value is never part of a message."""
        name = self.text(mapping, key, where, required=required)
        if not name:
            return ""
        if not _ENV_NAME.match(name):
            # the value may be the secret itself (a URL pasted into url_env): never echo it
            raise self.error(f"{where}{key}", "must be the name of an environment variable (letters, digits and _, "
                                              "e.g. OPSBOOK_WECOM_URL), not the secret itself.")
        if not os.environ.get(name, "").strip():
            raise self.error(f"{where}{key}", f"names the environment variable {name}, which is not set: export "
                                              f"{name} in the environment of the job before it runs.")
        return name


def _is_local(host: str) -> bool:
    return host.strip("[]").lower() in LOCAL_HOSTS


def _port(checker: _Checker, value: object, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit() \
            or not 1 <= int(value) <= 65535:
        raise checker.error("email.port", f"must be a whole number from 1 to 65535, e.g. 587 (starttls) or 465 "
                                          f"(ssl); got {value!r}.")
    return int(value)


def _address(checker: _Checker, value: str, key: str) -> str:
    _name, address = parseaddr(value)
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise checker.error(key, f"must be an e-mail address such as ops@example.com or "
                                 f"'运营报告 <ops@example.com>'; got {value!r}.")
    return value


def _email_config(checker: _Checker, raw: object) -> EmailConfig:
    mapping = checker.mapping(raw, "email", _EMAIL_KEYS)
    host = checker.text(mapping, "host", "email.")
    security = checker.text(mapping, "security", "email.", required=False) or "starttls"
    if security not in SECURITY_MODES:
        raise checker.error("email.security", f"must be one of {', '.join(SECURITY_MODES)}; got {security!r}.")
    if security == "none" and not _is_local(host):
        raise checker.error("email.security", f"none sends the password and the pack in clear text, so it is only "
                                              f"allowed for localhost; use starttls or ssl for {host}.")
    port = _port(checker, mapping.get("port"), DEFAULT_PORTS[security])
    user = checker.env_name(mapping, "username_env", "email.", required=False)
    password = checker.env_name(mapping, "password_env", "email.", required=bool(user))
    if password and not user:
        raise checker.error("email.username_env", "is missing: password_env needs the user name to log in with.")
    ca_file = None
    if mapping.get("ca_file") is not None:
        ca_file = Path(checker.text(mapping, "ca_file", "email.")).expanduser()
        ca_file = ca_file if ca_file.is_absolute() else checker.path.parent / ca_file
        if not ca_file.is_file():
            raise checker.error("email.ca_file", f"{ca_file} is not a file: give the PEM file of the CA that "
                                                 "signed the server's certificate, or leave ca_file out.")
    sender = _address(checker, checker.text(mapping, "from", "email."), "email.from")
    raw_to = mapping.get("to")
    if raw_to is None or raw_to == [] or raw_to == "":
        raise checker.error("email.to", "is missing: list the recipients, e.g. to: [lead@example.com].")
    recipients = raw_to.split(",") if isinstance(raw_to, str) else raw_to
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        raise checker.error("email.to", "must be a list of e-mail addresses, e.g. to: [lead@example.com].")
    to = tuple(_address(checker, r.strip(), f"email.to[{i}]") for i, r in enumerate(recipients))
    return EmailConfig(host, port, security, sender, to, user, password, ca_file)


def _webhook_url_ok(name: str) -> bool:
    url = urllib.parse.urlsplit(os.environ[name].strip())
    return url.scheme == "https" or (url.scheme == "http" and _is_local(url.hostname or ""))


def _webhook_config(checker: _Checker, raw: object, index: int) -> WebhookConfig:
    where = f"webhooks[{index}]"
    mapping = checker.mapping(raw, where, _WEBHOOK_KEYS)
    kind = checker.text(mapping, "kind", f"{where}.").lower()
    if kind not in WEBHOOK_KINDS:
        raise checker.error(f"{where}.kind", f"must be one of {', '.join(WEBHOOK_KINDS)}; got {kind!r}.")
    url_env = checker.env_name(mapping, "url_env", f"{where}.")
    if not _webhook_url_ok(url_env):
        raise checker.error(f"{where}.url_env", f"names {url_env}, whose value is not an https:// URL (http:// is "
                                                "only allowed for localhost): set it to the robot's webhook URL.")
    secret_env = checker.env_name(mapping, "secret_env", f"{where}.", required=False)
    if secret_env and kind not in _SIGNED_KINDS:
        raise checker.error(f"{where}.secret_env", f"is only used by {' and '.join(_SIGNED_KINDS)}; a {kind} "
                                                   "webhook carries its token in the URL: leave secret_env out.")
    return WebhookConfig(kind, url_env, secret_env, checker.text(mapping, "name", f"{where}.", required=False))


def _link_base(checker: _Checker, value: object) -> str:
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if urllib.parse.urlsplit(text).scheme not in ("http", "https") or not urllib.parse.urlsplit(text).netloc:
        raise checker.error("link_base", f"must be the http(s) URL where outputs/ is served, e.g. "
                                         f"https://reports.example.com/opsbook/; got {text!r}.")
    return text if text.endswith("/") else text + "/"


def _timeout(checker: _Checker, value: object) -> float:
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 600:
        raise checker.error("timeout", f"must be a number of seconds above 0 and at most 600, e.g. 20; got {value!r}.")
    return float(value)


def load_config(path: Path) -> NotifyConfig:
    """Read and check a notify config (YAML); a ParameterError names the file, the key and the fix."""
    path = Path(path)
    checker = _Checker(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"--notify {path}: no such file; see docs/notify.example.yaml for one to copy.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ParameterError(f"--notify {path}: cannot be read ({error}).") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ParameterError(f"{path}: is not valid YAML{where}; see docs/notify.example.yaml.") from None
    checker.refuse_secrets(raw, "")
    top = checker.mapping(raw if raw is not None else {}, "", _TOP_KEYS)
    email = _email_config(checker, top["email"]) if top.get("email") is not None else None
    hooks = top.get("webhooks") or []
    if not isinstance(hooks, list):
        raise checker.error("webhooks", "must be a list, each item with kind: and url_env:.")
    webhooks = tuple(_webhook_config(checker, item, i) for i, item in enumerate(hooks))
    if email is None and not webhooks:
        raise checker.error("email", "and webhooks are both missing: give at least one channel to notify.")
    return NotifyConfig(path, _link_base(checker, top.get("link_base")), email, webhooks,
                        _timeout(checker, top.get("timeout")))


# ---------------------------------------------------------------- the message

@dataclass(frozen=True)
class Link:
    """A page the message points to: what it is and its URL."""

    text: str
    href: str


@dataclass(frozen=True)
class AccountLine:
    """One account of the pack as the message shows it: status badge, KPI tiles, notes, report links."""

    name: str
    status: str
    badge: str
    kpis: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """A file the e-mail carries."""

    filename: str
    content: bytes
    mime: str


@dataclass(frozen=True, repr=False)
class Message:
    """The pack's notification in its language; `text`, `html` and `markdown` render it."""

    lang: str
    subject: str
    verdict: str
    accounts: tuple[AccountLine, ...] = ()
    failures: tuple[str, ...] = ()
    others: tuple[Link, ...] = ()
    pack_link: Link | None = None
    folder: str = ""
    attachments: tuple[Attachment, ...] = ()

    @property
    def text(self) -> str:
        """The plain-text body of the e-mail (the subject is the mail's header)."""
        return render_text(self)

    @property
    def html(self) -> str:
        """The HTML body of the e-mail, every data text escaped."""
        return render_html(self)

    @property
    def markdown(self) -> str:
        """The chat rendering in Markdown, subject first."""
        return render_markdown(self)

    def __repr__(self) -> str:
        return f"{self.subject}\n{self.text}"


def _counted(accounts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The accounts the verdict counts: the brand total ("own") only when it is the only row."""
    single = [a for a in accounts if a.get("account") != _TOTAL_ACCOUNT]
    return single or list(accounts)


def _failed_runs(record: Mapping[str, Any]) -> int:
    failed = record.get("failed")
    if isinstance(failed, int) and not isinstance(failed, bool):
        return failed
    return sum(run.get("status") == "failed" for run in record.get("runs", []))


def _subject(record: Mapping[str, Any]) -> str:
    """Title and headline: "运营报告包 · 2026年10月：2 个账号需关注，1 个运行失败"."""
    title = str(record.get("title") or "")
    if not title:
        title = _("Report pack · {period}").format(period=i18n.fmt_period(record["kind"], record["start"]))
    counted = _counted(record.get("accounts", []))
    attention = sum(a.get("status") in ("watch", "at risk") for a in counted)
    failed = _failed_runs(record)
    parts = []
    if attention:
        parts.append(ngettext("{n} account needs attention", "{n} accounts need attention",
                              attention).format(n=attention))
    if failed:
        parts.append(ngettext("{n} run failed", "{n} runs failed", failed).format(n=failed))
    return title + i18n.punctuation("colon") + (i18n.punctuation("comma").join(parts) or _("all clear"))


def _row_badge(status: str) -> str:
    from helpers import pack

    return pack.row_badge(status)


def _verdict(record: Mapping[str, Any]) -> str:
    """The first line: the pack's verdict (accounts by status, stale data, runs failed), as the index shows it."""
    from helpers import pack

    if record.get("accounts"):
        return pack.pack_verdict(dict(record))
    published = sum(run.get("status") == "ok" for run in record.get("runs", []))
    parts = [ngettext("{n} report published", "{n} reports published", published).format(n=published)]
    failed = _failed_runs(record)
    if failed:
        parts.append(ngettext("{n} run failed", "{n} runs failed", failed).format(n=failed))
    return i18n.punctuation("semicolon").join(parts)


class _Linker:
    """Report URLs: link_base + the report's path under outputs/ (pack_dir is outputs/packs/<period>)."""

    def __init__(self, link_base: str, pack_dir: Path) -> None:
        self.base = link_base
        self.pack = pack_dir.resolve().relative_to(pack_dir.resolve().parent.parent).as_posix()

    def url(self, relative_to_pack: str | None) -> str:
        """The public URL of a path relative to the pack folder ('' without link_base or outside outputs/)."""
        if not self.base or not relative_to_pack:
            return ""
        path = posixpath.normpath(posixpath.join(self.pack, str(relative_to_pack).replace("\\", "/")))
        if path.startswith(("..", "/")):
            return ""
        return self.base + urllib.parse.quote(path)


def _report_name(notebook: str) -> str:
    label = page.REPORT_NAMES.get(notebook)
    return _(label) if label else notebook


def _kpi(tile: Mapping[str, Any]) -> str:
    """A KPI tile as "净增粉丝 16,401 ▲" (the shape only for a judged status)."""
    shape = page.status_label(str(tile.get("status", ""))).split(" ")[0] if tile.get("status") not in (
        None, "", "info") else ""
    return " ".join(p for p in (str(tile.get("label") or ""), str(tile.get("value") or ""), shape) if p)


def _notes(account: Mapping[str, Any]) -> tuple[str, ...]:
    """Alerts and freshness of an account, when there is something to say."""
    notes = []
    alerts = account.get("alerts")
    if isinstance(alerts, int) and not isinstance(alerts, bool) and alerts > 0:
        notes.append(ngettext("{n} anomaly alert", "{n} anomaly alerts", alerts).format(n=i18n.fmt_count(alerts)))
    if not account.get("fresh", True):
        note = str(account.get("freshness_note") or "")
        if not note and account.get("data_end"):
            note = _("data ends {date}").format(date=i18n.fmt_date(account["data_end"]))
        notes.append(note or _("data is not up to date"))
    return tuple(notes)


def _account_line(account: Mapping[str, Any], runs: Sequence[Mapping[str, Any]], linker: _Linker) -> AccountLine:
    status = str(account.get("status", ""))
    mine = [runs[i] for i in account.get("runs", []) if isinstance(i, int) and 0 <= i < len(runs)]
    links = tuple(Link(_report_name(str(run.get("notebook", ""))), url) for run in mine
                  if run.get("status") == "ok" and (url := linker.url(run.get("report"))))
    return AccountLine(name=str(account.get("name") or account.get("account") or ""), status=status,
                       badge=_row_badge(status), kpis=tuple(_kpi(t) for t in account.get("kpis", [])[:3]),
                       notes=_notes(account), links=links)


def _by_urgency(accounts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The brand total first, then failed, at risk, watch, info, healthy (stable within each)."""
    return sorted(accounts, key=lambda a: (a.get("account") != _TOTAL_ACCOUNT, _URGENCY.get(str(a.get("status")), 3)))


def _first_line(text: str, limit: int = 200) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _failure(run: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """A failed run: "周期复盘 · 青柠生活·抖音：<first line of its message>"."""
    account = run.get("account")
    where = names.get(str(account), str(account)) if account else str(run.get("window", ""))
    head = " · ".join(p for p in (_report_name(str(run.get("notebook", ""))), where) if p)
    message = _first_line(str(run.get("message", "")))
    return head + (i18n.punctuation("colon") + message if message else "")


def _attachments(pack_dir: Path, period: str) -> tuple[Attachment, ...]:
    """The pack's index.html and index.pdf, when they exist, named after the period."""
    found = []
    for name, mime in (("index.html", "text/html"), ("index.pdf", "application/pdf")):
        path = pack_dir / name
        if path.is_file():
            found.append(Attachment(f"opsbook-{period}-{name}", path.read_bytes(), mime))
    return tuple(found)


def _other_links(runs: Sequence[Mapping[str, Any]], accounts: Sequence[Mapping[str, Any]],
                 linker: _Linker) -> tuple[Link, ...]:
    """Links to the reports no account row holds (the plan, experiments): "内容规划 · 2026-11"."""
    held = {i for a in accounts for i in a.get("runs", [])}
    return tuple(Link(" · ".join(p for p in (_report_name(str(run.get("notebook", ""))), str(run.get("window", "")))
                                 if p), url)
                 for i, run in enumerate(runs) if i not in held and run.get("status") == "ok"
                 and (url := linker.url(run.get("report"))))


def compose(record: dict[str, Any], pack_dir: Path, config: NotifyConfig) -> Message:
    """The notification of a pack (its pack.json `record`, written in `pack_dir`) in the pack's language."""
    lang = i18n.resolve_language(str(record.get("lang") or "") or None)
    pack_dir = Path(pack_dir)
    with i18n.use_language(lang):
        runs = list(record.get("runs", []))
        accounts = list(record.get("accounts", []))
        linker = _Linker(config.link_base, pack_dir)
        names = {str(a.get("account")): str(a.get("name") or a.get("account")) for a in accounts}
        return Message(
            lang=lang, subject=_subject(record), verdict=_verdict(record),
            accounts=tuple(_account_line(a, runs, linker) for a in _by_urgency(accounts)),
            failures=tuple(_failure(run, names) for run in runs if run.get("status") == "failed"),
            others=_other_links(runs, accounts, linker),
            pack_link=Link(_("Open the pack"), linker.url("index.html")) if config.link_base else None,
            folder="" if config.link_base else str(pack_dir.resolve()),
            attachments=() if config.link_base else _attachments(pack_dir, str(record.get("period", ""))))


# ---------------------------------------------------------------- renderings

@dataclass(frozen=True)
class _Run:
    """A piece of a line: text, optionally a link or bold."""

    text: str
    href: str = ""
    bold: bool = False


_Line = tuple[_Run, ...]
#: Failed runs a chat message lists before "…and N more".
_CHAT_FAILURES = 5


def _joined(links: Sequence[Link]) -> _Line:
    runs: list[_Run] = []
    for link in links:
        if runs:
            runs.append(_Run(" · "))
        runs.append(_Run(link.text, link.href))
    return tuple(runs)


def _account_lines(account: AccountLine) -> list[_Line]:
    """An account: a blank line, badge and name, its KPI tiles, its notes, its report links."""
    lines: list[_Line] = [(), (_Run(account.badge + " "), _Run(account.name, bold=True))]
    if account.kpis:
        lines.append((_Run(" · ".join(account.kpis)),))
    lines += [(_Run(note),) for note in account.notes]
    if account.links:
        lines.append(_joined(account.links))
    return lines


def _failure_lines(failures: Sequence[str], limit: int | None) -> list[_Line]:
    """The failed runs, `limit` at most and then "…and N more"."""
    if not failures:
        return []
    listed = failures if limit is None else failures[:limit]
    lines: list[_Line] = [(), (_Run(_("Failed runs"), bold=True),), *[(_Run("- " + f),) for f in listed]]
    if more := len(failures) - len(listed):
        lines.append((_Run(ngettext("…and {n} more failed run", "…and {n} more failed runs", more).format(n=more)),))
    return lines


def _where_lines(message: Message) -> list[_Line]:
    """Where the pack is: its link, or its folder (and that the index is attached)."""
    if message.pack_link is not None:
        return [(), (_Run(message.pack_link.text, message.pack_link.href, bold=True),)]
    if not message.folder:
        return []
    lines: list[_Line] = [(), (_Run(_("Pack folder: {path}").format(path=message.folder)),)]
    if message.attachments:
        lines.append((_Run(_("The pack's index is attached; its report links work when it is opened in the pack "
                             "folder.")),))
    return lines


def _lines(message: Message, shown: int | None = None, *, title: bool, failures: int | None = None) -> list[_Line]:
    """The message as lines of runs ('()' is a blank line): `shown` accounts and `failures` failed runs at most."""
    with i18n.use_language(message.lang):
        lines: list[_Line] = [(_Run(message.subject, bold=True),)] if title else []
        lines.append((_Run(message.verdict),))
        accounts = message.accounts if shown is None else message.accounts[:shown]
        for account in accounts:
            lines += _account_lines(account)
        if hidden := len(message.accounts) - len(accounts):
            more = ngettext("…and {n} more account", "…and {n} more accounts", hidden).format(n=hidden)
            lines += [(), (_Run(more),)]
        lines += _failure_lines(message.failures, failures)
        if message.others:
            lines += [(), (_Run(_("Other reports"), bold=True),), _joined(message.others)]
        return lines + _where_lines(message)


def render_text(message: Message) -> str:
    """Plain text: each link as "name URL"."""
    def run(r: _Run) -> str:
        return f"{r.text} {r.href}" if r.href else r.text
    return "\n".join("".join(run(r) for r in line) for line in _lines(message, title=False)) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*\[\]<>#|])")
_MD_LONE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def _escape_markdown(text: str) -> str:
    """Data text made literal in Markdown (CommonMark backslash escapes; `_` inside a word stays as it is)."""
    return _MD_LONE_UNDERSCORE.sub(r"\\_", _MD_SPECIAL.sub(r"\\\1", text))


def _escape_slack(text: str) -> str:
    """Data text made literal in Slack mrkdwn: &, < and > as entities (Slack's documented escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markdown_run(run: _Run, flavour: str) -> str:
    slack = flavour == "slack"
    text = _escape_slack(run.text) if slack else _escape_markdown(run.text)
    if run.href:
        return f"<{run.href}|{text.replace('|', '/')}>" if slack else f"[{text}]({run.href})"
    if run.bold and text.strip():
        return f"*{text}*" if slack else f"**{text}**"
    return text


def render_markdown(message: Message, flavour: str = "markdown", shown: int | None = None,
                    failures: int | None = None) -> str:
    """Chat Markdown: "markdown" (WeCom), "dingtalk" (line breaks as two spaces + newline) or "slack" (mrkdwn)."""
    newline = "  \n" if flavour == "dingtalk" else "\n"
    return newline.join("".join(_markdown_run(r, flavour) for r in line)
                        for line in _lines(message, shown, title=True, failures=failures))


@functools.cache
def _html_environment() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(page.TEMPLATES)), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)


#: Status → colour of its badge in the e-mail (the report's palette, inline: mail clients drop <style>).
_COLOURS = {"good": "#1a7f37", "watch": "#9a6700", "bad": "#cf222e", "info": "#57606a"}


def render_html(message: Message) -> str:
    """The e-mail's HTML body (template notify_email.html.j2, autoescaped)."""
    with i18n.use_language(message.lang):
        words = {"failures": _("Failed runs"), "others": _("Other reports"),
                 "folder": _("Pack folder: {path}").format(path=message.folder),
                 "attached": _("The pack's index is attached; its report links work when it is opened in the "
                               "pack folder.")}
        colours = {a.status: _COLOURS["bad" if a.status == "failed" else page.status_class(a.status)]
                   for a in message.accounts}
        template = _html_environment().get_template("notify_email.html.j2")
        return str(template.render(m=message, words=words, colours=colours))


# ---------------------------------------------------------------- deliveries

@dataclass(frozen=True, repr=False)
class Delivery:
    """How sending to one channel went: "e-mail to 2 recipients: sent", "dingtalk: failed (HTTP 500)"."""

    channel: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.channel}: {'sent' if self.ok else 'failed'}" + (f" ({self.detail})" if self.detail else "")

    __repr__ = __str__


def _secret_values(config: NotifyConfig) -> list[str]:
    """Every secret the config names, with the parts of webhook URLs that carry the token."""
    names = [config.email.password_env] if config.email is not None else []
    values: list[str] = []
    for hook in config.webhooks:
        names.append(hook.secret_env)
        url = os.environ.get(hook.url_env, "").strip()
        if url:
            parts = urllib.parse.urlsplit(url)
            values += [url, parts.query, *(v for _k, v in urllib.parse.parse_qsl(parts.query)),
                       *(s for s in parts.path.split("/") if len(s) >= 16)]
    values += [os.environ.get(n, "") for n in names if n]
    return [v for v in values if len(v) >= 4]


def _scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (as written, URL-quoted or base64-encoded) replaced by ***."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        for form in {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret),
                     base64.b64encode(secret.encode()).decode()}:
            text = text.replace(form, "***")
    return text


def _network_problem(error: BaseException, where: str, timeout: float) -> str:
    """A failed connection in a few words (never the URL: it may hold a token)."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"the TLS certificate of {where} is not trusted ({error.verify_message}); set ca_file for a private CA"
    if isinstance(error, ssl.SSLError):
        return f"TLS with {where} failed ({error.reason or error})"
    if isinstance(error, ConnectionRefusedError):
        return f"could not connect to {where} (connection refused)"
    if isinstance(error, TimeoutError):
        return f"no answer from {where} within {timeout:g} s"
    if isinstance(error, socket.gaierror):
        return f"unknown host {where}"
    if isinstance(error, OSError):
        return f"could not connect to {where} ({error.strerror or type(error).__name__})"
    return f"{type(error).__name__}: {error}"


def _smtp_problem(error: BaseException, email: EmailConfig, timeout: float) -> str:
    where = f"{email.host}:{email.port}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (f"the server refused the login ({error.smtp_code}); check {email.username_env} and "
                f"{email.password_env}")
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"{where} does not support what the config asks ({error}); check email.security"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "every recipient was refused: " + ", ".join(sorted(error.recipients))
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"the server answered {error.smtp_code} {_first_line(str(reply), 120)}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection"
    if isinstance(error, smtplib.SMTPException):
        return f"{type(error).__name__}: {_first_line(str(error), 120)}"
    return _network_problem(error, where, timeout)


def _email_message(message: Message, email: EmailConfig) -> EmailMessage:
    """The e-mail: UTF-8 subject, plain text and HTML alternatives, the attachments."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = email.sender
    mail["To"] = ", ".join(email.to)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=parseaddr(email.sender)[1].rpartition("@")[2] or None)
    mail.set_content(message.text, cte="base64")
    mail.add_alternative(message.html, subtype="html", cte="base64")
    for item in message.attachments:
        maintype, _slash, subtype = item.mime.partition("/")
        params = {"charset": "utf-8"} if maintype == "text" else {}
        mail.add_attachment(item.content, maintype=maintype, subtype=subtype, filename=item.filename, params=params)
    return mail


def _send_email(message: Message, email: EmailConfig, timeout: float) -> Delivery:
    """Send the e-mail (STARTTLS or SSL with a verified certificate, login when configured)."""
    try:
        mail = _email_message(message, email)
        context = ssl.create_default_context(cafile=str(email.ca_file) if email.ca_file else None)
        if email.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(email.host, email.port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(email.host, email.port, timeout=timeout)
        try:
            if email.security == "starttls":
                smtp.starttls(context=context)
            if email.username_env:
                smtp.login(os.environ.get(email.username_env, ""), os.environ.get(email.password_env, ""))
            refused = smtp.send_message(mail, from_addr=parseaddr(email.sender)[1],
                                        to_addrs=[parseaddr(r)[1] for r in email.to])
            with contextlib.suppress(OSError):  # the mail is sent; a failed goodbye changes nothing
                smtp.quit()
        finally:
            smtp.close()
    except Exception as error:  # every failure becomes a failed delivery; the pack stays as it is
        return Delivery(email.channel, False, _smtp_problem(error, email, timeout))
    if refused:
        return Delivery(email.channel, False, "sent, but refused for " + ", ".join(sorted(refused)))
    return Delivery(email.channel, True)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64(HmacSHA256(key=secret, msg="{timestamp}\\n{secret}")), not yet URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: base64(HmacSHA256(key="{timestamp}\\n{secret}", msg=""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _fit(render: Callable[[int], str], total: int, fits: Callable[[str], bool]) -> tuple[str, int]:
    """The rendering with the most accounts (of `total`) that fits; (text, accounts shown)."""
    if fits(full := render(total)):
        return full, total
    low, high = 0, total - 1  # the largest count that fits lies in [low, high], if any
    while low < high:
        middle = (low + high + 1) // 2
        if fits(render(middle)):
            low = middle
        else:
            high = middle - 1
    return render(low), low


def _cut_bytes(text: str, limit: int) -> str:
    """`text` cut at a line end so its UTF-8 form fits `limit` bytes (the last resort of a huge message)."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[:limit - len("\n…".encode())].decode("utf-8", "ignore")
    return cut.rpartition("\n")[0] + "\n…"


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def _shortened(shown: int, total: int, limit: str) -> str:
    return f"shortened to {shown} of {total} accounts: {limit}" if shown < total else ""


def _wecom_payload(message: Message) -> tuple[dict[str, Any], str]:
    text, shown = _fit(lambda k: render_markdown(message, "markdown", k, _CHAT_FAILURES), len(message.accounts),
                       lambda s: _utf8_size(s) <= WECOM_MAX_BYTES)
    return ({"msgtype": "markdown", "markdown": {"content": _cut_bytes(text, WECOM_MAX_BYTES)}},
            _shortened(shown, len(message.accounts), "WeCom's 4096-byte limit"))


def _dingtalk_payload(message: Message) -> tuple[dict[str, Any], str]:
    text = render_markdown(message, "dingtalk", None, _CHAT_FAILURES)
    return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}, ""


def _feishu_post(message: Message, shown: int) -> dict[str, Any]:
    def tag(run: _Run) -> dict[str, str]:
        return {"tag": "a", "text": run.text, "href": run.href} if run.href else {"tag": "text", "text": run.text}
    lines = _lines(message, shown, title=False, failures=_CHAT_FAILURES)
    content = [[tag(r) for r in line] or [{"tag": "text", "text": ""}] for line in lines]
    language = "zh_cn" if message.lang == "zh-CN" else "en_us"
    return {"msg_type": "post", "content": {"post": {language: {"title": message.subject, "content": content}}}}


def _feishu_payload(message: Message) -> tuple[dict[str, Any], str]:
    body, shown = _fit(lambda k: json.dumps(_feishu_post(message, k), ensure_ascii=False), len(message.accounts),
                       lambda s: _utf8_size(s) <= FEISHU_MAX_BODY_BYTES - 200)  # room for timestamp and sign
    return json.loads(body), _shortened(shown, len(message.accounts), "Feishu's 20 KB limit")


def _slack_payload(message: Message) -> tuple[dict[str, Any], str]:
    text, shown = _fit(lambda k: render_markdown(message, "slack", k, _CHAT_FAILURES), len(message.accounts),
                       lambda s: len(s) <= SLACK_MAX_CHARS)
    return {"text": text[:SLACK_MAX_CHARS]}, _shortened(shown, len(message.accounts), "Slack's 40,000 characters")


_PAYLOADS: dict[str, Callable[[Message], tuple[dict[str, Any], str]]] = {
    "wecom": _wecom_payload, "dingtalk": _dingtalk_payload, "feishu": _feishu_payload, "slack": _slack_payload}


def _signed(hook: WebhookConfig, url: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The URL and body with the platform's signature, when the webhook has a signing secret."""
    secret = os.environ.get(hook.secret_env, "") if hook.secret_env else ""
    if not secret:
        return url, payload
    if hook.kind == "dingtalk":
        stamp = int(time.time() * 1000)
        query = urllib.parse.urlencode({"timestamp": stamp, "sign": dingtalk_sign(secret, stamp)})
        return url + ("&" if urllib.parse.urlsplit(url).query else "?") + query, payload
    stamp = int(time.time())
    return url, {"timestamp": str(stamp), "sign": feishu_sign(secret, stamp), **payload}


def _reply_problem(kind: str, body: bytes) -> str:
    """'' when the platform's reply means delivered, else what it said."""
    text = body.decode("utf-8", "replace").strip()
    if kind == "slack":
        return "" if text == "ok" else f"reply {_first_line(text, 80)!r}"
    try:
        reply = json.loads(text)
    except json.JSONDecodeError:
        return f"reply is not JSON: {_first_line(text, 80)!r}"
    if not isinstance(reply, dict):
        return f"reply is not a JSON object: {_first_line(text, 80)!r}"
    if kind == "feishu":
        code = reply.get("code", reply.get("StatusCode"))
        said = str(reply.get("msg", reply.get("StatusMessage", "")))
        return "" if code == 0 else f"code {code}: {_first_line(said, 120)}"
    code = reply.get("errcode")
    return "" if code == 0 else f"errcode {code}: {_first_line(str(reply.get('errmsg', '')), 120)}"


def _post_webhook(message: Message, hook: WebhookConfig, timeout: float) -> Delivery:
    """POST the message to one robot and read its reply."""
    url = os.environ.get(hook.url_env, "").strip()
    if not url:
        return Delivery(hook.channel, False, f"environment variable {hook.url_env} is not set")
    payload, note = _PAYLOADS[hook.kind](message)
    url, payload = _signed(hook, url, payload)
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    where = urllib.parse.urlsplit(url).netloc
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=ssl.create_default_context()) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        said = _first_line(error.read().decode("utf-8", "replace"), 80) if error.fp is not None else ""
        return Delivery(hook.channel, False, f"HTTP {error.code}" + (f": {said}" if said else ""))
    except urllib.error.URLError as error:
        reason = error.reason if isinstance(error.reason, BaseException) else OSError(str(error.reason))
        return Delivery(hook.channel, False, _network_problem(reason, where, timeout))
    except Exception as error:  # a timeout while reading, a dropped connection: a failed delivery
        return Delivery(hook.channel, False, _network_problem(error, where, timeout))
    problem = _reply_problem(hook.kind, body)
    return Delivery(hook.channel, not problem, problem or note)


def _guarded(channel: str, send: Callable[[], Delivery], secrets: Sequence[str]) -> Delivery:
    """Run one channel's send; whatever happens is a Delivery with no secret in it."""
    try:
        delivery = send()
    except Exception as error:  # never let one channel stop the others
        delivery = Delivery(channel, False, f"{type(error).__name__}: {_first_line(str(error), 160)}")
    return Delivery(delivery.channel, delivery.ok, _scrub(delivery.detail, secrets))


def send_all(message: Message, config: NotifyConfig) -> list[Delivery]:
    """Send `message` to every channel of `config`; one Delivery per channel, whatever happens."""
    secrets = _secret_values(config)
    sends: list[tuple[str, Callable[[], Delivery]]] = []
    if (email := config.email) is not None:
        sends.append((email.channel, functools.partial(_send_email, message, email, config.timeout)))
    for hook in config.webhooks:
        sends.append((hook.channel, functools.partial(_post_webhook, message, hook, config.timeout)))
    deliveries = [_guarded(channel, send, secrets) for channel, send in sends]
    for delivery in deliveries:
        (log.info if delivery.ok else log.warning)("notify: %s", delivery)
    return deliveries
