"""The wire models are the library's concepts carried to the edge, not copies that can drift."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from api.schemas import (
    AuditEntryOut,
    ChainDetail,
    FactorOut,
    LinkDetail,
    LinkUpdateRequest,
    LinkUpdateResponse,
    ParkOut,
    QuoteIn,
    ScoreRequest,
    ScoreResponse,
)
from recommender import Result
from recommender.chainmap import PRIORITIES, STATUSES, AuditEntry, Chain, Link, LinkChange, Park, Quote
from recommender.likelihood import Factor
from recommender.scoring import FIELDS, NUMERIC_BOUNDS, profile_columns


def test_score_response_has_exactly_the_fields_of_a_result():
    assert set(ScoreResponse.model_fields) == {f.name for f in dataclasses.fields(Result)}


def test_score_response_keeps_the_order_and_descriptions_of_a_result(jiangmen):
    fields = dataclasses.fields(Result)
    assert list(ScoreResponse.model_fields) == [f.name for f in fields]
    for field in fields:
        if "description" in field.metadata:
            assert ScoreResponse.model_fields[field.name].description == field.metadata["description"]
    result = jiangmen.score({"name": "甲公司", "description": "锂电铜箔的研发、生产"})
    assert ScoreResponse.from_result(result).model_dump() == result.as_dict()


def test_link_update_response_is_a_link_change_without_its_backup_and_map(tiny_map):
    change = LinkChange("battery", "foil", {"status": "missing"}, {"status": "present"}, True, "v1", "v2", None, tiny_map)
    answer = LinkUpdateResponse.from_change(change, audit_id=7)
    assert answer.model_dump(by_alias=True) == {
        "chain_id": "battery", "link_id": "foil", "before": {"status": "missing"}, "after": {"status": "present"}, "changed": True,
        "map_version_before": "v1", "map_version": "v2", "audit_id": 7,
    }
    library = [f.name for f in dataclasses.fields(LinkChange) if f.name not in ("backup", "chain_map")]
    assert list(LinkUpdateResponse.model_fields) == [name.replace("map_version_after", "map_version") for name in library] + ["audit_id"]


def test_audit_entries_and_factors_are_read_from_the_library_types():
    entry = AuditEntry(id=1, at="2026-01-01T00:00:00Z", actor="alice", action="update_link", chain_id="c", link_id="l",
                       before={"status": "missing"}, after={"status": "present"}, map_version_before="1", map_version_after="2",
                       request_id=None, note=None)
    assert AuditEntryOut.model_validate(entry).model_dump() == dataclasses.asdict(entry)
    assert list(FactorOut.model_fields) == list(Factor._fields)
    assert QuoteIn is Quote


def test_updates_accept_the_map_statuses_and_priorities_and_nothing_else():
    for status in STATUSES:
        assert LinkUpdateRequest(status=status).status == status
    for priority in PRIORITIES:
        assert LinkUpdateRequest(priority=priority).priority == priority
    with pytest.raises(ValidationError):
        LinkUpdateRequest(status="gone")


@pytest.mark.parametrize("field", sorted(NUMERIC_BOUNDS))
def test_the_service_and_files_share_one_table_of_bounds(field):
    low, high = NUMERIC_BOUNDS[field]
    assert ScoreRequest(name="甲", **{field: high}).model_dump()[field] == high
    with pytest.raises(ValidationError):
        ScoreRequest(name="甲", **{field: high + 1})
    with pytest.raises(ValidationError):
        ScoreRequest(name="甲", **{field: low - 1})
    columns = profile_columns({"name": ["甲", "乙"], field: [str(int(high)), str(int(high) + 1)]})
    assert columns["errors"][0] == "" and "out of range" in columns["errors"][1]


def test_a_score_request_has_the_profile_fields_in_their_order():
    assert tuple(ScoreRequest.model_fields) == FIELDS


def test_map_answers_carry_the_map_types(tiny_map):
    park = tiny_map.parks[0]
    assert ParkOut.model_validate(park).model_dump() == park.model_dump()
    link_fields = set(LinkDetail.model_fields) - {"action", "need", "park_id", "park"}
    assert link_fields <= set(Link.model_fields)
    for name in link_fields:
        assert LinkDetail.model_fields[name].annotation == Link.model_fields[name].annotation, name
    assert set(ChainDetail.model_fields) - {"map_version", "links"} <= set(Chain.model_fields)
    assert set(Park.model_fields) == set(ParkOut.model_fields)


def test_lead_and_model_answers_carry_the_table_columns():
    from api.db.models import Lead, LeadEvent, ModelRecord
    from api.leads.schemas import LeadEventOut, LeadOut, ModelOut

    def columns(table: type) -> set[str]:
        return {column.name for column in table.__table__.columns}

    assert set(LeadOut.model_fields) == columns(Lead) - {"firm_key", "name_key"} | {"stage_zh", "overdue"}
    assert set(LeadEventOut.model_fields) == columns(LeadEvent) - {"lead_id", "request_id"}
    assert set(ModelOut.model_fields) == columns(ModelRecord) - {"path"}
