"""Every notebook runs top to bottom with its defaults (nbval --nbval-lax).

Notebooks are committed without outputs, so the reference outputs of the cells marked
`# NBVAL_CHECK_OUTPUT` live in tests/notebook_expected/<notebook>.json. They are written by hand
from the sample data's planted effects (helpers.sample.PLANTED), not copied from a run. For the
period review: the last complete month is 2026-10, the bot spike is own_weibo on 2026-10-22,
own_xhs misses its net-follower target, cmp_broad_reach is under the stop-loss, cr_broad_2 under
the CTR threshold, and xiaohongshu is the assist channel. For the experiment evaluation: the
title test has a real lift and a split that holds, so SRM passes and the verdict is ship.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import config
from nbval_reference import EXPECTED, run_nbval, with_reference_outputs

NOTEBOOKS = sorted(p.stem for p in config.NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_check_marked_cell_has_an_expected_output(name: str) -> None:
    expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    with_reference_outputs(config.NOTEBOOKS / f"{name}.ipynb", expected)


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_nbval(name: str, sample_dir: Path, tmp_path: Path) -> None:
    result = run_nbval(name, tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
