"""The `opsbook import` and `opsbook store ...` commands, run as a user runs them (a subprocess per call).

Each interpreter takes about a second to start, so the module starts its commands from one fixture,
as many at a time as their order allows: the chain init → add-account → import runs in sequence
while the commands that need nothing from it (store kinds, imports into stores of their own) run
beside it; then the commands that read the imported store run together. The tests assert on the
recorded results. Expected counts and dates are read off the fixture file by hand
(tests/fixtures/exports/cn/douyin_works.xlsx: four works published 2025-10-03 19:30 … 2025-10-25 08:05).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.errors import DataError
from helpers.ingest.store import Store

SRC = Path(__file__).resolve().parents[1] / "src"
EXPORTS = Path(__file__).resolve().parent / "fixtures" / "exports"
DOUYIN_XLSX = EXPORTS / "cn" / "douyin_works.xlsx"
DOUYIN_HEADER = "作品名称,发布时间,体裁,播放量,点赞量\n"
DOUYIN_CSV = DOUYIN_HEADER + ("早C晚A教程,2025-10-03 19:30,视频,1.2万,860\n"
                              '面霜横评,2025-10-10 12:00,图文,"3,400",-\n'
                              "直播回放,2025-10-20 20:00,直播,12400,150\n")


@dataclass
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def start(*args: object, default_store: Path) -> subprocess.Popen[str]:
    """`opsbook ARGS` in a fresh interpreter (not waited for); a command without --store never reaches the
    repository's default store (OPSBOOK_STORE points into the test's folder)."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONIOENCODING": "utf-8", "OPSBOOK_STORE": str(default_store)}
    return subprocess.Popen([sys.executable, "-m", "helpers.cli", *map(str, args)], env=env, text=True,
                            encoding="utf-8", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=default_store.parent)


def finish(proc: subprocess.Popen[str]) -> Run:
    out, err = proc.communicate(timeout=120)
    return Run(tuple(proc.args), proc.returncode, out, err)


def opsbook(*args: object, default_store: Path) -> Run:
    return finish(start(*args, default_store=default_store))


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr + run.stdout, run.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("cli")
    store = tmp / "store"
    default = tmp / "default_store"

    def run_now(*args: object) -> Run:
        return opsbook(*args, default_store=default)

    def run_later(*args: object) -> subprocess.Popen[str]:
        return start(*args, default_store=default)

    bad = write(tmp / "in/mystery.csv", "foo,bar,baz\n1,2,3\n")
    new = write(tmp / "in/a.csv", DOUYIN_CSV)

    # stores of their own, made in-process, for the commands that run beside the main chain
    side = tmp / "side"
    Store.create(side)
    with Store.open(side).transaction() as txn:
        txn.upsert_account("own_dy", "douyin", "side account")
    batch = tmp / "batch"
    write(batch / "a_good.csv", DOUYIN_CSV)
    write(batch / "b_bad.csv", "foo,bar,baz\n1,2,3\n")
    canonical = tmp / "canonical"
    Store.create(canonical)
    with Store.open(canonical).transaction() as txn:
        txn.upsert_account("own_dy", "douyin", "canonical account")
    posts_csv = write(tmp / "canon/posts.csv", "post_id,account_id,published_at,format,pillar,title,topics,paid\n"
                                              "p1,own_dy,2025-11-01 10:00,short_video,教程,第一条,,false\n")
    missing = tmp / "not_yet_a_store"
    try:
        Store.open(missing)
        advice = ""
    except DataError as exc:
        advice = str(exc)
    match = re.search(r"`(opsbook store init[^`]*)`", advice)
    advice_args = shlex.split(match.group(1))[1:] if match else []
    if str(missing.resolve()) not in advice_args:   # only ever run advice that targets the missing folder
        advice_args = ["store", "init", "--advice-not-found"]

    beside = {
        "kinds": run_later("store", "kinds"),
        "keep_going": run_later("import", batch, "--account", "own_dy", "--store", side, "--as-of", "2025-11-01",
                                "--keep-going"),
        "canonical_posts": run_later("import", posts_csv, "--account", "own_dy", "--store", canonical,
                                     "--as-of", "2025-11-01"),
        "advice_run": run_later(*advice_args),
    }
    runs: dict[str, object] = {
        "init": run_now("store", "init", "--store", store),
        "add_account": run_now("store", "add-account", "own_dy", "--platform", "douyin", "--name", "青柠生活 抖音",
                               "--store", store),
        "import": run_now("import", DOUYIN_XLSX, "--account", "own_dy", "--store", store, "--as-of",
                          "2025-11-01T09:00"),
    }
    runs["generation_after_import"] = Store.open(store).generation
    runs["raw_after_import"] = sorted(p.name for p in (store / "raw").rglob("*") if p.is_file())
    after = {
        "info": run_later("store", "info", "--store", store),
        "validate": run_later("validate", "--data", store),
        "bad_platform": run_later("store", "add-account", "own_mys", "--platform", "myspace", "--name", "x",
                                  "--store", store),
        "bad_file": run_later("import", bad, "--account", "own_dy", "--store", store),
        "dry_run": run_later("import", new, "--account", "own_dy", "--store", store, "--dry-run"),
    }
    runs.update({name: finish(proc) for name, proc in {**beside, **after}.items()})
    runs.update(store=store, side=side, canonical=canonical, missing=missing, advice=advice, default=default)
    return runs


