"""Shared fixtures: one app per session, a clean database per test (SQLite, or PostgreSQL when
TRACKER_TEST_DATABASE_URL is set), the demo seed on demand, and a login helper."""
from __future__ import annotations

import os
import re
from datetime import date

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.smtp_server import SmtpServer
from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db

DEMO_PASSWORD = "demo-password"


def database_url(tmp_dir) -> str:
    return os.environ.get("TRACKER_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir}/test.db"


def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as in production.

    Flask reuses an app context that is already pushed (the test's), which would share ``g``
    (CSRF token, logged-in user) and the database session between requests. The test's context is
    popped for the request (closing its session: re-query objects afterwards) and pushed back."""

    def open(self, *args, **kwargs):
        outer = _cv_app.get(None)
        if outer is not None:
            outer.pop()
        try:
            return super().open(*args, **kwargs)
        finally:
            if outer is not None:
                outer.push()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("instance")
    os.environ["TRACKER_INSTANCE_PATH"] = str(tmp)
    overrides = {key: value for key, value in vars(TestConfig).items() if key.isupper()}
    application = create_app({**overrides, "SQLALCHEMY_DATABASE_URI": database_url(tmp),
                              "EVIDENCE_FOLDER": str(tmp / "evidence")})
    application.test_client_class = IsolatedClient
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _empty_all_tables(application) -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if is_postgres(application):
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture(autouse=True)
def _isolated(request, app):
    """Each test gets an app context, default config values and empty tables afterwards."""
    saved = dict(app.config)
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.remove()
    _empty_all_tables(app)
    ctx.pop()
    app.config.clear()
    app.config.update(saved)


@pytest.fixture
def seeded(app):
    """The demo seed without the items of the proposal handling flow (their open items would enter the
    overdue lists, digests and reminders that the task tests count); ``seeded_items`` has them too."""
    from seeds.demo import load_demo

    load_demo(flow_items=False)
    return app


@pytest.fixture
def seeded_items(app):
    """The whole demo seed, as ``flask seed demo`` loads it, with the items of the proposal handling flow."""
    from seeds.demo import load_demo

    load_demo()
    return app


@pytest.fixture
def on_date(app):
    """Sets the app's "today": ``on_date(date(2026, 6, 30))``."""

    def set_today(day: date) -> None:
        app.config["TODAY"] = day.isoformat()

    return set_today


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_client(app):
    return app.test_client


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class Browser:
    """A test client that logs in and posts forms with their real CSRF token."""

    def __init__(self, client):
        self.client = client

    def login(self, login: str, password: str = DEMO_PASSWORD):
        page = self.client.get("/login")
        response = self.client.post("/login", data={"login": login, "password": password,
                                                    "csrf_token": csrf_token_from(page.text)})
        assert response.status_code == 302, f"login failed for {login}"
        return self

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def token(self, url: str = "/plans/") -> str:
        return csrf_token_from(self.client.get(url).text)

    def post(self, url, data=None, token_from: str | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(token_from or "/plans/"))
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def browser(app):
    def open_as(login: str | None = None) -> Browser:
        b = Browser(app.test_client())
        return b.login(login) if login else b

    return open_as


@pytest.fixture
def smtp(app):
    """A real SMTP server the app sends to (aiosmtpd; its inbox is ``smtp.inbox``)."""
    server = SmtpServer()  # binds a socket to port 0 first: Controller(port=0) cannot report its port
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_SECURITY="none",
                      MAIL_SENDER="duban@example.gov.cn")
    yield server
    server.stop()
