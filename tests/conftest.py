"""Shared fixtures: the sample data set (generated once) and an isolated outputs root."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import config


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The bundled sample data folder, generated if absent (make test does this first)."""
    from helpers.sample import ensure_sample

    return ensure_sample(config.SAMPLE_DATA)


@pytest.fixture(scope="session", autouse=True)
def bench_results_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A benchmark script a test runs records into a temporary results file, never benchmarks/results.json (the
    committed figures of the last `make bench`); a test that wants its rows sets OPSBOOK_BENCH_RESULTS itself."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPSBOOK_BENCH_RESULTS", str(tmp_path_factory.mktemp("bench") / "results.json"))
        yield


@pytest.fixture(scope="session", autouse=True)
def english_for_module_fixtures() -> None:
    """Module fixtures (built before the per-test language) also read English unless they choose."""
    from helpers import i18n

    i18n.set_language("en")


@pytest.fixture(autouse=True)
def english_by_default() -> Iterator[None]:
    """Unit tests read English unless they choose zh-CN with `i18n.use_language` (notebook runs use `lang`)."""
    from helpers import i18n

    with i18n.use_language("en"):
        yield


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: executes notebooks (a kernel per test); deselect with -m 'not slow'")

