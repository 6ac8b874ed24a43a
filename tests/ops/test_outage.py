"""Outages (issue 22): while the database cannot be reached the API answers a JSON 503 and pages a friendly 503
page, both with Retry-After, never a 500; and a request whose transaction committed never answers an error,
even if the database goes away right after the commit (the commit is the last thing it does with it)."""
from __future__ import annotations

import socket
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from tests.api.test_api import World
from tests.conftest import IsolatedClient, csrf_token_from
from tracker import create_app
from tracker.auth.sessions import SEEN, SESSION_ID, STARTED
from tracker.common.clock import utcnow
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.supervision.models import DocumentKind, ExtensionRequest, SupervisionDocument
from tracker.tasks.models import Task

DAY = date(2026, 6, 30)


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable(tmp_path):
    """An app whose PostgreSQL database is on a closed port."""
    overrides = {key: value for key, value in vars(TestConfig).items() if key.isupper()}
    application = create_app({**overrides, "EVIDENCE_FOLDER": str(tmp_path / "evidence"),
                              "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://duban@127.0.0.1:{closed_port()}/duban",
                              "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 3}}})
    application.test_client_class = IsolatedClient
    yield application
    with application.app_context():
        db.engine.dispose()


def test_the_api_answers_503_with_retry_after_while_the_database_is_down(unreachable):
    client = unreachable.test_client()
    for method, url, body in (("GET", "/api/v1/tasks", None), ("GET", "/api/v1/tasks/1", None),
                              ("POST", "/api/v1/tasks/1/extensions", {"requested_due_on": "2027-01-31", "reason": "x"})):
        response = client.open(url, method=method, json=body, headers={"Authorization": "Bearer dbn_whatever"})
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "30"
        assert response.mimetype == "application/json"
        assert response.get_json()["error"] == {"code": "service_unavailable", "message": "数据库暂时无法访问，请稍后重试。"}


def test_pages_answer_a_friendly_503_while_the_database_is_down(unreachable):
    client = unreachable.test_client()
    with client.session_transaction() as session:  # a logged-in browser: its user must be loaded from the database
        session["_user_id"] = "1"
        session["_fresh"] = True
        session[SESSION_ID] = "a-login-session"  # the server-side session row is read with the user
        session[STARTED] = session[SEEN] = utcnow().timestamp()
    response = client.get("/plans/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "系统暂时无法访问数据库，请稍后重试。" in response.text and "Traceback" not in response.text
    healthz = client.get("/healthz")
    assert healthz.status_code == 503  # and the load balancer takes the instance out


class DatabaseGoneAfterCommit:
    """Once a statement touching ``table`` has been committed, every later statement fails as if the server
    had gone away: what a request does after its commit must not need the database."""

    def __init__(self, engine, table: str):
        self.engine, self.table, self.armed, self.down, self.refused = engine, table, False, False, 0

    def before_execute(self, conn, cursor, statement, parameters, context, executemany):
        if self.down:
            self.refused += 1
            raise OperationalError(statement, parameters, Exception("server closed the connection unexpectedly"))
        if self.table in statement and statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            self.armed = True

    def on_commit(self, conn):
        if self.armed:
            self.down = True

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.before_execute)
        event.listen(self.engine, "commit", self.on_commit)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.before_execute)
        event.remove(self.engine, "commit", self.on_commit)


def test_an_api_write_that_committed_is_answered_as_saved_even_if_the_database_goes_away(seeded, on_date, client):
    on_date(DAY)
    world = World(client)
    task = db.session.scalar(select(Task).where(Task.number == "7"))
    task_id, wanted = task.id, (task.due_on + timedelta(days=30)).isoformat()
    world.token("jingwei")
    with DatabaseGoneAfterCommit(db.engine, "extension_requests") as outage:
        response = world.call("jingwei", "POST", f"/api/v1/tasks/{task_id}/extensions",
                              json={"requested_due_on": wanted, "reason": "资金下达推迟"})
    assert outage.down  # the database did go away right after the commit
    assert response.status_code == 201, response.text
    body = response.get_json()
    assert body["requested_due_on"] == wanted and body["state"] == "pending"
    db.session.remove()
    saved = db.session.get(ExtensionRequest, body["id"])
    assert saved is not None and saved.reason == "资金下达推迟"


def test_a_form_that_committed_redirects_even_if_the_database_goes_away(seeded, on_date, browser):
    on_date(DAY)
    task = db.session.scalar(select(Task).where(Task.number == "7"))
    document = SupervisionDocument(kind=DocumentKind.urge_notice, prefix="催办", year=2026, serial=901, task_id=task.id,
                                   unit_id=task.lead_unit_id, level=2, issued_on=DAY, reply_by=DAY + timedelta(days=7),
                                   overdue_days=3, facts={})
    db.session.add(document)
    db.session.commit()
    document_id, task_id = document.id, task.id
    unit = browser("jingwei")
    token = csrf_token_from(unit.get(f"/tasks/{task_id}").text)
    with DatabaseGoneAfterCommit(db.engine, "supervision_documents") as outage:
        response = unit.client.post(f"/documents/{document_id}/reply", data={"text": "已整改", "csrf_token": token})
    assert outage.down
    assert response.status_code == 302 and response.headers["Location"].startswith(f"/tasks/{task_id}")
    db.session.remove()
    assert db.session.get(SupervisionDocument, document_id).reply_text == "已整改"
