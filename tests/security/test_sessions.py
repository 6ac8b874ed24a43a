"""Sessions that end (issue 22, tracker/auth/sessions.py): logout, a password change, deactivation, a
role change and the security administrator's 结束全部会话 each end a copied session at once; idle
timeout and absolute lifetime on the app's clock (moved, never slept)."""
from __future__ import annotations

from sqlalchemy import select

from tracker.api.services import create_token
from tracker.auth.models import LoginSession, User
from tracker.extensions import db
from tests.conftest import Browser, csrf_token_from

START = "2026-06-30T09:00"


def _copy(app, browser: Browser) -> Browser:
    """Another device replaying the very same session cookie (stolen, or copied from the browser's storage)."""
    cookie = browser.client.get_cookie("session")
    assert cookie is not None
    copy = Browser(app.test_client())
    copy.client.set_cookie("session", cookie.value, domain=cookie.domain)
    return copy


def _reads_my_tasks(browser: Browser) -> bool:
    response = browser.get("/tasks/mine")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    return False


def _user(login: str) -> User:
    db.session.remove()
    return db.session.scalar(select(User).where(User.login == login))


def _edit_user(security: Browser, login: str, **changes):
    user = _user(login)
    form = {"login": user.login, "display_name": user.display_name, "email": user.email, "role": user.role.value,
            "unit_id": str(user.unit_id or 0), "locale": user.locale, "is_active_user": "y", "password": ""}
    form.update(changes)
    form = {key: value for key, value in form.items() if value is not None}
    return security.post(f"/users/{user.id}/edit", form, token_from=f"/users/{user.id}/edit")


def test_logout_ends_the_copied_session_at_once(seeded, app, browser):
    unit = browser("kejiwei")
    copy = _copy(app, unit)
    other_device = browser("kejiwei")  # the same account logged in elsewhere, with its own session
    assert _reads_my_tasks(copy)
    response = unit.post("/logout", {}, token_from="/tasks/mine")
    assert response.status_code == 302
    assert not _reads_my_tasks(unit)
    assert not _reads_my_tasks(copy)  # the copied cookie replayed after logout is refused
    page = copy.get("/login").text
    assert "您的登录已失效，请重新登录。" in page
    assert _reads_my_tasks(other_device)  # logging out ends this session only


def test_password_change_ends_the_accounts_other_sessions(seeded, app, browser):
    unit, elsewhere = browser("kejiwei"), browser("kejiwei")
    copy = _copy(app, elsewhere)
    response = unit.post("/account/password", {"current_password": "demo-password", "new_password": "Xicen2026plan",
                                               "confirm": "Xicen2026plan"}, token_from="/account/password")
    assert response.status_code == 302
    assert _reads_my_tasks(unit)  # the device that changed the password stays logged in
    assert not _reads_my_tasks(elsewhere)
    assert not _reads_my_tasks(copy)
    assert Browser(app.test_client()).login("kejiwei", "Xicen2026plan")


def test_deactivation_ends_every_session_and_refuses_new_logins(seeded, app, browser):
    unit = browser("kejiwei")
    copy = _copy(app, unit)
    security = browser("secadmin")
    assert _edit_user(security, "kejiwei", is_active_user=None).status_code == 302
    assert not _user("kejiwei").is_active_user
    assert not _reads_my_tasks(unit)
    assert not _reads_my_tasks(copy)
    client = app.test_client()
    token = csrf_token_from(client.get("/login").text)
    response = client.post("/login", data={"login": "kejiwei", "password": "demo-password", "csrf_token": token})
    assert response.status_code == 401 and "该账户已停用" in response.text


def test_role_change_ends_every_session_at_once(seeded, app, browser):
    leader = browser("leader")
    copy = _copy(app, leader)
    assert copy.get("/overdue").status_code == 200
    security = browser("secadmin")
    assert _edit_user(security, "leader", role="coordinator").status_code == 302
    for device in (leader, copy):
        response = device.get("/overdue")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    # logging in again gives the new role's pages
    assert browser("leader").get("/reviews").status_code == 200


def test_a_plain_edit_keeps_the_session_and_end_all_sessions_ends_it(seeded, app, browser):
    unit = browser("kejiwei")
    security = browser("secadmin")
    assert _edit_user(security, "kejiwei", display_name="区科委联络员（新）").status_code == 302
    assert _reads_my_tasks(unit)  # a new display name does not log anybody out
    user_id = _user("kejiwei").id
    browser("kejiwei")  # a second device
    page = security.get(f"/users/{user_id}/edit").text
    assert "结束全部会话" in page and "当前有效会话：2个" in page
    response = security.post(f"/users/{user_id}/sessions/end", {}, token_from=f"/users/{user_id}/edit")
    assert response.status_code == 302
    assert not _reads_my_tasks(unit)
    assert "当前有效会话：0个" in security.get(f"/users/{user_id}/edit").text
    db.session.remove()
    assert db.session.scalar(select(LoginSession).where(LoginSession.user_id == user_id,
                                                        LoginSession.ended_at.is_(None))) is None


def test_api_tokens_are_separate(seeded, app, browser):
    user = _user("kejiwei")
    _token, secret = create_token(user, "报表同步")
    db.session.commit()
    unit = browser("kejiwei")
    unit.post("/logout", {}, token_from="/tasks/mine")
    response = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200


def test_idle_timeout_on_the_apps_clock(seeded, app, browser):
    app.config.update(NOW=START, SESSION_IDLE_MINUTES=30)
    unit = browser("kejiwei")
    copy = _copy(app, unit)
    app.config["NOW"] = "2026-06-30T09:29"  # 29 minutes later: still logged in, and the clock restarts
    assert _reads_my_tasks(unit)
    app.config["NOW"] = "2026-06-30T09:58"  # 29 minutes after that request
    assert _reads_my_tasks(unit)
    app.config["NOW"] = "2026-06-30T10:29"  # 31 minutes without a request
    response = unit.get("/tasks/mine")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "超过30分钟未操作，已自动退出" in unit.get("/login").text
    assert not _reads_my_tasks(copy)  # the old copy is idle for even longer


def test_absolute_lifetime_despite_activity(seeded, app, browser):
    app.config.update(NOW=START, SESSION_IDLE_MINUTES=30)
    unit = browser("kejiwei")
    for hour in range(9, 17):  # a request every 20 minutes from 09:00 to 16:40
        for minute in (0, 20, 40):
            app.config["NOW"] = f"2026-06-30T{hour:02d}:{minute:02d}"
            assert _reads_my_tasks(unit), app.config["NOW"]
    app.config["NOW"] = "2026-06-30T17:00:01"  # 8 hours after the login (TRACKER_SESSION_HOURS)
    assert not _reads_my_tasks(unit)
    assert "登录已超过8小时" in unit.get("/login").text
