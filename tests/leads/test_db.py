"""The data layer on SQLite and PostgreSQL: migrations, leads, one lead per firm, versions, sheets."""

from __future__ import annotations

import datetime as dt
import threading

import openpyxl
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from api.db import SchemaBehindError, ensure_schema, make_engine, schema_state, session_scope
from api.db.audit import DbAuditLog, import_file_audit
from api.db.migrate import current_revision, downgrade, head_revision, upgrade
from api.db.models import Base
from api.leads import service as leads
from api.leads.sheets import LeadImportError, export_xlsx, import_leads, new_lead_from_ranked_row
from api.leads.stages import firm_key, normalise_name
from recommender.chainmap import AuditLog, LinkChange

FOIL = {"name": "江门市某铜箔科技（集团）股份有限公司", "description": "锂电铜箔的研发、生产", "city": "深圳"}


def test_migrations_from_empty_up_down_and_match_the_tables(database_url):
    engine = make_engine(database_url)
    try:
        assert schema_state(engine) == "empty"
        assert upgrade(engine, "0001") == "0001"
        assert schema_state(engine) == "behind"
        with pytest.raises(SchemaBehindError, match="recommender db upgrade"):
            ensure_schema(engine)
        assert "leads" not in inspect(engine).get_table_names()
        assert upgrade(engine) == head_revision()
        assert {"users", "api_keys", "sessions", "leads", "lead_events", "map_changes", "models"} <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:  # the migrations build exactly what the ORM classes describe
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert downgrade(engine, "0001") == "0001"
        assert "leads" not in inspect(engine).get_table_names()
        assert downgrade(engine, "base") is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        ensure_schema(engine)  # an empty database is created in full
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_normalised_names_fold_width_spaces_brackets_and_legal_forms():
    assert normalise_name("江门 市 ＡＢＣ 科技（集团）股份有限公司") == normalise_name("江门市abc科技有限公司") == "江门市abc科技"
    assert normalise_name("Foo Tech Co., Ltd.") == normalise_name("FOO TECH LIMITED")
    assert firm_key("x公司", " 91440700 MA4UXXXX1X ") == "code:91440700MA4UXXXX1X"
    with pytest.raises(ValueError, match="credit code"):
        firm_key("x", "123")


def test_one_lead_per_firm_by_code_or_name(engine):
    with session_scope(engine) as db:
        first = leads.create_lead(db, leads.NewLead(profile=FOIL, scored={"score": 70.5, "chain_id": "battery"}), actor="amy")
    with session_scope(engine) as db, pytest.raises(leads.LeadExists) as exists:
        leads.create_lead(db, leads.NewLead(profile={"name": "江门市某铜箔科技有限公司"}, credit_code="91440700MA4UXXXX1X"), actor="bob")
    assert exists.value.lead.id == first.id
    with session_scope(engine) as db:  # two codes: two firms, even with one name
        a = leads.create_lead(db, leads.NewLead(profile={"name": "同名公司"}, credit_code="91440700MA4UXXXX1X"), actor="amy")
        b = leads.create_lead(db, leads.NewLead(profile={"name": "同名公司"}, credit_code="91440700MA4UYYYY2Y"), actor="amy")
        assert a.id != b.id
    with session_scope(engine) as db, pytest.raises(leads.LeadError, match="unknown fields"):
        leads.create_lead(db, leads.NewLead(profile={"name": "y", "salary": "1"}), actor="amy")