def test_store_init_creates_an_empty_store(cli: dict) -> None:
    init: Run = cli["init"]
    assert init.returncode == 0, init.stderr
    store: Path = cli["store"]
    assert f"Store ready at {store.resolve()}" in init.stdout
    assert (store / "STORE.json").is_file()


def test_store_add_account_saves_the_account(cli: dict) -> None:
    add: Run = cli["add_account"]
    assert add.returncode == 0, add.stderr
    assert "Account own_dy (douyin, own, Asia/Shanghai) saved" in add.stdout
    accounts = Store.open(cli["store"]).read("accounts")
    assert accounts[["account_id", "platform", "name", "owner", "timezone"]].values.tolist() == [
        ["own_dy", "douyin", "青柠生活 抖音", "own", "Asia/Shanghai"]]


def test_add_account_with_an_unknown_platform_exits_2_with_a_message(cli: dict) -> None:
    run: Run = cli["bad_platform"]
    assert run.returncode == 2
    assert "opsbook: --platform 'myspace' is not one of" in run.stderr
    assert "douyin" in run.stderr
    no_traceback(run)
    assert list(Store.open(cli["store"]).read("accounts")["account_id"]) == ["own_dy"]


def test_import_prints_the_detected_kind_and_the_counts(cli: dict) -> None:
    run: Run = cli["import"]
    assert run.returncode == 0, run.stderr
    assert "douyin_works.xlsx as douyin_works" in run.stdout
    assert "posts: 4 added, 0 updated, 0 unchanged" in run.stdout
    assert f"(generation {cli['generation_after_import']})" in run.stdout
    assert cli["generation_after_import"] == "g000003"   # init g000001, add-account g000002, import g000003
    no_traceback(run)


def test_import_of_a_bad_file_exits_2_and_imports_nothing(cli: dict) -> None:
    run: Run = cli["bad_file"]
    assert run.returncode == 2
    assert run.stderr.startswith("opsbook: Nothing imported: 1 of 1 file(s)")
    assert "mystery.csv" in run.stderr and "not a known export" in run.stderr
    no_traceback(run)
    store = Store.open(cli["store"])
    assert store.generation == cli["generation_after_import"]
    assert len(store.read("posts")) == 4


def test_dry_run_prints_the_check_and_writes_nothing(cli: dict) -> None:
    run: Run = cli["dry_run"]
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Dry run: nothing written to")
    assert "a.csv as douyin_works" in run.stdout
    store = Store.open(cli["store"])
    assert store.generation == cli["generation_after_import"]
    assert len(store.read("posts")) == 4 and len(store.log()) == 1
    assert sorted(p.name for p in (cli["store"] / "raw").rglob("*") if p.is_file()) == cli["raw_after_import"]


def test_store_info_prints_tables_counts_and_date_ranges_per_account(cli: dict) -> None:
    run: Run = cli["info"]
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "generation g000003, 1 import(s) logged" in out
    assert re.search(r"^\s+accounts\s+1\s+1\s+-\s+-$", out, re.MULTILINE), out
    assert re.search(r"^\s+posts\s+4\s+1\s+2025-10-03\s+2025-10-25$", out, re.MULTILINE), out
    per_account = out.split("Per account", 1)[1]
    assert re.search(r"^\s+posts\s+own_dy\s+4\s+2025-10-03\s+2025-10-25$", per_account, re.MULTILINE), out
    assert "douyin_works.xlsx (own_dy, douyin_works) → posts: 4 added" in out


def test_store_kinds_lists_the_export_kinds(cli: dict) -> None:
    run: Run = cli["kinds"]
    assert run.returncode == 0, run.stderr
    assert re.search(r"^\s*douyin_works\s.*\sdouyin\s+posts\s", run.stdout, re.MULTILINE), run.stdout
    assert re.search(r"^\s*youtube_table_data\s.*\syoutube\s+posts\s", run.stdout, re.MULTILINE)
    assert re.search(r"^\s*wechat_users\s.*\swechat\s+account_daily\s", run.stdout, re.MULTILINE)


