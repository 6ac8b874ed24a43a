"""协办意见 and 会签, the clock and 重点提案 in Chromium (demo seed, 2026-06-30) at 1366 px and on a phone
(390 px): the 协办 会签s the draft with a reason from its phone, the 主办 sees it, the coordinator decides an
extension, and every page fits its screen (page width equals viewport). Screenshots under test-artifacts/."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import ARTIFACTS, log_in
from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.proposals.clock import request_extension
from tracker.proposals.cosign import send_draft, send_opinion
from tracker.proposals.handling import assign, sign
from tracker.proposals.key_items import mark_key
from tracker.proposals.models import Cosign, Proposal
from tracker.proposals.services import save_proposal
from tracker.units.models import Unit

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)
PHONE = {"width": 390, "height": 844}


def _user(**where) -> User:
    query = select(User)
    for name, value in where.items():
        query = query.where(getattr(User, name) == value)
    return db.session.scalar(query.order_by(User.id))


def _unit_user(short_name: str) -> User:
    unit_id = db.session.scalar(select(Unit.id).where(Unit.short_name == short_name))
    return _user(unit_id=unit_id, role=Role.unit)


def _item() -> int:
    """An item assigned 2026-05-04 to 区人社局 with 协办 区发改委, both signed; the 协办's opinion sent, the
    draft out for 会签, an extension asked for, a key item of the leader."""
    main = db.session.scalar(select(Unit.id).where(Unit.short_name == "区人社局"))
    co = db.session.scalar(select(Unit.id).where(Unit.short_name == "区发改委"))
    coordinator = _user(role=Role.coordinator)
    proposal = save_proposal(None, None, meeting="区政协十六届一次会议", number="0088",
                             title="关于建设西岑园人才公寓和配套公交线路的提案", main_unit_id=main,
                             assigned_on=date(2026, 5, 4))
    assign(coordinator, proposal, today=date(2026, 5, 4), main_unit_id=main, co_unit_ids=[co])
    sign(_unit_user("区人社局"), proposal, now=NOW)
    sign(_unit_user("区发改委"), proposal, now=NOW)
    send_opinion(_unit_user("区发改委"), proposal, "建议将公交线路纳入2026年线网优化计划，并同步规划首末站。", now=NOW)
    send_draft(_unit_user("区人社局"), proposal, "一、关于人才公寓建设\n二、关于公交线路", today=date(2026, 6, 26),
               now=NOW)
    request_extension(_unit_user("区人社局"), proposal, requested_due_on=date(2026, 9, 30),
                      reason="涉及用地指标调整，需市级部门协调。", now=NOW)
    mark_key(coordinator, proposal, leader_id=_user(login="leader").id, now=NOW)
    db.session.commit()
    proposal_id = proposal.id
    db.session.remove()
    return proposal_id


def _screen(chromium, live_server, network_guard, login: str, width: int):
    if width == PHONE["width"]:
        context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                       locale="zh-CN", base_url=live_server)
    else:
        context = chromium.new_context(viewport={"width": width, "height": 768}, locale="zh-CN",
                                       base_url=live_server)
    context.route("**/*", network_guard.route)
    page = context.new_page()
    page.on("pageerror", lambda error: network_guard.page_errors.append(str(error)))
    log_in(page, login)
    return context, page


def _fits(page, width: int, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") == width, name
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"proposal-c1-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_cosign_extension_and_key_item_pages_fit_the_screen(app, chromium, live_server, network_guard, width):
    proposal_id = _item()
    contexts = []
    try:
        # The 协办 disagrees with the draft, with a reason.
        context, page = _screen(chromium, live_server, network_guard, "fagaiwei", width)
        contexts.append(context)
        page.goto(f"/proposals/{proposal_id}")
        _fits(page, width, "co-unit")
        page.select_option("#cosign-decision", "disagree")
        page.fill("#cosign-reason", "第二条的线路走向需与交通委规划衔接。")
        with page.expect_navigation():
            page.locator("#cosign-form button[type=submit]").click()
        expect(page.get_by_text("已会签。")).to_be_visible()
        db.session.remove()
        assert db.session.scalar(select(Cosign.reason)) == "第二条的线路走向需与交通委规划衔接。"
        # The 主办 sees the opinion and the reason.
        context, page = _screen(chromium, live_server, network_guard, "rensheju", width)
        contexts.append(context)
        page.goto(f"/proposals/{proposal_id}")
        expect(page.locator("#co-opinions")).to_contain_text("同步规划首末站")
        expect(page.locator("#cosigns")).to_contain_text("第二条的线路走向需与交通委规划衔接。")
        _fits(page, width, "main-unit")
        # The coordinator approves the extension; the date becomes the reply's deadline.
        context, page = _screen(chromium, live_server, network_guard, "coordinator", width)
        contexts.append(context)
        page.goto("/proposals")
        _fits(page, width, "register")
        with page.expect_navigation():
            page.locator("#deadlines-link").click()
        _fits(page, width, "deadlines")
        page.goto(f"/proposals/{proposal_id}")
        page.fill("#extension-decision-form textarea[name=note]", "同意延期。")
        with page.expect_navigation():
            page.locator("#extension-decision-form button[type=submit]").click()
        expect(page.get_by_text("已批准延期。")).to_be_visible()
        _fits(page, width, "coordinator")
        db.session.remove()
        assert db.session.get(Proposal, proposal_id).reply_due_on == date(2026, 9, 30)
        # The leader writes the 督办意见 on the key item.
        context, page = _screen(chromium, live_server, network_guard, "leader", width)
        contexts.append(context)
        page.goto("/proposals?key=1")
        expect(page.locator("#proposals .key-item")).to_have_count(1)
        _fits(page, width, "register-key")
        page.goto(f"/proposals/{proposal_id}")
        page.fill("#supervision-note-text", "请两家单位当面沟通，7月底前报进展。")
        with page.expect_navigation():
            page.locator("#supervision-note-form button[type=submit]").click()
        expect(page.locator(".supervision-note")).to_contain_text("7月底前报进展")
        _fits(page, width, "leader")
    finally:
        for context in contexts:
            context.close()
    assert network_guard.page_errors == []