def test_stages_history_and_the_version_check(engine):
    with session_scope(engine) as db:
        lead = leads.create_lead(db, leads.NewLead(profile=FOIL), actor="amy")
    today = dt.date(2025, 3, 1)
    with session_scope(engine) as db:
        lead = leads.update_lead(db, lead.id, 1, {"stage": "接洽", "owner": "amy", "next_step": "visit", "next_step_date": dt.date(2025, 2, 1)},
                                 actor="amy", today=today)
    assert (lead.stage, lead.version, lead.first_contact_date) == ("contact", 2, today)
    with session_scope(engine) as db:
        assert [x.id for x in leads.list_leads(db, overdue=True, today=today)[0]] == [lead.id]
        assert leads.list_leads(db, stage="线索")[1] == 0 and leads.list_leads(db, stage="contact", owner="amy")[1] == 1
        with pytest.raises(leads.LeadError, match="reason"):
            leads.update_lead(db, lead.id, 2, {"stage": "流失"}, actor="amy")
    with session_scope(engine) as db, pytest.raises(leads.StaleLead):
        leads.update_lead(db, lead.id, 1, {"notes": "old view"}, actor="bob")
    with session_scope(engine) as db:
        lead = leads.update_lead(db, lead.id, 2, {"stage": "lost", "lost_reason": "chose Zhuhai"}, actor="amy")
        assert lead.closed_at is not None and leads.list_leads(db, overdue=True, today=today)[1] == 0
        events = leads.lead_history(db, lead.id)
    assert [(e.kind, e.actor, e.stage_to) for e in events] == [
        ("created", "amy", "lead"), ("updated", "amy", "contact"), ("rejected", "bob", None), ("updated", "amy", "lost")]
    assert events[2].changes == {"notes": "old view"}


