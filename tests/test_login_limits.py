"""Login limits (issue 21, tracker/auth/limits.py): failed attempts only, per account and per address,
counted in the database so that every web worker sees the same count, with the time to wait.

The office case runs in process; the count across workers runs a real ``gunicorn -w 2`` on a free port
against the test database (SQLite file or PostgreSQL), with the client addresses given by a proxy
header (``TRACKER_PROXY_COUNT=1``), and checks in gunicorn's access log (which names the worker's pid)
that both workers refused."""
from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from seeds import units as unit_seed
from tracker.auth.models import LoginEvent, LoginOutcome, User
from tracker.extensions import db
from tests.conftest import csrf_token_from

ROOT = Path(__file__).resolve().parents[1]
OFFICE = "10.20.30.40"  # one NAT address for a whole office


def _login(client, login, password, address=OFFICE):
    token = csrf_token_from(client.get("/login").text)
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_fifty_people_behind_one_address_log_in_within_a_minute(seeded, app, make_client):
    """50 logins from one address in the same minute all succeed; a few typos on the way (a real
    9:00) do not stop anybody: successful logins never count, and failures are far below the limit."""
    app.config["NOW"] = "2026-06-30T09:00"  # the clock stands still: all of it within one minute
    logins = ["admin", "coordinator", "leader"] + [unit["login"] for unit in unit_seed.UNITS]
    logins = (logins * 3)[:50]  # some people log in twice (a second browser)
    assert len(logins) == 50
    statuses = []
    for number, login in enumerate(logins):
        client = make_client()  # each person their own browser
        if number % 5 == 0:  # every fifth person mistypes once first
            assert _login(client, login, "demo-passwort").status_code == 401
        statuses.append(_login(client, login, "demo-password").status_code)
    assert statuses == [302] * 50
    db.session.remove()
    assert db.session.scalar(select(func.count()).where(LoginEvent.outcome == LoginOutcome.success,
                                                        LoginEvent.address == OFFICE)) == 50
    assert db.session.scalar(select(func.count()).where(LoginEvent.outcome == LoginOutcome.blocked)) == 0


def test_ten_wrong_passwords_lock_the_account_with_the_time_to_wait(seeded, client, app):
    app.config["NOW"] = "2026-06-30T09:00"
    statuses = [_login(client, "kejiwei", f"wrong-{n}").status_code for n in range(10)]
    assert statuses == [401] * 4 + [429] * 6
    response = _login(client, "kejiwei", "demo-password")
    assert response.status_code == 429
    assert "账户因多次密码错误已锁定，请15分钟后再试" in response.text
    assert response.headers["Retry-After"] == str(15 * 60)
    # in English too
    client.post("/language/en", data={"csrf_token": csrf_token_from(client.get("/login").text)})
    response = _login(client, "kejiwei", "demo-password")
    assert "try again in 15 minutes" in response.text
    # 15 minutes later the right password works again
    app.config["NOW"] = "2026-06-30T09:15:01"
    assert _login(client, "kejiwei", "demo-password").status_code == 302
    # another account behind the same address was never affected
    app.config["NOW"] = "2026-06-30T09:00:30"
    assert _login(app.test_client(), "jingwei", "demo-password").status_code == 302


def test_failures_per_address_are_limited_whatever_the_login(seeded, client, app):
    app.config.update(NOW="2026-06-30T09:00", LOGIN_ADDRESS_MAX_FAILURES=20)
    for n in range(20):  # a password sprayed over many logins: no account reaches its own limit
        assert _login(client, f"guess{n}", "Spring2026!", address="203.0.113.9").status_code == 401
    response = _login(client, "leader", "demo-password", address="203.0.113.9")
    assert response.status_code == 429 and "该地址登录失败次数过多，请15分钟后再试" in response.text
    assert _login(app.test_client(), "leader", "demo-password").status_code == 302  # other addresses log in
    app.config["NOW"] = "2026-06-30T09:15:01"  # the failures have left the window
    assert _login(client, "leader", "demo-password", address="203.0.113.9").status_code == 302


