"""The bilingual glossary of the metrics and methods the reports name (helpers/glossary.yaml).

`docs/glossary.md` is generated from it (`make docs`; a test fails when it is stale), and every run
folder gets a `glossary.html` in the report's language, linked from the report's footer, so a report
sent on its own still explains its terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

GLOSSARY_FILE = Path(__file__).parent / "glossary.yaml"
FILE_NAME = "glossary.html"


@dataclass(frozen=True)
class Term:
    """One glossary entry: its anchor, its names and definitions in both languages."""

    id: str
    zh: str
    en: str
    zh_def: str
    en_def: str


@dataclass(frozen=True)
class Section:
    """A group of terms with its heading in both languages."""

    zh: str
    en: str
    terms: tuple[Term, ...]


@cache
def sections() -> tuple[Section, ...]:
    """The glossary, in its order."""
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))
    return tuple(Section(s["section"]["zh"], s["section"]["en"], tuple(Term(**t) for t in s["terms"])) for s in raw)


def terms() -> dict[str, Term]:
    """Every term by its id."""
    return {t.id: t for s in sections() for t in s.terms}


def glossary_markdown() -> str:
    """docs/glossary.md: one table per section, Chinese and English side by side."""
    lines = ["# 术语表 · Glossary", "",
             "<!-- Generated from src/helpers/glossary.yaml by `make docs`; edit the YAML, not this file. -->", "",
             "Every metric and method the reports name, in the words practitioners use.",
             "报告中出现的每个指标和方法的中英文说明。", ""]
    for section in sections():
        lines += [f"## {section.zh} · {section.en}", "", "| 术语 | term | 说明 | definition |",
                  "| --- | --- | --- | --- |"]
        lines += [f'| <a id="{t.id}"></a>{t.zh} | {t.en} | {t.zh_def} | {t.en_def} |' for t in section.terms]
        lines.append("")
    return "\n".join(lines)


def glossary_html(lang: str) -> str:
    """The glossary page a run folder carries, in `lang` (the other language's name in brackets)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                             autoescape=True)
    return str(env.get_template("glossary.html.j2").render(sections=sections(), lang=lang))
