"""The command line under hostile input and faults: clashing column names, outputs that
cannot be written, deeply nested JSON, and a parent killed under its workers."""

import errno
import gc
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from recommender.cli import EXIT_OUTPUT, EXIT_PROFILE, app

from .conftest import TINY_MAP

runner = CliRunner()

HEADER = ["企业名称", "主营业务", "所在城市", "员工人数"]
ROWS = [
    ["甲铜箔有限公司", "锂电铜箔的研发、生产", "深圳", "800"],
    ["乙电池有限公司", "锂离子电池制造", "深圳", "300"],
    ["", "锂离子电池制造", "东莞", "300"],
    ["丁餐饮有限公司", "餐饮服务", "江门", "10"],
]


def _csv(path: Path, rows=ROWS, header=HEADER) -> Path:
    pd.DataFrame(rows, columns=header).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _rank(*args: object):
    return runner.invoke(app, ["rank", *map(str, args), "--map", str(TINY_MAP), "--workers", "1"])


def _no_part_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".") and ".part" in p.name]


# 1. re-ranking a ranked file -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("options", [[], ["--top", "3", "--shortlist", "2"], ["--top", "0"]])
def test_rank_a_ranked_file_again(tmp_path, suffix, options):
    first = tmp_path / f"ranked{suffix}"
    assert _rank(_csv(tmp_path / "in.csv"), "-o", first, *options).exit_code == 0
    again = tmp_path / f"again{suffix}"
    result = _rank(first, "-o", again, *options)
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        out = pd.read_csv(again, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        rows = list(openpyxl.load_workbook(again, read_only=True).active.iter_rows(values_only=True))
        out = pd.DataFrame(rows[1:], columns=rows[0])
    columns = list(out.columns)
    assert len(columns) == len(set(columns))
    for name in ("rank", "score", "shortlist", "model_version"):
        assert name in columns and f"{name}_1" in columns
    assert [int(v) for v in out["rank_1"]] == [1, 2, 3, 4]
    assert [int(v) for v in out["rank"]] == [int(v) for v in out["rank_1"]]  # the same firms, the same order
    if "--top" not in options or options[options.index("--top") + 1] != "0":
        assert "甲铜箔有限公司" in result.output


# 3. outputs that cannot be written -----------------------------------------------------------


def _refused(result, path: Path) -> None:
    assert result.exit_code == EXIT_OUTPUT, result.output
    assert "输出文件无法写入" in result.output and "cannot write the output" in result.output
    assert str(path) in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rank_output_that_is_a_folder_is_refused_and_leaves_nothing(tmp_path, suffix):
    folder = tmp_path / f"out{suffix}"
    folder.mkdir()
    _refused(_rank(_csv(tmp_path / "in.csv"), "-o", folder), folder)
    assert folder.is_dir() and not list(folder.iterdir())
    assert _no_part_files(tmp_path)


def test_rank_output_in_a_missing_folder_is_refused(tmp_path):
    target = tmp_path / "no-such-folder" / "out.csv"
    result = _rank(_csv(tmp_path / "in.csv"), "-o", target)
    _refused(result, target)
    assert "does not exist" in result.output


@pytest.fixture
def disk(tmp_path):
    """A folder on a small file system of its own: 64 KiB of tmpfs (``mount`` as root), else None."""
    folder = tmp_path / "disk"
    folder.mkdir()

    def mount(*options: str) -> Path | None:
        if os.geteuid() != 0:
            return None
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(("size=64k", *options)), "tmpfs", str(folder)], capture_output=True)
        if done.returncode:
            return None
        mounted.append(folder)
        return folder

    mounted: list[Path] = []
    yield mount
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], check=False)  # lazily, should a failed run hold a file open