def test_two_writers_on_one_version_one_wins_both_intents_kept(engine):
    with session_scope(engine) as db:
        lead_id = leads.create_lead(db, leads.NewLead(profile=FOIL), actor="amy").id
    barrier = threading.Barrier(2)
    outcomes = {}

    def edit(actor, stage):
        barrier.wait()
        try:
            with session_scope(engine) as db:
                try:
                    leads.update_lead(db, lead_id, 1, {"stage": stage}, actor=actor)
                    outcomes[actor] = "ok"
                except leads.StaleLead:
                    outcomes[actor] = "stale"
        except Exception as exc:  # noqa: BLE001 - a lock error would show here
            outcomes[actor] = repr(exc)

    threads = [threading.Thread(target=edit, args=("amy", "visit")), threading.Thread(target=edit, args=("bob", "negotiation"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["ok", "stale"], outcomes
    with session_scope(engine) as db:
        events = leads.lead_history(db, lead_id)
        winner = next(a for a, o in outcomes.items() if o == "ok")
        assert leads.get_lead(db, lead_id).updated_by == winner
    assert sorted((e.actor, e.kind, e.changes["stage"]) for e in events[1:]) == sorted(
        [("amy", "updated" if outcomes["amy"] == "ok" else "rejected", "visit"),
         ("bob", "updated" if outcomes["bob"] == "ok" else "rejected", "negotiation")])


def test_export_then_import_round_trip_and_bad_rows(engine, tmp_path):
    with session_scope(engine) as db:
        leads.create_lead(db, leads.NewLead(profile=FOIL, owner="amy", notes="=HYPERLINK(1)", scored={"score": 61.0}), actor="amy")
        leads.create_lead(db, leads.NewLead(profile={"name": "某电芯公司", "city": "江门"}, stage="签约"), actor="amy")
        path = export_xlsx(leads.list_leads(db)[0], tmp_path / "leads.xlsx")
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 and any("=HYPERLINK(1)" in row for row in rows[1:])
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    other = make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    ensure_schema(other)
    with session_scope(other) as db:
        report = import_leads(db, path, actor="imp")
        assert len(report.created) == 2 and report.duplicates == []
        imported = {lead.name: lead for lead in leads.list_leads(db)[0]}
        assert imported["某电芯公司"].stage == "signed" and imported[FOIL["name"]].owner == "amy"
        assert imported[FOIL["name"]].profile["description"] == FOIL["description"] and imported[FOIL["name"]].score == 61.0
    with session_scope(other) as db:
        assert len(import_leads(db, path, actor="imp").duplicates) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称,阶段,下一步日期\n甲公司,考察,2025-13-40\n乙公司,赢了,\n丙公司,流失,\n", encoding="utf-8")
    with session_scope(other) as db, pytest.raises(LeadImportError) as error:
        import_leads(db, bad, actor="imp")
    assert [(row, column) for row, column, _ in error.value.problems] == [(1, "下一步日期"), (2, "阶段"), (3, "lost_reason")]
    with session_scope(other) as db:
        assert leads.list_leads(db, q="甲")[1] == 0  # nothing written
    other.dispose()


def test_ranked_row_keeps_profile_score_and_link_ids(tiny_map):
    row = {"企业名称": "某铜箔公司", "经营范围": "铜箔", "rank": 1, "score": 55.5, "likelihood": 0.3, "priority": 40.8,
           "chain": tiny_map.chains[0].name.zh, "link": tiny_map.chains[0].links[0].name.zh, "action": "补链", "model_version": "prior"}
    new = new_lead_from_ranked_row(row, tiny_map, map_version=tiny_map.version)
    assert new.profile == {"name": "某铜箔公司", "description": "铜箔"}
    assert new.scored["chain_id"] == tiny_map.chains[0].id and new.scored["link_id"] == tiny_map.chains[0].links[0].id
    assert new.scored["score"] == 55.5 and new.scored["model_version"] == "prior"


def test_map_audit_in_the_database(engine, tiny_map):
    audit = DbAuditLog(engine)
    change = LinkChange("battery", "foil", {"status": "missing"}, {"status": "present"}, True, "v1", "v2", None, tiny_map)
    with pytest.raises(RuntimeError), audit.transaction() as tx:
        tx.record(actor="amy", change=change)
        raise RuntimeError("the change failed")
    assert audit.entries() == []
    with audit.transaction() as tx:
        tx.record(actor="amy", change=change, note="landed")
        tx.record_model(actor="bob", before="prior", after="pipeline/x", map_version="v2")
    entries = audit.entries()
    assert [(e.actor, e.action) for e in entries] == [("bob", "reload_model"), ("amy", "update_link")]
    assert entries[1].after == {"status": "present"} and entries[1].at.endswith("Z")
    assert [e.actor for e in audit.entries(link_id="foil")] == ["amy"]




def test_the_old_audit_file_is_carried_into_the_database_once(engine, database_url, tiny_map, tmp_path):
    from api.manage import db_upgrade
    from api.settings import Settings

    path = tmp_path / "history" / "audit.sqlite3"
    path.parent.mkdir()
    old = AuditLog(path)
    change = LinkChange("battery", "foil", {"status": "missing"}, {"status": "present"}, True, "v1", "v2", None, tiny_map)
    with old.transaction() as tx:
        tx.record(actor="amy", change=change, note="已落地 landed", request_id="r-1",
                  at=dt.datetime(2025, 3, 1, 8, 0, 0, 123456, tzinfo=dt.UTC))
        tx.record_model(actor="bob", before="prior", after="default/1", map_version="v2")
    audit = DbAuditLog(engine)
    with audit.transaction() as tx:  # a change made in the database since
        tx.record(actor="cy", change=change, note="later")
    assert import_file_audit(engine, path) == 2
    assert import_file_audit(engine, path) == 0  # once: a second start adds nothing
    assert db_upgrade(Settings(database_url=database_url, audit_db=path))[1] == head_revision()
    carried = {(e.at, e.actor, e.action, e.chain_id, e.link_id, e.note, e.request_id, e.map_version_after): (e.before, e.after)
               for e in audit.entries(limit=10)}
    assert len(carried) == 3
    for entry in old.entries():
        key = (entry.at, entry.actor, entry.action, entry.chain_id, entry.link_id, entry.note, entry.request_id, entry.map_version_after)
        assert carried[key] == (entry.before, entry.after)
    assert ("2025-03-01T08:00:00.123456Z", "amy") in {(e.at, e.actor) for e in audit.entries(link_id="foil")}
    assert import_file_audit(engine, tmp_path / "missing.sqlite3") == 0
