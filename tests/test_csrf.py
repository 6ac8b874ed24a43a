"""CSRF protection (Flask-WTF's CSRFProtect, on in TestConfig): every POST route refuses a request
without a token, or with a token of another session, with 400 and changes nothing.

Each POST route is posted by a role that may use it, with the form a real page sends: once without
``csrf_token`` and once with a valid token of another session of the same login.  Both must be 400
and leave every table, the evidence folder and the session (logged in, language) as they were.  Then
the same form with the session's own token must work, so the refusals are due to the token alone.
"""
from __future__ import annotations

import io
import re

import pytest

from tests.test_permissions import (FORMS, LOGINS, MADE, PDF, REDIRECTS, URLS, WRITE_METHODS, Actor,
                                    evidence_files, fingerprint, outcome, path_of, registered_routes,
                                    world)  # noqa: F401 (world is a fixture)

# POST route -> the role that posts it (one allowed to, see TABLE in test_permissions.py)
POSTERS = {
    "/login": "anonymous",
    "/logout": "admin",
    "/language/<code>": "admin",
    "/account/password": "leader",
    "/account/tokens": "coop_unit",
    "/account/tokens/<int:token_id>/revoke": "lead_unit",
    "/users/new": "security_admin",
    "/users/<int:user_id>/edit": "security_admin",
    "/users/<int:user_id>/sessions/end": "security_admin",
    "/plans/new": "coordinator",
    "/plans/<int:plan_id>/edit": "coordinator",
    "/plans/<int:plan_id>/groups/new": "coordinator",
    "/plans/<int:plan_id>/groups/<int:group_id>/edit": "coordinator",
    "/plans/<int:plan_id>/tasks/new": "admin",
    "/tasks/<int:task_id>/edit": "coordinator",
    "/units/new": "admin",
    "/units/<int:unit_id>/edit": "coordinator",
    "/units/<int:unit_id>/aliases": "admin",
    "/tasks/<int:task_id>/updates/new": "lead_unit",
    "/updates/<int:update_id>/resubmit": "coop_unit",
    "/updates/<int:update_id>/review": "coordinator",
    "/reviews/accept": "coordinator",
    "/plans/<int:plan_id>/indicators/new": "admin",
    "/indicators/<int:indicator_id>/edit": "coordinator",
    "/indicators/<int:indicator_id>/readings/new": "lead_unit",
    "/indicators/readings/<int:reading_id>/review": "coordinator",
    "/admin/outbox/<int:notification_id>/retry": "admin",
    "/plans/<int:plan_id>/reminders": "coordinator",
    "/admin/calendar": "coordinator",
    "/admin/webhooks/new": "coordinator",
    "/admin/webhooks/<int:webhook_id>/edit": "admin",
    "/admin/webhooks/<int:webhook_id>/test": "coordinator",
    "/admin/webhooks/<int:webhook_id>/delete": "admin",
    "/proposals/new": "admin",
    "/proposals/<int:proposal_id>/edit": "coordinator",
    "/proposals/<int:proposal_id>/commitments": "coordinator",
    "/proposals/<int:proposal_id>/receipt": "lead_unit",
    "/proposals/<int:proposal_id>/signed-reply": "lead_unit",
    "/rate/<token>": "anonymous",
    "/proposals/<int:proposal_id>/rating-links": "coordinator",
    "/proposals/<int:proposal_id>/assign": "coordinator",
    "/proposals/<int:proposal_id>/people": "coordinator",
    "/proposals/<int:proposal_id>/assignment": "coordinator",
    "/proposals/<int:proposal_id>/merge": "coordinator",
    "/proposals/<int:proposal_id>/merged-replies": "coordinator",
    "/proposals/import": "coordinator",
    "/proposals/<int:proposal_id>/contacts": "lead_unit",
    "/proposals/<int:proposal_id>/promises": "coordinator",
    "/proposals/<int:proposal_id>/promises/derive": "admin",
    "/proposals/<int:proposal_id>/promises/<int:promise_id>/answer": "lead_unit",
    "/proposals/<int:proposal_id>/co-opinion": "coop_unit",
    "/proposals/<int:proposal_id>/cosign-draft": "lead_unit",
    "/proposals/<int:proposal_id>/cosign": "coop_unit",
    "/proposals/<int:proposal_id>/extension": "lead_unit",
    "/proposals/extensions/<int:extension_id>/decide": "coordinator",
    "/proposals/<int:proposal_id>/key": "coordinator",
    "/proposals/<int:proposal_id>/supervision-note": "leader",
    "/imports/new": "coordinator",
    "/imports/<int:draft_id>": "admin",
    "/imports/<int:draft_id>/columns": "coordinator",
    "/imports/progress": "lead_unit",
    "/imports/<int:draft_id>/prose": "admin",
    "/imports/progress/units": "coordinator",
    "/receipts/<int:receipt_id>/sign": "lead_unit",
    "/tasks/<int:task_id>/reassign": "coordinator",
    "/tasks/<int:task_id>/extension/new": "lead_unit",
    "/tasks/<int:task_id>/closure/new": "lead_unit",
    "/extensions/<int:extension_id>/decide": "coordinator",
    "/closures/<int:closure_id>/decide": "admin",
    "/tasks/<int:task_id>/reopen": "coordinator",
    "/tasks/<int:task_id>/interviews": "admin",
    "/documents/<int:document_id>/reply": "lead_unit",
    "/documents/<int:document_id>/issue": "coordinator",
    "/documents/<int:document_id>/void": "admin",
    "/tasks/<int:task_id>/documents": "coordinator",
    "/plans/<int:plan_id>/ladder": "coordinator",
    "/bulletins": "coordinator",
    "/bulletins/<int:bulletin_id>/edit": "coordinator",
    "/bulletins/<int:bulletin_id>/issue": "admin",
    "/plans/<int:plan_id>/scoring": "coordinator",
}
WITH_FILE = {"/tasks/<int:task_id>/updates/new", "/updates/<int:update_id>/resubmit",
             "/indicators/<int:indicator_id>/readings/new"}
