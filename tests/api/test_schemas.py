"""The wire models are the library's concepts carried to the edge, not copies that can drift."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from api.schemas import AuditEntryOut, FactorOut, LinkUpdateRequest, QuoteIn, ScoreRequest, ScoreResponse
from recommender import Result
from recommender.chainmap import PRIORITIES, STATUSES, AuditEntry, Quote
from recommender.likelihood import Factor
from recommender.scoring import NUMERIC_BOUNDS, profile_columns


def test_score_response_has_exactly_the_fields_of_a_result():
    assert set(ScoreResponse.model_fields) == {f.name for f in dataclasses.fields(Result)}


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
