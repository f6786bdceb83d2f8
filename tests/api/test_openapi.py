"""The served OpenAPI document: every reference in it resolves."""

from __future__ import annotations

import warnings
from pathlib import Path

from api.main import create_app
from api.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TINY_MAP = Path(__file__).resolve().parents[1] / "data" / "tiny_map"


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(document: dict, ref: str) -> object:
    assert ref.startswith("#/"), f"{ref}: not a local reference"
    node: object = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref}: dangling at {part!r}"
        node = node[part]
    return node


def test_every_ref_in_the_served_openapi_document_resolves():
    with TestClient(create_app(Settings(map_dir=TINY_MAP))) as client:
        document = client.get("/openapi.json").json()
    refs = set(_refs(document))
    assert "#/components/schemas/ScoreResponse" in refs  # the walk sees the references
    for ref in sorted(refs):
        _resolve(document, ref)


def test_the_rank_json_report_has_its_schema():
    with TestClient(create_app(Settings(map_dir=TINY_MAP))) as client:
        document = client.get("/openapi.json").json()
    content = document["paths"]["/v1/rank"]["post"]["responses"]["200"]["content"]
    assert set(content) >= {"text/csv", "application/json"}
    schema = _resolve(document, content["application/json"]["schema"]["$ref"])
    assert {"rows", "bad_rows", "matched_rows", "top"} <= set(schema["properties"])
