"""Fixtures of the workbench tests: a writable copy of the Jiangmen map, vendor-style GBK files."""

from __future__ import annotations

import csv
import io
import shutil
import time
from pathlib import Path

import pytest

from recommender import default_map_dir

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = ROOT / "seeds" / "examples" / "candidates.csv"
KEY = "alice-0123456789abcdef"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def candidate_rows() -> list[list[str]]:
    """The sample candidate list: header first."""
    return list(csv.reader(io.StringIO(CANDIDATES.read_text("utf-8-sig"))))


def vendor_csv(path: Path, rows: list[list[str]] | None = None) -> Path:
    """A CSV as a vendor's export comes: GBK, CRLF, a blank line before the header, messy numbers."""
    rows = [list(r) for r in (rows or candidate_rows())]
    header = rows[0]
    staff = header.index("员工人数")
    for i, row in enumerate(rows[1:], start=1):
        if row[staff] and i % 3 == 0:
            row[staff] = f"约{row[staff]}"
    out = io.StringIO()
    out.write("\r\n")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("gbk"))
    return path


@pytest.fixture(scope="module")
def map_copy(tmp_path_factory) -> Path:
    """A writable copy of the embedded Jiangmen map (edits need one)."""
    target = tmp_path_factory.mktemp("map") / "jiangmen"
    shutil.copytree(default_map_dir(), target, ignore=shutil.ignore_patterns("history"))
    return target


def wait_for_job(get, job_url: str, timeout: float = 120) -> dict:
    """Poll a job's status until it is done or failed."""
    deadline = time.monotonic() + timeout
    while True:
        status = get(f"{job_url}/status").json()
        if status["state"] in ("done", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium (/usr/bin/chromium) driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield chromium
        chromium.close()
