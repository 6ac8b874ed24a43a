"""/healthz: JSON without login; ok with a fresh scheduler heartbeat, degraded when the heartbeat is stale
or missing, error (HTTP 503) when the database is unreachable. And gunicorn.conf.py serves it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.reminders.heartbeat import Heartbeat, beat

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _health(client):
    response = client.get("/healthz")
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_json()


def _set_beat(moment: datetime) -> None:
    db.session.merge(Heartbeat(name="scheduler", beat_at=moment))
    db.session.commit()
    db.session.remove()


def test_ok_with_a_fresh_heartbeat_and_no_login(app, client):
    beat("scheduler")
    db.session.remove()
    status, body = _health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True and body["database"]["latency_ms"] >= 0
    scheduler = body["scheduler"]
    assert scheduler["ok"] is True and 0 <= scheduler["age_seconds"] < 60
    assert datetime.fromisoformat(scheduler["last_beat"]).tzinfo is not None
    assert abs(datetime.fromisoformat(body["time"]) - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_degraded_when_the_heartbeat_is_stale(app, client):
    interval = app.config["SCHEDULER_INTERVAL_SECONDS"]
    _set_beat(datetime.now(timezone.utc) - timedelta(seconds=3 * interval + 30))
    status, body = _health(client)
    assert status == 200  # the web app still serves; reminders are late
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["scheduler"]["ok"] is False and body["scheduler"]["age_seconds"] > 3 * interval

    # Three intervals is the limit: one missed beat is still fine.
    _set_beat(datetime.now(timezone.utc) - timedelta(seconds=interval + 30))
    assert _health(client)[1]["status"] == "ok"


def test_degraded_when_the_scheduler_never_beat_unless_none_is_expected(app, client):
    status, body = _health(client)
    assert (status, body["status"]) == (200, "degraded")
    assert body["scheduler"] == {"last_beat": None, "age_seconds": None, "ok": False, "expected": True}

    app.config["SCHEDULER_EXPECTED"] = False  # an instance that deliberately sends no reminders
    status, body = _health(client)
    assert (status, body["status"], body["scheduler"]["ok"]) == (200, "ok", True)


@pytest.mark.parametrize("database_url", [
    "sqlite:////nonexistent-folder/for-healthz/tracker.db",  # a path that cannot be opened
    "postgresql+psycopg://postgres@127.0.0.1:1/tracker",     # a closed port
], ids=["sqlite-missing-path", "postgresql-closed-port"])
def test_error_and_503_when_the_database_is_unreachable(app, database_url, tmp_path):
    overrides = {key: value for key, value in vars(TestConfig).items() if key.isupper()}
    broken = create_app({**overrides, "SQLALCHEMY_DATABASE_URI": database_url,
                         "EVIDENCE_FOLDER": str(tmp_path / "evidence")})
    try:
        status, body = _health(broken.test_client())
    finally:
        with broken.app_context():
            db.engine.dispose()
    assert status == 503
    assert body["status"] == "error"
    assert body["database"]["ok"] is False and body["database"]["latency_ms"] >= 0
    assert body["database"]["error"] == "OperationalError"
    assert "127.0.0.1" not in str(body) and "nonexistent" not in str(body)  # no addresses leak
    assert body["scheduler"] == {"last_beat": None, "age_seconds": None, "ok": False, "expected": True}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_conf_serves_healthz_with_the_request_id_in_the_access_log(tmp_path):
    """gunicorn -c gunicorn.conf.py starts (production settings), answers /healthz, logs the request id."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed in this environment")
    port = _free_port()
    database = tmp_path / "gunicorn.db"
    env = {**os.environ, "TRACKER_BIND": f"127.0.0.1:{port}", "TRACKER_WORKERS": "1",
           "TRACKER_SECRET_KEY": "x" * 40, "TRACKER_DATABASE_URL": f"sqlite:///{database}",
           "TRACKER_INSTANCE_PATH": str(tmp_path), "TRACKER_SCHEDULER": "1"}
    env.pop("TRACKER_ENV", None)  # gunicorn.conf.py defaults it to production
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as output:
        server = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py"], cwd=PROJECT_ROOT, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
        try:
            body = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and server.poll() is None:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz",
                                                 headers={"X-Request-ID": "probe-1234567890"})
                try:
                    with urllib.request.urlopen(request, timeout=5) as response:
                        body = response.read().decode()
                        request_id = response.headers["X-Request-ID"]
                        break
                except OSError:
                    time.sleep(0.3)
            assert body is not None, log.read_text(errors="replace")
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text(errors="replace")
    assert '"status": "degraded"' in body or '"status":"degraded"' in body  # no heartbeat table: no scheduler
    assert request_id == "probe-1234567890"
    assert "GET /healthz" in text and "req=probe-1234567890" in text
    assert "TRACKER_SCHEDULER is ignored in web workers" in text
    assert "gthread" in text or "Using worker: gthread" in text