# --- across two gunicorn workers -------------------------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``gunicorn -w 2`` serving the app on the test database; the access log names each request's worker."""

    def __init__(self, app, tmp_path, **settings):
        self.port = _free_port()
        env = {**os.environ, "TRACKER_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
               "TRACKER_SECRET_KEY": "w" * 40, "TRACKER_SESSION_COOKIE_SECURE": "0",
               "TRACKER_INSTANCE_PATH": str(tmp_path), "TRACKER_PROXY_COUNT": "1",
               "TRACKER_BIND": f"127.0.0.1:{self.port}", "TRACKER_WORKERS": "2", "TRACKER_THREADS": "1",
               **{f"TRACKER_{key}": str(value) for key, value in settings.items()}}
        env.pop("TRACKER_TEST_DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logformat",
             "worker=%(p)s %(m)s %(U)s %(s)s", "--keep-alive", "0"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "\n".join(self.lines)
            try:
                if self.request("GET", "/login")[0] == 200 and len(self.workers()) >= 1:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn did not start:\n" + "\n".join(self.lines))

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def workers(self) -> set[str]:
        return {m.group(1) for line in self.lines for m in [re.search(r"Booting worker with pid: (\d+)", line)] if m}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)  # a new connection each time
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace"), response.headers
        finally:
            connection.close()

    def login(self, login, password, address) -> tuple[int, str]:
        status, page, headers = self.request("GET", "/login", headers={"X-Forwarded-For": address})
        cookie = headers["Set-Cookie"].split(";")[0]
        form = urllib.parse.urlencode({"login": login, "password": password, "csrf_token": csrf_token_from(page)})
        status, page, _headers = self.request("POST", "/login", body=form, headers={
            "X-Forwarded-For": address, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        return status, page

    def posts(self, status: int) -> list[str]:
        """The pids of the workers that answered POST /login with ``status``, in order."""
        return [m.group(1) for line in self.lines
                for m in [re.search(rf"worker=<?(\d+)>? POST /login {status}\b", line)] if m]

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


@pytest.fixture
def gunicorn(seeded, app, tmp_path):
    servers = []

    def start(**settings) -> Gunicorn:
        servers.append(Gunicorn(app, tmp_path, **settings))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def _until_both_workers_refuse(server, login, password, address, message) -> None:
    """Tries again on new connections until each of the two workers has refused (429) at least once."""
    for _attempt in range(60):
        status, page = server.login(login, password, address)
        assert status == 429 and message in page, (status, re.findall(r'alert[^>]*>([^<]*)', page))
        if len(set(server.posts(429))) == 2:
            return
        time.sleep(0.05)
    raise AssertionError(f"one worker answered every refusal: {server.posts(429)}\n" + "\n".join(server.lines[-15:]))


def test_the_counts_hold_across_two_gunicorn_workers(gunicorn):
    server = gunicorn(LOGIN_ADDRESS_MAX_FAILURES=6, TODAY=date(2026, 6, 30).isoformat())
    time.sleep(0)  # both workers boot before they answer; the count is in the database, not in them
    deadline = time.monotonic() + 30
    while len(server.workers()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(server.workers()) == 2, server.lines

    # Per account: 5 wrong passwords for kejiwei, one connection each, then the right one refused by both workers.
    statuses = [server.login("kejiwei", f"wrong-{n}", "198.51.100.1")[0] for n in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    _until_both_workers_refuse(server, "kejiwei", "demo-password", "198.51.100.2", "账户因多次密码错误已锁定")

    # Per address: 6 failures (unknown logins) from one address, then even the leader's right password from
    # that address is refused by both workers; from another address the leader logs in.
    statuses = [server.login(f"nobody{n}", "wrong", "198.51.100.3")[0] for n in range(6)]
    assert statuses == [401] * 6
    _until_both_workers_refuse(server, "leader", "demo-password", "198.51.100.3", "该地址登录失败次数过多")
    assert server.login("leader", "demo-password", "198.51.100.4")[0] == 302

    failures = server.posts(401)
    assert len(failures) == 4 + 6
    db.session.remove()
    user = db.session.scalar(select(User).where(User.login == "kejiwei"))
    assert user.locked_until is not None
    outcomes = dict(db.session.execute(select(LoginEvent.outcome, func.count()).group_by(LoginEvent.outcome)).all())
    assert outcomes[LoginOutcome.locked] == 1 and outcomes[LoginOutcome.failure] == 10
    assert outcomes[LoginOutcome.success] == 1
