"""等保 level 3 controls (issue 22): 三员分立, the password policy, the login log, the append-only audit log.

The three administrators of the demo seed: ``admin`` (系统管理员: plans, units, settings), ``secadmin``
(安全管理员: accounts and roles only), ``auditor`` (审计管理员: alone reads the audit log and the login log)."""
from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text, update

from tracker.audit.append_only import AuditLogIsAppendOnly
from tracker.audit.models import AuditEvent
from tracker.auth.models import LoginEvent, LoginOutcome, User
from tracker.common.clock import utcnow
from tracker.extensions import db
from tests.conftest import Browser, csrf_token_from, is_postgres
from tests.test_permissions import fingerprint

# Each administrator's own pages, and the proof that the others' are refused.
SYSTEM_PAGES = ["/plans/new", "/units/new", "/admin/calendar", "/admin/outbox", "/admin/webhooks/", "/imports/"]
SECURITY_PAGES = ["/users", "/users/new"]
AUDIT_PAGES = ["/audit/", "/audit/logins"]
BUSINESS_PAGES = ["/plans/", "/tasks/1", "/overdue", "/dashboard", "/reviews", "/search?q=算力", "/account/tokens"]

ROWS = [
    # login        may open                      refused (403)
    ("admin", SYSTEM_PAGES, SECURITY_PAGES + AUDIT_PAGES),
    ("secadmin", SECURITY_PAGES, SYSTEM_PAGES + AUDIT_PAGES + BUSINESS_PAGES),
    ("auditor", AUDIT_PAGES, SYSTEM_PAGES + SECURITY_PAGES + BUSINESS_PAGES),
]


@pytest.mark.parametrize("login, allowed, refused", ROWS, ids=[row[0] for row in ROWS])
def test_each_administrator_is_refused_the_others_pages(seeded, browser, login, allowed, refused):
    admin = browser(login)
    assert {url: admin.get(url).status_code for url in allowed} == {url: 200 for url in allowed}
    assert {url: admin.get(url).status_code for url in refused} == {url: 403 for url in refused}


def test_each_administrator_is_refused_the_others_writes(seeded, browser):
    system, security, audit = browser("admin"), browser("secadmin"), browser("auditor")
    kejiwei = db.session.scalar(select(User).where(User.login == "kejiwei"))
    user_form = {"login": "kejiwei", "display_name": "改名", "email": "", "role": "leader", "unit_id": "0",
                 "locale": "zh_CN", "is_active_user": "y", "password": ""}
    unit_form = {"name": "测试单位", "short_name": "测试", "kind": "other", "parent_id": "0", "contact_person": "",
                 "notification_emails": "", "phone": ""}
    before = fingerprint()
    token = csrf_token_from(system.get("/plans/").text)
    assert system.client.post(f"/users/{kejiwei.id}/edit", data={**user_form, "csrf_token": token}).status_code == 403
    assert system.client.post(f"/users/{kejiwei.id}/sessions/end", data={"csrf_token": token}).status_code == 403
    for other in (security, audit):
        token = csrf_token_from(other.get("/account/password").text)
        assert other.client.post("/units/new", data={**unit_form, "csrf_token": token}).status_code == 403
        assert other.client.post("/plans/new", data={"title": "x", "csrf_token": token}).status_code == 403
    token = csrf_token_from(audit.get("/audit/").text)
    assert audit.client.post("/users/new", data={**user_form, "login": "x1", "csrf_token": token}).status_code == 403
    assert fingerprint() == before
    # a security administrator cannot raise or drop their own role either
    me = db.session.scalar(select(User).where(User.login == "secadmin"))
    response = security.post(f"/users/{me.id}/edit", {**user_form, "login": "secadmin", "display_name": "安全管理员",
                                                      "role": "admin"}, token_from=f"/users/{me.id}/edit")
    assert response.status_code == 200 and "不能修改自己的角色" in response.text
    assert fingerprint() == before


