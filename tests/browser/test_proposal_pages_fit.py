"""The pages of 沟通协商, 承诺事项, the statistics and the published replies (issue 25, part c2) at 390 px (a
phone) and 1366 px (an office screen): no sideways scrolling, and a unit records a contact and answers a
promise again through the page itself."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS, log_in  # noqa: F401
from tests.proposals.c2_helpers import answer, item, unit_user
from tracker.extensions import db
from tracker.proposals.models import Proposal
from tracker.proposals.promises import add_promise

PHONE = {"width": 390, "height": 844}


def _screen(chromium, live_server, network_guard, login: str | None, width: int):
    options = dict(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True) if width == 390 else \
        dict(viewport={"width": width, "height": 768})
    context = chromium.new_context(locale="zh-CN", base_url=live_server, **options)
    context.route("**/*", network_guard.route)
    page = context.new_page()
    page.on("pageerror", lambda error: network_guard.page_errors.append(str(error)))
    if login:
        log_in(page, login)
    return context, page


def _fits(page, width: int, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") == width, name


@pytest.mark.parametrize("width", [390, 1366])
def test_contacts_promises_statistics_and_published_reply_fit(app, chromium, live_server, network_guard, width):
    proposal = item("0601", assigned_on=date(2026, 5, 4))
    answer(proposal, reply_on=date(2026, 6, 20), category="列入计划",
           reply_text="张三委员：\n您的提案收悉。我局将于2026年底前建成人才公寓二期。\n联系人：王小明\n联系电话：021-59730606")
    add_promise(unit_user("区人社局"), proposal, text="2026年底前建成人才公寓二期。",
                due_on=date(2026, 12, 31), today=date(2026, 6, 21))
    db.session.commit()
    proposal_id, login = proposal.id, unit_user("区人社局").login
    db.session.remove()
    context, page = _screen(chromium, live_server, network_guard, login, width)
    try:
        page.goto(f"/proposals/{proposal_id}")
        page.locator("#contacts ~ details summary").first.click()
        form = page.locator("#contact-form")
        form.locator("[name=contact_on]").fill("2026-05-08")
        form.locator("[name=way]").select_option("见面")
        form.locator("[name=stage]").select_option("before")
        form.locator("[name=unit_people]").fill("王科长")
        form.locator("[name=agreed]").fill("约定先建二期，年底前交付。")
        with page.expect_navigation():
            form.get_by_role("button", name="登记").click()
        expect(page.get_by_text("沟通情况已登记。")).to_be_visible()
        expect(page.locator("#pre-consultation")).to_contain_text("已按时办前面商")
        row = page.locator("tr.promise")
        row.locator("summary").click()
        row.locator("[name=text]").fill("人才公寓二期已交付。")
        row.locator("[name=answered_by]").fill("李局长")
        with page.expect_navigation():
            row.get_by_role("button", name="登记").click()
        expect(page.get_by_text("再次答复已登记，该承诺事项已兑现。")).to_be_visible()
        _fits(page, width, "proposal-contacts-promises")
    finally:
        context.close()
    context, page = _screen(chromium, live_server, network_guard, "leader", width)
    try:
        page.goto("/proposals/statistics")
        expect(page.locator("#definitions")).to_contain_text("见面率")
        _fits(page, width, "proposal-statistics")
    finally:
        context.close()
    context, page = _screen(chromium, live_server, network_guard, None, width)
    try:
        page.goto("/public/proposals")
        page.get_by_role("link", name=db.session.get(Proposal, proposal_id).title).click()
        page.wait_for_load_state("networkidle")
        expect(page.locator("#reply-text")).to_contain_text("我局将于2026年底前建成人才公寓二期。")
        expect(page.locator("#reply-text")).not_to_contain_text("王小明")
        _fits(page, width, "public-reply")
    finally:
        context.close()
    db.session.remove()
    assert db.session.scalar(select(Proposal.id).where(Proposal.id == proposal_id)) == proposal_id


def test_the_deadlines_list_shows_every_column_of_a_row_on_a_phone(app, chromium, live_server, network_guard):
    """/proposals/deadlines and the overdue list's proposal sections at 390 px: each late item is a card whose
    due date and days late are on screen, not cut off at the right edge of a table that scrolls sideways."""
    item("0602")  # assigned 2026-01-20: its reply is long overdue on the app's day
    db.session.commit()
    db.session.remove()
    context, page = _screen(chromium, live_server, network_guard, "coordinator", 390)
    try:
        page.goto("/proposals/deadlines")
        row = page.locator("#clock-overdue tr[data-proposal='第0602号'][data-kind='reply']")
        expect(row).to_contain_text("答复")
        for label in ("期限", "逾期"):
            cell = row.locator(f"td[data-label='{label}']")
            expect(cell).to_be_visible()
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (label, box)
        expect(row.locator("td[data-label='期限']")).to_contain_text("2026-")
        _fits(page, 390, "proposal-deadlines")
        page.goto("/overdue")
        for row, labels in ((page.locator("#overdue-proposals tr[data-proposal='第0602号']"), ("答复期限", "逾期工作日数")),
                            (page.locator("#overdue-obligations tr[data-proposal='第0602号']").first,
                             ("期限", "逾期工作日数"))):
            for label in labels:
                cell = row.locator(f"td[data-label='{label}']")
                expect(cell).to_be_visible()
                box = cell.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (label, box)
        _fits(page, 390, "overdue-proposals")
    finally:
        context.close()
