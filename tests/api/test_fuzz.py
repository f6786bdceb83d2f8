"""Property-based fuzzing of every endpoint from the service's own OpenAPI schema (schemathesis).

All of schemathesis's default checks run: no 5xx, status codes, content types, headers and
bodies as documented, invalid input rejected, valid input accepted. Examples are bounded so
the file runs in well under a minute.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.main import create_app
from api.settings import Settings

KEY = "fuzz-0123456789abcdef"
TINY_MAP = Path(__file__).resolve().parents[1] / "data" / "tiny_map"

_workdir = Path(tempfile.mkdtemp(prefix="recommender-fuzz-"))
atexit.register(shutil.rmtree, _workdir, ignore_errors=True)
shutil.copytree(TINY_MAP, _workdir / "map")

app = create_app(Settings(map_dir=_workdir / "map", api_keys={"fuzz": KEY}, max_batch=20, max_upload_rows=200, max_upload_bytes=200_000))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _restore_map():
    yield
    shutil.rmtree(_workdir / "map", ignore_errors=True)
    shutil.copytree(TINY_MAP, _workdir / "map")


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_fuzz_conforms_to_its_schema(case):
    # An uploaded file's bytes cannot be described by OpenAPI: random "valid" bytes are not a
    # table, so /v1/rank answers them 415/422 and only "schema-valid data is accepted" is skipped.
    # A new lead needs a firm name in its profile or its ranked row (one of two fields), and an
    # imported sheet is a file too; training answers 422 while the pipeline has too few outcomes
    # (the database's state, not the request): the schema cannot say these, so that check is skipped.
    excluded = [positive_data_acceptance] if case.path in ("/v1/rank", "/v1/leads/import", "/v1/models/train") or (case.path, case.method) == ("/v1/leads", "POST") else []
    case.call_and_validate(headers={"X-API-Key": KEY}, excluded_checks=excluded)