def test_the_menu_and_start_page_of_each_administrator(seeded, browser):
    assert browser("secadmin").get("/").headers["Location"] == "/users"
    assert browser("auditor").get("/").headers["Location"] == "/audit/"
    menu = browser("auditor").get("/audit/").text
    assert "审计日志" in menu and "登录日志" in menu and 'href="/plans/"' not in menu and 'href="/users"' not in menu


# --- password policy ---------------------------------------------------------------------------------------

def _change(browser: Browser, current: str, new: str):
    return browser.post("/account/password", {"current_password": current, "new_password": new, "confirm": new},
                        token_from="/account/password")


@pytest.mark.parametrize("password, message", [
    ("Ab1!", "密码至少需要10个字符"),
    ("alllowercase1", "至少3类"),  # two classes: lower-case letters and digits
    ("NOLOWER-CASE", "至少3类"),  # upper-case letters and symbols
    ("Kejiwei-2026", "过于简单"),  # contains the login
])
def test_password_policy_refuses_weak_passwords(seeded, browser, password, message):
    unit = browser("kejiwei")
    response = _change(unit, "demo-password", password)
    assert response.status_code == 400 and message in response.text
    assert "至少10位" in unit.get("/account/password").text  # the policy is stated on the form


def test_password_policy_is_configurable(seeded, app, browser):
    app.config.update(PASSWORD_MIN_LENGTH=14, PASSWORD_MIN_CLASSES=4)
    unit = browser("kejiwei")
    assert "至少需要14个字符" in _change(unit, "demo-password", "Xicen2026plan").text
    assert "至少4类" in _change(unit, "demo-password", "Xicen2026planning").text
    assert _change(unit, "demo-password", "Xicen-2026-planning").status_code == 302


def test_none_of_the_last_five_passwords_again(seeded, browser):
    unit = browser("kejiwei")
    passwords = [f"Xicen-2026-no{n}" for n in range(1, 7)]
    current = "demo-password"
    for password in passwords[:5]:
        assert _change(unit, current, password).status_code == 302, password
        current = password
    for reused in passwords[:5]:  # each of the last five, the current one included
        response = _change(unit, current, reused)
        assert response.status_code == 400
        assert "不能与当前密码相同" in response.text or "不能与最近5次使用过的密码相同" in response.text
    assert _change(unit, current, passwords[5]).status_code == 302
    current = passwords[5]
    # the first of them is now the sixth-last: allowed again
    assert _change(unit, current, passwords[0]).status_code == 302


def test_an_expired_password_must_be_changed_first(seeded, app, browser):
    app.config.update(ENFORCE_PASSWORD_CHANGE=True, PASSWORD_MAX_AGE_DAYS=90)
    db.session.execute(update(User).values(must_change_password=False))
    db.session.execute(update(User).where(User.login == "kejiwei").values(password_changed_at=utcnow() - timedelta(days=91)))
    db.session.execute(update(User).where(User.login == "jingwei").values(password_changed_at=utcnow() - timedelta(days=89)))
    db.session.commit()
    assert browser("jingwei").get("/tasks/mine").status_code == 200  # 89 days: still valid
    unit = browser("kejiwei")
    response = unit.get("/tasks/mine")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    assert "密码已过期，请设置新密码。" in unit.get("/account/password").text
    assert _change(unit, "demo-password", "Xicen-2026-fresh").status_code == 302
    assert unit.get("/tasks/mine").status_code == 200


# --- the login log ----------------------------------------------------------------------------------------

def _login(client, login, password, agent="Mozilla/5.0 (等保测试)", address="192.0.2.7"):
    token = csrf_token_from(client.get("/login").text)
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token},
                       headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": address})