def test_validate_reads_the_stores_current_generation(cli: dict) -> None:
    run: Run = cli["validate"]
    assert run.returncode == 0, run.stdout + run.stderr
    generation_dir = Path(cli["store"]).resolve() / "generations" / "g000003"
    assert "0 error(s)" in run.stdout
    assert str(generation_dir) in run.stdout                        # it looked inside the generation ...
    assert f"{generation_dir}/touchpoints.csv: file not found" in run.stdout   # ... which has no touchpoints
    assert f"{generation_dir}/posts.csv: file not found" not in run.stdout  # ... but has the imported posts
    assert "accounts.csv: file not found" not in run.stdout


def test_keep_going_imports_the_good_file_and_exits_2(cli: dict) -> None:
    run: Run = cli["keep_going"]
    assert run.returncode == 2  # a refused file is bad input to fix, even when the good ones land
    assert "imported a_good.csv as douyin_works — posts: 3 added" in run.stdout
    assert "FAILED   b_bad.csv" in run.stdout
    no_traceback(run)
    assert len(Store.open(cli["side"]).read("posts")) == 3


def test_canonical_posts_import_gives_no_traceback(cli: dict) -> None:
    run: Run = cli["canonical_posts"]
    no_traceback(run)
    assert run.returncode == 0
    assert "posts.csv as canonical:posts" in run.stdout


def test_the_missing_store_advice_is_a_command_that_works(cli: dict) -> None:
    assert "opsbook store init" in cli["advice"]
    run: Run = cli["advice_run"]
    assert run.returncode == 0, run.stderr
    assert (Path(cli["missing"]) / "STORE.json").is_file()


def test_output_piped_into_a_closed_reader_ends_quietly(tmp_path: Path) -> None:
    # `opsbook import … | head -2`: once head exits, writing raises BrokenPipeError — not a traceback
    code = ("import sys; sys.argv = ['opsbook', 'store', 'kinds']\n"
            "from helpers import cli\n"
            "def flood(args):\n"
            "    for i in range(200000):\n"
            "        print('line', i)\n"
            "    return 0\n"
            "cli._cmd_store = flood\n"
            "sys.exit(cli.main())\n")
    script = tmp_path / "flood.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    reader = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert reader.stdout.readline().startswith(b"line 0")
    reader.stdout.close()                     # what `head` does after its lines
    _, err = reader.communicate(timeout=60)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err
    assert reader.returncode == 0


def test_add_account_again_keeps_owner_and_timezone_and_refuses_another_platform(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = opsbook("store", "add-account", "comp1", "--platform", "tiktok", "--name", "Rival",
                    "--owner", "competitor", "--timezone", "America/Los_Angeles", "--store", store,
                    default_store=tmp_path / "d")
    assert first.returncode == 0, first.stderr
    again = opsbook("store", "add-account", "comp1", "--platform", "tiktok", "--name", "Rival Inc", "--store", store,
                    default_store=tmp_path / "d")
    assert "Account comp1 (tiktok, competitor, America/Los_Angeles) saved" in again.stdout
    accounts = Store.open(store).read("accounts").set_index("account_id")
    assert accounts.loc["comp1", ["name", "owner", "timezone"]].tolist() == ["Rival Inc", "competitor",
                                                                            "America/Los_Angeles"]
    moved = opsbook("store", "add-account", "comp1", "--platform", "weibo", "--name", "Rival", "--store", store,
                    default_store=tmp_path / "d")
    assert moved.returncode == 2 and "account comp1 is on tiktok; moving it to weibo would mislabel" in moved.stderr
    zone = opsbook("store", "add-account", "comp1", "--platform", "tiktok", "--name", "Rival", "--timezone", "UTC",
                   "--store", store, default_store=tmp_path / "d")
    assert "times already imported for comp1 stay as read in America/Los_Angeles" in zone.stdout
    no_traceback(moved)


def test_a_csv_data_folder_is_not_turned_into_a_store(tmp_path: Path) -> None:
    folder = tmp_path / "csvs"
    folder.mkdir()
    (folder / "posts.csv").write_text("post_id\n1\n", encoding="utf-8")
    for args in (("store", "init", "--store", folder),
                 ("store", "add-account", "z1", "--platform", "weibo", "--name", "Z", "--store", folder)):
        run = opsbook(*args, default_store=tmp_path / "d")
        assert run.returncode == 2 and "a folder with other files in it (a CSV data folder?)" in run.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["posts.csv"]
