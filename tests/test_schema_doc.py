"""docs/schema.md is the schema of helpers.schema, and the README links stay inside the repository."""

from __future__ import annotations

import re

from helpers import config
from helpers.schema import TABLES, schema_markdown


def test_schema_doc_is_generated_from_the_code() -> None:
    written = (config.ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert written == schema_markdown(), "docs/schema.md is stale: run `make docs`"


def test_schema_doc_lists_every_table_and_column() -> None:
    text = schema_markdown()
    for spec in TABLES.values():
        assert f"## {spec.name}\n" in text
        for column in spec.columns:
            assert f"| `{column.name}` | {'yes' if column.required else 'no'} |" in text


def test_readme_links_stay_inside_the_repository() -> None:
    readme = (config.ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)", readme)
    outside = [t for t in targets if t.startswith(("../", "/")) or "://" in t]
    missing = [t for t in targets if t not in outside and not (config.ROOT / t).exists()]
    assert not outside, f"links leaving the repository: {outside}"
    assert not missing, f"links to files that do not exist: {missing}"
