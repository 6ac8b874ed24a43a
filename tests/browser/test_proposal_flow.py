"""An item from entry to 重新办理 in Chromium (demo seed, 2026-06-30): at 1366 px the coordinator registers an
item, its two proposers and its points, and assigns it (交办) to a 主办 and a 协办; the 主办 unit signs; the
coordinator records the reply and makes the rating links; on a phone (390 px) the proposer opens the personal
link and rates 不满意; the item is back in handling (重新办理). The pages fit the phone's width.

Screenshots are kept in /tmp (proposal-*.png) for a person to look at."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import log_in
from tracker.extensions import db
from tracker.proposals.models import Proposal, ProposalState
from tracker.units.models import Unit

DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp")


def _context(chromium, live_server, network_guard, viewport, phone=False):
    options = dict(viewport=viewport, locale="zh-CN", base_url=live_server)
    if phone:
        options.update(device_scale_factor=2, is_mobile=True, has_touch=True)
    context = chromium.new_context(**options)
    context.route("**/*", network_guard.route)
    page = context.new_page()
    page.on("pageerror", lambda error: network_guard.page_errors.append(str(error)))
    return context, page


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _shoot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"proposal-{name}.png"), full_page=True)


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_a_coordinator_shapes_an_item_and_the_proposer_rates_it_on_a_phone(app, chromium, live_server,
                                                                             network_guard):
    from seeds.load_proposal_flow import load_proposal_flow

    load_proposal_flow()  # the demo's items of the flow (the suite's ``seeded`` leaves them out)
    db.session.commit()
    units = {unit.short_name: unit.id for unit in db.session.scalars(select(Unit))}
    merged_into = db.session.scalar(select(Proposal.id).where(Proposal.number == "第0103号"))  # seeded 并案
    db.session.remove()
    desk_context, desk = _context(chromium, live_server, network_guard, DESK)
    unit_context, unit_page = _context(chromium, live_server, network_guard, DESK)
    phone_context, phone = _context(chromium, live_server, network_guard, PHONE, phone=True)
    try:
        log_in(desk, "coordinator")
        # 登记: the item itself
        desk.goto("/proposals/new")
        desk.select_option("#kind", "cppcc")
        desk.fill("#meeting", "区政协六届五次会议")
        desk.fill("#number", "0150")
        desk.fill("#title", "关于建设西岑园区共享实验室的提案")
        desk.select_option("#main_unit_id", label="区科委")
        desk.fill("#assigned_on", "2026-06-30")
        _shoot(desk, "new-1366")
        _submit(desk, "#submit")
        assert re.search(r"/proposals/\d+$", desk.url), desk.url
        proposal_id = int(desk.url.rsplit("/", 1)[1])
        expect(desk.locator("#points")).to_contain_text("尚未登记要点")
        # the proposers as people, and the points
        _submit(desk, "#entry-people-link")
        expect(desk.locator("h1")).to_have_text("登记委员和要点")
        desk.fill("#name-1", "张敏")
        desk.fill("#group-1", "科学技术界")
        desk.fill("#contact-1", "13800003001")
        desk.fill("#name-2", "刘洋")
        desk.fill("#group-2", "经济界")
        desk.fill("#points", "由园区统筹建设共享实验室\n向中小企业开放大型仪器")
        _shoot(desk, "people-1366")
        _submit(desk, "#people-form [type=submit]")
        expect(desk.locator("#proposers")).to_contain_text("张敏")
        expect(desk.locator("#proposers")).to_contain_text("领衔")
        expect(desk.locator("#points li")).to_have_count(2)
        # 交办 to 区科委 (主办) and 区数据局 (协办)
        _submit(desk, "#entry-assign-link")
        desk.check("#mode-0")
        desk.select_option("#main_unit_id", label="区科委")
        desk.check(f"#co_unit_ids-{units['区数据局']}")
        _shoot(desk, "assign-1366")
        _submit(desk, "#assign-units-form [type=submit]")
        receipts = desk.locator("#receipts")
        expect(receipts).to_contain_text("区科委")
        expect(receipts).to_contain_text("区数据局")
        expect(receipts).to_contain_text("待签收")
        assert _width(desk) == DESK["width"]

        # the 主办 unit signs
        log_in(unit_page, "kejiwei")
        unit_page.goto(f"/proposals/{proposal_id}")
        _submit(unit_page, "#receipt-form button[name=sign]")
        expect(unit_page.locator(".alert-success")).to_contain_text("已签收")

        # the reply is recorded (已答复, result class) and the rating links made
        desk.goto(f"/proposals/{proposal_id}/edit")
        desk.select_option("#state", "replied")
        desk.fill("#reply_on", "2026-06-30")
        desk.select_option("#result_category", "解决采纳")
        desk.fill("#reply_text", "一、关于共享实验室。已列入园区建设计划。\n二、关于开放仪器。已向中小企业开放。")
        _submit(desk, "#submit")
        expect(desk.locator("#state")).to_have_text("已答复")
        _submit(desk, "#rating-links-form [type=submit]")
        flashes = desk.locator(".alert-success").all_inner_texts()
        links = dict(re.findall(r"(\S+?)的评价链接.*?(/rate/[\w-]+)", "\n".join(flashes)))
        assert set(links) == {"张敏", "刘洋"}, flashes
        _shoot(desk, "detail-1366")

        # on a phone, the proposer opens the personal link and rates 不满意
        phone.goto(links["张敏"])
        expect(phone.locator("h1")).to_have_text("对答复的评价")
        expect(phone.locator("body")).to_contain_text("张敏委员")
        assert _width(phone) == PHONE["width"]
        _shoot(phone, "rate-390")
        phone.check("input[value=不满意]")
        _submit(phone, "#rating-form [type=submit]")
        expect(phone.locator("#rated")).to_be_visible()

        # the item is back with the unit: 重新办理
        desk.goto(f"/proposals/{proposal_id}")
        expect(desk.locator("#state")).to_have_text("办理中")
        expect(desk.locator("#rehandling")).to_contain_text("重新办理（第1次）")
        expect(desk.locator("body")).to_contain_text("张敏 评价为“不满意”，退回重新办理（第1次）")
        db.session.remove()
        proposal = db.session.get(Proposal, proposal_id)
        assert (proposal.state, proposal.rehandling_count) == (ProposalState.replying, 1)

        # the coordinator's pages on a phone fit its width
        log_in(phone, "coordinator")
        for url, name in (("/proposals", "list-390"), (f"/proposals/{proposal_id}", "detail-390"),
                          (f"/proposals/{proposal_id}/people", "people-390"),
                          (f"/proposals/{proposal_id}/assignment", "assign-390"),
                          ("/proposals/import", "import-390"), (f"/proposals/{merged_into}", "merged-390")):
            phone.goto(url)
            _shoot(phone, name)
            assert _width(phone) == PHONE["width"], url
        assert network_guard.page_errors == []
    finally:
        for context in (desk_context, unit_context, phone_context):
            context.close()
