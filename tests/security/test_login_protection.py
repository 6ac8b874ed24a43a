"""Authentication hardening: lockout, rate limit, password rules, forced change, headers, production config."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker import create_app
from tracker.auth.models import User
from tracker.common.clock import utcnow
from tracker.extensions import db
from tests.conftest import csrf_token_from


def _login(client, login, password):
    token = csrf_token_from(client.get("/login").text)
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token})


def test_account_locks_after_repeated_failures_and_admin_reset_unlocks(seeded, client, browser):
    for attempt in range(4):
        response = _login(client, "kejiwei", "wrong-password")
        assert response.status_code == 401 and "登录名或密码不正确" in response.text
    response = _login(client, "kejiwei", "wrong-password")
    assert response.status_code == 429 and "账户已锁定15分钟" in response.text
    # Even the right password is refused while locked, with the time to wait.
    response = _login(client, "kejiwei", "demo-password")
    assert response.status_code == 429 and "已锁定，请15分钟后再试" in response.text
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    user = db.session.scalar(select(User).where(User.login == "kejiwei"))
    assert user.locked_until > utcnow() + timedelta(minutes=14)
    user_id = user.id
    admin = browser("secadmin")  # 三员分立: accounts are the security administrator's
    form = admin.get(f"/users/{user_id}/edit").text
    assert "kejiwei" in form
    response = admin.post(f"/users/{user_id}/edit", {
        "login": "kejiwei", "display_name": "区科委联络员", "email": "kejiwei@example.gov.cn", "role": "unit",
        "unit_id": str(user.unit_id), "locale": "zh_CN", "is_active_user": "y", "password": "Reset2026abc"},
        token_from=f"/users/{user_id}/edit")
    assert response.status_code == 302
    user = db.session.get(User, user_id)
    assert user.locked_until is None and user.must_change_password
    assert _login(client, "kejiwei", "Reset2026abc").status_code == 302


def test_unknown_login_and_right_password_messages(seeded, client):
    assert "登录名或密码不正确" in _login(client, "nobody", "whatever1").text
    assert _login(client, "leader", "demo-password").status_code == 302


def test_failed_logins_per_address_are_limited(seeded, app, client):
    """Failures from one address, whatever the login, are refused once LOGIN_ADDRESS_MAX_FAILURES is
    reached within the window; the right password of another account too, with the time to wait."""
    app.config["LOGIN_ADDRESS_MAX_FAILURES"] = 3
    statuses = [_login(client, f"nobody{i}", "x").status_code for i in range(3)]
    assert statuses == [401, 401, 401]
    response = _login(client, "leader", "demo-password")
    assert response.status_code == 429 and "该地址登录失败次数过多，请15分钟后再试" in response.text
    assert int(response.headers["Retry-After"]) > 14 * 60


@pytest.mark.parametrize("password, message", [
    ("short1", "至少需要10个字符"),
    ("onlyletterspassword", "至少3类"),
    ("12345678901234", "至少3类"),
    ("Kejiwei2026abc", "过于简单"),
])
def test_password_rules(seeded, browser, password, message):
    unit = browser("kejiwei")
    response = unit.post("/account/password", {"current_password": "demo-password", "new_password": password,
                                              "confirm": password}, token_from="/account/password")
    assert response.status_code == 400 and message in response.text


def test_seeded_accounts_must_change_their_password_outside_debug_mode(seeded, app, browser):
    app.config["ENFORCE_PASSWORD_CHANGE"] = True
    unit = browser("kejiwei")
    response = unit.get("/tasks/mine")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    blocked = unit.post("/tasks/1/updates/new", {"period": "2026-06"}, token_from="/account/password")
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/account/password")
    response = unit.post("/account/password", {"current_password": "demo-password", "new_password": "Xicen2026plan",
                                              "confirm": "Xicen2026plan"}, token_from="/account/password")
    assert response.status_code == 302
    assert unit.get("/tasks/mine").status_code == 200
    user = db.session.scalar(select(User).where(User.login == "kejiwei"))
    assert not user.must_change_password and user.password_changed_at is not None
    app.debug = True  # make run: the demo stays usable with the demo password
    try:
        assert browser("jingwei").get("/tasks/mine").status_code == 200
    finally:
        app.debug = False


def test_security_headers_and_request_id(client):
    response = client.get("/login", headers={"X-Request-ID": "abc12345-trace"})
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-ID"] == "abc12345-trace"
    assert len(client.get("/login", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]) == 32
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_script_in_any_page(seeded, browser):
    import re

    coordinator = browser("coordinator")
    for url in ("/login", "/plans/", "/plans/1", "/tasks/1", "/reviews", "/overdue", "/units/", "/admin/outbox"):
        html = coordinator.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son(click|change|submit|load)=", html), url
        assert "http://" not in html.replace("http://127.0.0.1", "") or url == "/admin/outbox", url


def test_production_refuses_the_default_secret_and_debug(monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite://")
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    import importlib

    import tracker.config

    importlib.reload(tracker.config)
    try:
        with pytest.raises(RuntimeError, match="TRACKER_SECRET_KEY"):
            create_app()
        monkeypatch.setenv("TRACKER_SECRET_KEY", "x" * 40)
        monkeypatch.setenv("FLASK_DEBUG", "1")
        importlib.reload(tracker.config)
        with pytest.raises(RuntimeError, match="debug"):
            create_app()
        monkeypatch.delenv("FLASK_DEBUG")
        importlib.reload(tracker.config)
        app = create_app()
        assert app.config["SESSION_COOKIE_SECURE"] is True
    finally:
        monkeypatch.undo()
        importlib.reload(tracker.config)