def test_rank_output_in_a_read_only_folder_is_refused(tmp_path, disk):
    folder = disk("ro")
    if folder is None:  # not root: the folder's mode is enough
        if os.geteuid() == 0:
            pytest.skip("root without mount: a read-only folder cannot be made")
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
    target = folder / "out.csv"
    result = _rank(_csv(tmp_path / "in.csv"), "-o", target)
    _refused(result, target)
    assert "not writable" in result.output or "cannot be written" in result.output
    assert not list(folder.iterdir())


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")  # no half-written archive left to the collector
def test_rank_output_on_a_full_disk_is_refused_and_cleaned_up(tmp_path, disk, monkeypatch, suffix):
    noise = [hashlib.sha256(str(i).encode()).hexdigest() * 4 for i in range(1_000)]  # does not compress
    rows = [[f"公司{i}", f"锂电铜箔的研发、生产；{noise[i]}", "深圳", "800"] for i in range(1_000)]
    source = _csv(tmp_path / "in.csv", rows)
    folder = disk()
    if folder is None:  # no tmpfs: every write fails as on a full disk
        folder = tmp_path / "full"
        folder.mkdir()

        def full(*args, **kwargs):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "pwrite", full)
        monkeypatch.setattr(os, "pwritev", full)
        monkeypatch.setattr(os, "replace", full)
    target = folder / f"out{suffix}"
    target.write_bytes(b"the previous output")
    result = _rank(source, "-o", target)
    _refused(result, target)
    assert "disk is full" in result.output
    assert target.read_bytes() == b"the previous output"  # untouched
    assert _no_part_files(folder) and sorted(p.name for p in folder.iterdir()) == [target.name]
    del result
    gc.collect()  # nothing of the failed run is left to close itself later (the warning filter turns that into a failure)


def test_rank_output_equal_to_the_input_needs_overwrite(tmp_path):
    source = _csv(tmp_path / "in.csv")
    before = source.read_bytes()
    result = _rank(source, "-o", source)
    _refused(result, source)
    assert "--overwrite" in result.output
    assert source.read_bytes() == before
    same = tmp_path / "." / "in.csv"  # another spelling of the same file
    _refused(_rank(source, "-o", same), same)
    result = _rank(source, "-o", source, "--overwrite")
    assert result.exit_code == 0, result.output
    out = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(out) == len(ROWS) and out["rank"].tolist() == ["1", "2", "3", "4"]
    assert _no_part_files(tmp_path)


# 9. deeply nested JSON ------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [25, 100_000])
def test_score_refuses_deeply_nested_json(depth):
    text = '{"name": "甲", "tags": ' + "[" * depth + "]" * depth + "}"
    result = runner.invoke(app, ["score", "--map", str(TINY_MAP)], input=text)
    assert result.exit_code == EXIT_PROFILE, result.output
    assert "nested too deeply" in result.output and "嵌套过深" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_score_counts_no_brackets_inside_strings():
    text = '{"name": "甲[{", "description": "' + "[" * 500 + '锂电铜箔的研发、生产\\"{{"}'
    result = runner.invoke(app, ["score", "--map", str(TINY_MAP)], input=text)
    assert result.exit_code == 0, result.output
    assert '"score"' in result.output


# 6. workers die with their parent --------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_when_rank_is_killed(tmp_path):
    from recommender.datasets import synthetic_firms

    source = tmp_path / "firms.csv"
    synthetic_firms(20_000, seed=3).to_csv(source, index=False)
    import recommender

    code = "from recommender.cli import main; main()"
    env = {**os.environ, "PYTHONPATH": str(Path(recommender.__file__).parents[1])}  # the code under test
    process = subprocess.Popen(
        [sys.executable, "-c", code, "rank", str(source), "-o", str(tmp_path / "out.csv"), "--workers", "2", "--chunk-rows", "500"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
            workers = _children(process.pid)
        assert len(workers) == 2, "the two workers never started"
        time.sleep(0.5)  # they are scoring now
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 10
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(_alive, workers)), "a worker outlived its killed parent"
    finally:
        process.kill()
        process.wait()
        for pid in workers:  # only the processes this test started
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
