"""The benchmarks' one results file and its table (benchmarks/record.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import config

sys.path.insert(0, str(config.ROOT / "benchmarks"))
import record


@pytest.fixture()
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "results.json"
    monkeypatch.setenv("OPSBOOK_BENCH_RESULTS", str(path))
    monkeypatch.setenv("OPSBOOK_BENCH_RUN", "run-1")
    return path


def test_rows_merge_by_measure_and_carry_their_ratio(results: Path) -> None:
    record.record("a.py", record.Row("period review ÷ papermill floor", 9.0, "s", 6.0, "floor"))
    record.record("b.py", record.Row("other", 3.0, "s"))
    record.record("a.py", record.Row("period review ÷ papermill floor", 8.4, "s", 6.0, "floor"))
    stored = json.loads(results.read_text(encoding="utf-8"))
    assert list(stored) == ["period review ÷ papermill floor", "other"]
    row = stored["period review ÷ papermill floor"]
    assert row["value"] == 8.4 and row["ratio"] == pytest.approx(1.4)  # 8.4 / 6.0
    assert row["run"] == "run-1" and row["script"] == "a.py"
    assert stored["other"]["ratio"] is None


def test_the_table_lists_every_aim_and_says_whether_it_is_met(results: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    record.record("a.py", record.Row("period review ÷ papermill floor", 9.3, "s", 6.0, "floor"))  # 1.55×
    record.record("e.py", record.Row("experiment, 10 M unit rows × 3 variants: peak memory", 1400, "MiB",
                                     900, "the columns as arrays"))  # 1,400 ≤ 1,536
    monkeypatch.setenv("OPSBOOK_BENCH_RUN", "run-2")
    record.record("x.py", record.Row("kol steps", 0.5, "s"))
    text = record.table(json.loads(results.read_text(encoding="utf-8")), run="run-2")
    lines = text.splitlines()
    assert len(lines) == 2 + len(record.AIMS) + 1
    review = next(line for line in lines if line.startswith("| period review"))
    assert "(from run run-1)" in review and "1.55×" in review and "≤ 1.5×" in review and "**no**" in review
    memory = next(line for line in lines if "variants: peak memory" in line)
    assert "1,400 MiB" in memory and "≤ 1536 MiB" in memory and memory.endswith("| yes |")
    assert sum("not run" in line for line in lines) == len(record.AIMS) - 2
    assert lines[-1].startswith("| kol steps | 0.50 s | – | – |")


def _peak_of_array(mib: int) -> float:
    code = f"import numpy as np; a = np.ones({mib} * 1024 * 1024 // 8); a.sum()"  # mib MiB touched
    seconds, peak = record.measure_command([sys.executable, "-c", code])
    assert seconds > 0
    return peak


def test_a_child_is_measured_on_its_own_memory() -> None:
    # The same interpreter with 600 MiB and with 1,000 MiB of array: the peaks differ by the 400 MiB touched.
    assert _peak_of_array(1000) - _peak_of_array(600) == pytest.approx(400, abs=25)
    with pytest.raises(SystemExit, match="exit 3"):
        record.measure_command([sys.executable, "-c", "raise SystemExit(3)"])


def test_a_big_parent_does_not_inflate_its_childs_peak() -> None:
    """Linux starts an exec'd child's ru_maxrss from its parent's size: 800 MiB held here must not show."""
    held = np.ones(800 * 1024 * 1024 // 8)
    held.sum()
    assert record.peak_rss_mib() > 800  # this process's own peak (VmHWM) does include it
    assert _peak_of_array(40) < 40 + 150  # the array, an interpreter and numpy; not the parent's 800 MiB
    del held
