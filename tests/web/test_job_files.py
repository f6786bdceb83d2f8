"""A workbench job ranks its file once; its CSV and XLSX are the files the command line writes."""

from __future__ import annotations

import csv
import io
import threading
import time
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

import api.web.jobs as jobs_module
from api.db import make_engine, upgrade
from api.web.jobs import PARQUET, JobStore
from recommender import Recommender

from .conftest import candidate_rows


@pytest.fixture(scope="module")
def recommender() -> Recommender:
    return Recommender(model="demo")


@pytest.fixture
def store(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'service.sqlite3'}")
    upgrade(engine)
    jobs = JobStore(tmp_path / "jobs", engine, retention_days=7, workers=1, max_rows=None)
    yield jobs
    jobs.close()
    engine.dispose()


def _tricky_csv(path: Path, quoted: bool = False) -> Path:
    """The sample list with cells a spreadsheet would take for formulas, signed numbers, line breaks, a guarded header."""
    rows = [list(r) for r in candidate_rows()]
    rows[0].append("=备注")
    for i, row in enumerate(rows[1:], start=1):
        row.append(["=1+1", "-5", "@SUM(A1)", "＝全角", "第一行\r\n第二行", "+86 750", "", "普通"][i % 8])
    rows[3][1] = "=HYPERLINK(\"x\") " + rows[3][1]
    if quoted:
        rows[4][-1] = "'=写成文本的公式"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return path


def _cells(path: Path) -> list[list[list]]:
    """Every sheet's cells with their types, as Excel would see them."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [[[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()] for sheet in book.worksheets]
    finally:
        book.close()


def _run(store: JobStore, source: Path, recommender: Recommender, monkeypatch) -> tuple[dict, list[Path]]:
    calls: list[Path] = []
    rank_file = Recommender.rank_file

    def counting(self, src, target, **options):
        calls.append(Path(target))
        return rank_file(self, src, target, **options)

    monkeypatch.setattr(Recommender, "rank_file", counting)
    upload = source.with_name("upload" + source.suffix)
    upload.write_bytes(source.read_bytes())
    job = store.create(upload, source.name, source.suffix, recommender=recommender, top=10, shortlist=5, lang="zh")
    deadline = time.monotonic() + 120
    while ((status := store.get(job.id).status)["state"] != "failed" and (status["state"], status.get("xlsx")) != ("done", "ready")
           and time.monotonic() < deadline):
        time.sleep(0.05)
    monkeypatch.undo()
    assert status["state"] == "done", status
    return status, calls


def test_a_jobs_files_are_the_cli_files(store, recommender, tmp_path, monkeypatch):
    source = _tricky_csv(tmp_path / "firms.csv")
    status, calls = _run(store, source, recommender, monkeypatch)
    assert [p.name for p in calls] == ["ranked.csv", "ranked.xlsx"]  # the XLSX by the command line's own call
    folder = store.root / status["id"]
    for suffix in ("csv", "xlsx"):
        recommender.rank_file(source, tmp_path / f"cli.{suffix}", top=10, shortlist=5)
    assert (folder / "ranked.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    cli, derived = _cells(tmp_path / "cli.xlsx"), _cells(folder / "ranked.xlsx")
    assert derived == cli
    assert cli[0][0][-len(status["columns"]) - 1] == ("=备注", "s")  # a header and cells starting = stay text, unguarded
    assert any(row[1][0].startswith("=HYPERLINK") for row in cli[0][1:])
    page = pq.read_table(folder / PARQUET)
    assert page.column_names == [value for value, _ in cli[0][0]]
    cells = [row[-len(status["columns"]) - 1][0] for row in cli[0][1:]]  # a number-like text is a number in the XLSX
    as_written = [("" if v is None else str(v)).replace("_x000D_", "\r") for v in cells]  # XLSX escapes CR
    assert page.column("=备注").to_pylist() == as_written


def test_text_written_as_a_quoted_formula_still_gives_the_cli_xlsx(store, recommender, tmp_path, monkeypatch):
    source = _tricky_csv(tmp_path / "firms.csv", quoted=True)
    status, calls = _run(store, source, recommender, monkeypatch)
    recommender.rank_file(source, tmp_path / "cli.xlsx", top=10, shortlist=5)
    assert _cells(store.root / status["id"] / "ranked.xlsx") == _cells(tmp_path / "cli.xlsx")
    assert "'=写成文本的公式" in [row[-len(status["columns"]) - 1][0] for row in _cells(tmp_path / "cli.xlsx")[0]]
    assert [p.name for p in calls] == ["ranked.csv", "ranked.xlsx"]


def test_the_results_open_before_the_xlsx_is_written(store, recommender, tmp_path, monkeypatch):
    release, to_xlsx = threading.Event(), jobs_module._to_xlsx

    def held(*args):
        assert release.wait(60)
        to_xlsx(*args)

    monkeypatch.setattr(jobs_module, "_to_xlsx", held)
    upload = _tricky_csv(tmp_path / "firms.csv")
    job = store.create(upload, upload.name, ".csv", recommender=recommender, top=10, shortlist=0, lang="zh")
    deadline = time.monotonic() + 120
    while store.get(job.id).status["state"] != "done" and time.monotonic() < deadline:
        time.sleep(0.05)
    status = store.get(job.id).status
    assert (status["state"], status["xlsx"]) == ("done", "writing") and status["rows"] == len(candidate_rows()) - 1
    assert (store.root / job.id / PARQUET).is_file() and not (store.root / job.id / "ranked.xlsx").exists()
    release.set()
    while store.get(job.id).status["xlsx"] == "writing" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.get(job.id).status["xlsx"] == "ready" and (store.root / job.id / "ranked.xlsx").is_file()
