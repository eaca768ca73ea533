"""The zh-CN catalogs are complete: every message marked in the code has a translation with the same placeholders.

English is the source language (the message itself), so completeness in en is given; zh-CN must
translate every message marked with `_()`, `N_()`, `gettext()` or `ngettext()` anywhere in
src/helpers. Catalogs are per package (helpers/locale/zh_CN/<package>.po) and merged on load, so
a message in two catalogs must have one translation.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from helpers import i18n

SRC = Path(i18n.__file__).parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def _marked() -> dict[str, str]:
    """msgid → where it is marked (file:line), from the code."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(SRC), method_map=[("**.py", "python")], keywords=KEYWORDS):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids[:1]:
            if msgid:
                found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _catalog_entries() -> list[tuple[str, str, str]]:
    rows = []
    for path in i18n.catalog_files():
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                if not message.id:
                    continue
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                text = message.string if isinstance(message.string, str) else (message.string or ("",))[0]
                rows.append((path.name, str(msgid), str(text)))
    return rows


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_marked_message_has_a_chinese_translation() -> None:
    translated = {msgid for _, msgid, text in _catalog_entries() if text}
    missing = {msgid: where for msgid, where in _marked().items() if msgid not in translated}
    assert not missing, "messages without a zh-CN translation (add them to helpers/locale/zh_CN/<package>.po):\n" + \
        "\n".join(f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda x: x[1]))


def test_translations_keep_the_placeholders() -> None:
    wrong = [(f, m, t) for f, m, t in _catalog_entries() if t and _fields(m) != _fields(t)]
    assert not wrong, "\n".join(f"{f}: {m!r} -> {t!r}" for f, m, t in wrong)


def test_a_message_in_two_catalogs_has_one_translation() -> None:
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for name, msgid, text in _catalog_entries():
        if msgid in seen and seen[msgid][1] != text:
            clashes.append(f"{msgid!r}: {seen[msgid][0]} says {seen[msgid][1]!r}, {name} says {text!r}")
        seen.setdefault(msgid, (name, text))
    assert not clashes, "\n".join(clashes)


@pytest.mark.parametrize("path", i18n.catalog_files(), ids=lambda p: p.name)
def test_translations_contain_no_english_sentence(path: Path) -> None:
    # a msgstr left in English (copied msgid) is untranslated even though it is not empty
    with path.open("rb") as handle:
        english = [m.id for m in read_po(handle) if m.id and isinstance(m.string, str)
                   and re.search(r"[A-Za-z]{3,}(?: [A-Za-z]{3,}){2,}", m.string)]
    assert not english, english