ROUTES = sorted(POSTERS)


def test_every_post_route_is_covered(app):
    """Every route that writes, except the JSON API: it takes bearer tokens only and ignores the session
    cookie, so a cross-site form cannot act there (CSRF-exempt; test_permissions checks that a session
    alone gets 401 on every API route)."""
    writing = {rule for rule, method in registered_routes(app) if method in WRITE_METHODS}
    assert {rule for rule in writing if not rule.startswith("/api/")} == set(POSTERS)


def form_for(world, rule: str, role: str) -> tuple[dict, dict]:
    data = FORMS[rule](world, role)
    if rule in WITH_FILE:
        data["evidence"] = (io.BytesIO(PDF), "佐证.pdf")
        return data, {"content_type": "multipart/form-data"}
    return data, {}


def session_state(actor: Actor) -> tuple[int, str, str]:
    """What the session holds that a forged POST could change: logged in or not, and the language."""
    page = actor.get("/plans/")
    if page.status_code == 302:
        page = actor.get("/login")
        return 302, re.search(r'<html lang="([^"]+)"', page.text).group(1), "anonymous"
    return page.status_code, re.search(r'<html lang="([^"]+)"', page.text).group(1), "logged in"


SESSION_ROUTES = {"/login", "/logout", "/language/<code>"}


@pytest.mark.parametrize("rule", ROUTES)
def test_post_needs_its_own_sessions_token(world, app, rule):
    role = POSTERS[rule]
    actor = world.actor(role)
    other_session = Actor(world.browser, role)  # same login, another browser
    url = URLS[rule](world, role)
    state, before, files = session_state(actor), fingerprint(), evidence_files(app)
    for label, token in (("no token", None), ("token of another session", other_session.token())):
        data, options = form_for(world, rule, role)
        response = actor.post(url, data, csrf=token, **options)
        assert response.status_code == 400, f"{label}: POST {url} as {role}"
        assert fingerprint() == before, label
        assert evidence_files(app) == files, label
        assert session_state(actor) == state, label
    # The same post with the session's own token works: the refusals above were the token's doing.
    data, options = form_for(world, rule, role)
    response = actor.post(url, data, **options)
    if outcome(rule, "POST", role) == MADE:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert re.fullmatch(REDIRECTS[(rule, "POST")](world, role), path_of(response))
    if rule in SESSION_ROUTES:
        assert fingerprint() == before
        assert session_state(actor) != state  # logged in, logged out, or switched to English
    else:
        assert fingerprint() != before
        assert session_state(actor) == state
    if rule in WITH_FILE or rule == "/proposals/<int:proposal_id>/signed-reply":  # 盖章答复函: its own file field
        assert len(evidence_files(app)) == len(files) + 1


def test_login_page_token_does_not_work_for_another_client(world):
    """A token scraped from the login page of one browser cannot log in another one."""
    victim, attacker = Actor(world.browser, "anonymous"), Actor(world.browser, "anonymous")
    token = attacker.token()
    response = victim.post("/login", {"login": LOGINS["admin"], "password": "demo-password"}, csrf=token)
    assert response.status_code == 400
    assert session_state(victim)[2] == "anonymous"
