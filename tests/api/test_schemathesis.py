"""Schemathesis against /api/v1: for every operation in /api/v1/openapi.json, generated requests (valid
and invalid ones) sent with a coordinator's token must get no server error, and every response must
match the document: its status code is documented, its content type too, and its body conforms to the
documented schema.

The schema is loaded from the app itself (no network); Hypothesis runs derandomized, with no example
database, so a run is repeatable. The demo seed (plus proposals and indicators, one reminder scan that
issues the ladder's documents, and a pending 延期申请 and 办结申请) gives the generated ids real rows to
hit: every path parameter carries ``example: 1``.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest
import schemathesis
from flask.globals import _cv_app
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)
from sqlalchemy import select

from tracker.api.services import create_token
from tracker.auth.models import User
from tracker.common.workdays import BEIJING
from tracker.extensions import db

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
# Positive and negative generation; no stateful phase (it needs links the document does not declare).
CONFIG = {"generation": {"mode": "all"}, "phases": {"stateful": {"enabled": False}}}


class OwnContextApp:
    """The app as a WSGI callable that runs each request in its own app context, as in production.

    The test's app context (tests/conftest.py) is popped for the request and pushed back after: Flask
    would otherwise reuse it, sharing the database session and ``g`` between requests
    (tests/conftest.py IsolatedClient does the same for the Flask test client)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        outer = _cv_app.get(None)
        if outer is not None:
            outer.pop()
        try:
            return list(self.app(environ, start_response))  # consumed while the request's context lives
        finally:
            if outer is not None:
                outer.push()


@pytest.fixture
def coordinator_token(seeded, on_date):
    on_date(date(2026, 6, 30))
    try:  # optional modules: present in this build, but the API works without them
        from seeds.indicators import load_indicators
        from seeds.load_proposals import load_proposals
    except ImportError:
        pass
    else:
        load_proposals()
        load_indicators()
    _loop_rows()
    _proposal_step_rows()
    user = db.session.scalar(select(User).where(User.login == "coordinator"))
    _token, secret = create_token(user, "schemathesis")
    db.session.commit()
    return secret


def _loop_rows() -> None:
    """The 督办 loop's rows with id 1: the seed's receipts, the documents the ladder issues on 2026-06-30,
    and a pending extension and closure of task 4 (lead unit 区科委)."""
    from tracker.reminders.scan import run_scan
    from tracker.supervision.services import request_closure, request_extension
    from tracker.tasks.models import Task

    run_scan(datetime(2026, 6, 30, 9, 5, tzinfo=BEIJING))
    db.session.commit()
    lead = db.session.scalar(select(User).where(User.login == "kejiwei"))
    task = db.session.scalar(select(Task).where(Task.number == "4"))
    request_extension(lead, task, requested_due_on=date(2027, 3, 31), reason="资金下达推迟", today=date(2026, 6, 30))
    request_closure(lead, task, summary="已全部完成。", today=date(2026, 6, 30))
    db.session.commit()


def _proposal_step_rows() -> None:
    """The handling steps' rows (issue 25): a contact on proposal 1, the promises of the seeded B reply, and an
    item assigned to 区科委 (主办) with 区数据局 (协办), both signed, with a 协办意见, a draft out for 会签 and a
    pending 延期申请 (id 1); proposal 1 a 重点提案 supervised by the leader, with a 督办意见."""
    try:
        from tracker.proposals import clock, contacts, cosign, handling, key_items, promises
        from tracker.proposals.models import Proposal
        from tracker.proposals.services import save_proposal
    except ImportError:
        return
    from tracker.common.clock import utcnow
    from tracker.units.models import Unit

    day, now = date(2026, 6, 30), utcnow()
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    first = db.session.get(Proposal, 1)
    contacts.record_contact(coordinator, first, contact_on=day, way="电话", stage="after",
                            proposer_names=[person.name for person in first.people][:1], unit_people="联络员",
                            agreed="答复后回访。", today=day)
    promised = next(p for p in db.session.scalars(select(Proposal).order_by(Proposal.id))
                    if promises.carries_promises(p) and p.commitments)
    promises.derive_promises(coordinator, promised, today=day)
    units = {unit.short_name: unit for unit in db.session.scalars(select(Unit))}
    item = save_proposal(None, None, meeting="区十八届人大六次会议", number="0099", title="关于科创载体建设的建议",
                         main_unit_id=units["区科委"].id, co_unit_ids=[units["区数据局"].id], assigned_on=day)
    db.session.flush()
    handling.assign(coordinator, item, today=day, main_unit_id=units["区科委"].id, co_unit_ids=[units["区数据局"].id])
    main, co = (db.session.scalar(select(User).where(User.unit_id == units[name].id).order_by(User.id))
                for name in ("区科委", "区数据局"))
    handling.act_on_receipt(main, item, step="sign", reason="", today=day, now=now)
    handling.act_on_receipt(co, item, step="sign", reason="", today=day, now=now)
    cosign.send_opinion(co, item, "建议写明进度安排。", now=now)
    cosign.send_draft(main, item, "答复稿", today=day, now=now)
    clock.request_extension(main, item, requested_due_on=date(2026, 10, 30), reason="需会商。", now=now)
    leader = db.session.scalar(select(User).where(User.login == "leader"))
    key_items.mark_key(coordinator, first, leader_id=leader.id, now=now)
    key_items.add_note(leader, first, "请加快推进。", now=now)
    db.session.commit()


def document() -> dict:
    """The document /api/v1/openapi.json serves (test_the_served_document_is_the_one_tested checks that)."""
    from tracker.api import views

    return views.document()


# Loaded at collection time, so that each operation is its own test; the requests go to the app
# (``app=`` below), never over the network.
schema = schemathesis.openapi.from_dict(document(), config=SchemathesisConfig.from_dict(CONFIG))


def test_the_served_document_is_the_one_tested(client):
    assert client.get("/api/v1/openapi.json").get_json() == document()


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])  # one seeded database per operation, on purpose
def test_api_has_no_server_errors_and_conforms_to_its_document(case, app, coordinator_token):
    case.call_and_validate(app=OwnContextApp(app), base_url="http://localhost/api/v1",
                           headers={"Authorization": f"Bearer {coordinator_token}"}, checks=CHECKS)
