"""environment.yml stays in step with pyproject.toml; the CLI entry point is declared."""

from __future__ import annotations

import re
import tomllib

import yaml

from helpers import config


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject() -> None:
    project = tomllib.loads((config.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip_names = {_name(r) for r in project["dependencies"]}
    extras = dict(project.get("optional-dependencies", {}))
    bench = extras.pop("bench", [])  # benchmark-only peers (GPL): a commented line in environment.yml
    for extra in extras.values():
        pip_names |= {_name(r) for r in extra}
    text = (config.ROOT / "environment.yml").read_text(encoding="utf-8")
    assert all(re.search(rf"^\s*#\s*- {re.escape(r)}\s*$", text, re.M) for r in bench), "bench extra not commented"
    env = yaml.safe_load(text)
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert conda == pip_names, f"only in pyproject: {pip_names - conda}; only in environment.yml: {conda - pip_names}"
    assert any(line.startswith("-e .") for line in pip_section)


def test_opsbook_command_is_declared() -> None:
    project = tomllib.loads((config.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["opsbook"] == "helpers.cli:main"