def test_login_log_records_success_failure_lock_and_logout(seeded, app):
    client = app.test_client()
    assert _login(client, "jingwei", "demo-password").status_code == 302
    token = csrf_token_from(client.get("/tasks/mine").text)
    assert client.post("/logout", data={"csrf_token": token}, headers={"User-Agent": "Mozilla/5.0 (等保测试)"},
                       environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 302
    attacker = app.test_client()
    for n in range(5):
        _login(attacker, "kejiwei", f"guess-{n}", agent="curl/8.0", address="198.51.100.66")
    _login(attacker, "kejiwei", "demo-password", agent="curl/8.0", address="198.51.100.66")
    _login(attacker, "nobody", "x", agent="curl/8.0", address="198.51.100.66")
    db.session.remove()
    rows = [(e.login, e.outcome, e.address, e.user_agent) for e in db.session.scalars(
        select(LoginEvent).order_by(LoginEvent.id))]
    assert rows == [
        ("jingwei", LoginOutcome.success, "192.0.2.7", "Mozilla/5.0 (等保测试)"),
        ("jingwei", LoginOutcome.logout, "192.0.2.7", "Mozilla/5.0 (等保测试)"),
        *[("kejiwei", LoginOutcome.failure, "198.51.100.66", "curl/8.0")] * 4,
        ("kejiwei", LoginOutcome.locked, "198.51.100.66", "curl/8.0"),
        ("kejiwei", LoginOutcome.blocked, "198.51.100.66", "curl/8.0"),
        ("nobody", LoginOutcome.failure, "198.51.100.66", "curl/8.0"),
    ]
    # the audit administrator reads it (filtered), nobody else
    auditor = Browser(app.test_client()).login("auditor")
    page = auditor.get("/audit/logins?outcome=locked").text
    assert page.count('class="login-event"') == 1 and "198.51.100.66" in page and "curl/8.0" in page
    page = auditor.get("/audit/logins").text
    assert "账户锁定" in page and "登录失败" in page and "登录成功" in page and "退出" in page
    assert Browser(app.test_client()).login("admin").get("/audit/logins").status_code == 403


def test_login_log_is_paginated(seeded, app):
    db.session.add_all([LoginEvent(login=f"user{n}", outcome=LoginOutcome.failure, address="192.0.2.1",
                                   user_agent="x") for n in range(120)])
    db.session.commit()
    auditor = Browser(app.test_client()).login("auditor")
    first, third = auditor.get("/audit/logins").text, auditor.get("/audit/logins?page=3").text
    assert first.count('class="login-event"') == 50 and third.count('class="login-event"') == 21  # + auditor's own
    assert "1 / 3" in first


# --- the audit log: append-only through the app -----------------------------------------------------------

def test_audit_log_cannot_be_changed_or_deleted_through_the_app(seeded, browser):
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id))
    event.summary = "篡改"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AuditEvent).order_by(AuditEvent.id)))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(delete(AuditEvent))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(update(AuditEvent).values(summary="篡改"))
    db.session.rollback()
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert count > 0 and db.session.scalar(select(func.count()).where(AuditEvent.summary == "篡改")) == 0
    # the audit administrator reads it, with the raw action codes beside the sentences
    page = browser("auditor").get("/audit/?action=user.").text
    assert "user.created" in page and "新建了用户" in page
    assert browser("admin").get("/audit/").status_code == 403
    assert browser("secadmin").get("/audit/").status_code == 403


def test_postgresql_trigger_refuses_changes_from_any_client(app, seeded):
    """The migration's trigger (PostgreSQL only): even SQL typed by hand cannot change or delete events."""
    if not is_postgres(app):
        pytest.skip("the trigger exists on PostgreSQL only; SQLite relies on the app's guard")
    migration = importlib.import_module("migrations.versions.20261206_e7a2c4d81f35_sessions_login_log_three_admins")
    with db.engine.begin() as connection:
        connection.execute(text(migration.APPEND_ONLY_FUNCTION))
        connection.execute(text("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
                                "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"))
    try:
        for statement in ("UPDATE audit_events SET summary = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(Exception, match="append-only"):
                with db.engine.begin() as connection:
                    connection.execute(text(statement))
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
            connection.execute(text("DROP FUNCTION audit_events_append_only()"))
