"""A real uvicorn worker reading a large uploaded XLSX still stops within seconds on SIGTERM."""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
import xlsxwriter

from ..servers import running_server
from .test_server import TINY_MAP, XLSX_TYPE

ROWS = 60_000  # reading the first chunk of these takes seconds


class _TellsWhenRead(io.FileIO):
    """The upload's file, setting ``done`` once the client has read all of it to send."""

    def __init__(self, path: Path, done: threading.Event):
        super().__init__(path, "rb")
        self.done = done

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        if not data:
            self.done.set()
        return data


@pytest.fixture(scope="module")
def big_xlsx(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("upload") / "firms.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["企业名称", "经营范围", "所在城市", "员工人数", "行业代码"])
    for i in range(1, ROWS + 1):
        sheet.write_row(i, 0, [f"某铜箔科技有限公司{i}", "锂电铜箔、电解铜箔的研发、生产和销售", "深圳", str(100 + i % 900), "3252"])
    book.close()
    return path


@pytest.mark.parametrize("path", ["/v1/rank", "/jobs"])
def test_sigterm_stops_a_worker_in_the_middle_of_reading_an_xlsx(big_xlsx, tmp_path, path):
    env = {**os.environ, "RECOMMENDER_MAP_DIR": str(TINY_MAP), "RECOMMENDER_DATA_DIR": str(tmp_path / "data"),
           "RECOMMENDER_JOBS_DIR": str(tmp_path / "jobs"), "RECOMMENDER_MAX_UPLOAD_BYTES": str(100 * 2**20)}
    answers: list[object] = []
    with running_server(env) as server:
        url, process = server.url, server.process

        sent = threading.Event()

        def upload() -> None:
            try:
                with _TellsWhenRead(big_xlsx, sent) as fh:
                    answers.append(httpx.post(url + path, files={"file": ("firms.xlsx", fh, XLSX_TYPE)}, timeout=120))
            except httpx.HTTPError as exc:
                answers.append(exc)

        client = threading.Thread(target=upload, daemon=True)
        client.start()
        assert sent.wait(60), "the upload was not sent"
        time.sleep(0.5)  # the upload is in; the worker is reading it
        assert not answers, answers
        stop = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        took = time.monotonic() - stop
        client.join(timeout=10)
        assert took < 5, f"the worker took {took:.1f} s to stop"
        (answer,) = answers
        assert isinstance(answer, httpx.Response) and answer.status_code == 503, answer  # the request was answered, not cut
        assert "shutting down" in answer.text
