"""How the pages look where people use them (Chromium, demo seed, 2026-06-30): a unit's phone in the
WeCom/DingTalk in-app browser (390 px), the English menu on an office screen (1366 px), and the
confirmation before 放弃 on the import review, which the app's CSP must not block.

Screenshots are kept under test-artifacts/ (phone-*.png, menu-en-1366.png) for a person to look at."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import ARTIFACTS, JOURNEY_DAY, log_in
from tracker.extensions import db
from tracker.imports.drafts import create_draft
from tracker.imports.models import DraftState, ImportDraft
from tracker.tasks.models import Task

PHONE = {"width": 390, "height": 844}
XICEN = Path(__file__).resolve().parents[2] / "seeds" / "documents" / "xicen-action-plan-2025-2026.txt"


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _phone(chromium, live_server, network_guard, login: str):
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                   locale="zh-CN", base_url=live_server)
    context.route("**/*", network_guard.route)
    page = context.new_page()
    page.on("pageerror", lambda error: network_guard.page_errors.append(str(error)))
    log_in(page, login)
    return context, page


def _shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_unit_and_a_coordinator_use_four_pages_on_a_phone(app, chromium, live_server, network_guard):
    task = db.session.scalar(select(Task).where(Task.number == "7"))  # led by 区经委 (jingwei)
    task_id = task.id
    db.session.remove()

    context, unit = _phone(chromium, live_server, network_guard, "jingwei")
    try:
        # The menu is collapsed behind the toggler: the bar is one line, not 300-400 px of links.
        unit.goto("/tasks/mine")
        bar = unit.locator("nav.navbar")
        assert bar.bounding_box()["height"] < 80
        toggler = bar.locator(".navbar-toggler")
        expect(toggler).to_be_visible()
        expect(bar.get_by_role("button", name="任务", exact=True)).to_be_hidden()
        assert _page_width(unit) == PHONE["width"]
        # 我的任务: each task a card; its name reads on a line, and 报送进展 is on the screen.
        title = unit.locator("td[data-label='任务']").first
        assert title.bounding_box()["width"] > 300  # the name has the width of the screen, not one character a line
        report = unit.get_by_role("link", name="报送进展").first
        box = report.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 40
        _shoot(unit, "phone-my-tasks")
        toggler.click()
        expect(bar.get_by_role("button", name="任务", exact=True)).to_be_visible()
        _shoot(unit, "phone-menu-open")

        # The task page: due date and progress come before the reports and the history.
        unit.goto(f"/tasks/{task_id}")
        assert _page_width(unit) == PHONE["width"]
        facts = unit.locator(".task-facts").bounding_box()
        history = unit.get_by_role("heading", name="进展报送记录").bounding_box()
        trail = unit.get_by_role("heading", name="操作留痕").bounding_box()
        assert facts["y"] < history["y"] < trail["y"]
        assert facts["y"] < PHONE["height"]  # on the first screen
        expect(unit.locator(".task-facts")).to_contain_text("完成时限")
        _shoot(unit, "phone-task")

        # The report form.
        unit.goto(f"/tasks/{task_id}/updates/new")
        assert _page_width(unit) == PHONE["width"]
        submit = unit.locator("form [type=submit]").last.bounding_box()
        assert submit["x"] + submit["width"] <= PHONE["width"]
        _shoot(unit, "phone-update-form")
    finally:
        context.close()

    context, coordinator = _phone(chromium, live_server, network_guard, "coordinator")
    try:
        for path, name in (("/overdue", "phone-overdue"), ("/reviews", "phone-reviews")):
            coordinator.goto(path)
            assert _page_width(coordinator) == PHONE["width"], path
            _shoot(coordinator, name)
        coordinator.goto("/overdue")
        task_cell = coordinator.locator("#overdue-table td[data-label='任务']").first
        assert task_cell.bounding_box()["width"] > 300  # the name has the width of the screen
    finally:
        context.close()
    assert network_guard.page_errors == []


def test_the_english_menu_is_one_line_at_1366(app, chromium, live_server, network_guard):
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="en-US", base_url=live_server)
    context.route("**/*", network_guard.route)
    try:
        page = context.new_page()
        for login in ("admin", "coordinator"):  # the two longest menus
            log_in(page, login)
            page.locator("nav.navbar").get_by_role("button", name="English").click()
            page.wait_for_load_state("networkidle")
            bar = page.locator("nav.navbar")
            for group in ("Tasks", "Supervision", "Statistics", "Admin"):
                expect(bar.get_by_role("button", name=group, exact=True)).to_be_visible()
            tops = {round(box["y"]) for box in bar.locator(".navbar-nav > .nav-item, .navbar-brand, .duban-search, "
                                                             ".duban-account").evaluate_all(
                "items => items.map(item => item.getBoundingClientRect().toJSON())")}
            assert bar.bounding_box()["height"] < 70, f"the menu wraps for {login}"
            assert max(tops) - min(tops) < 20, f"the menu wraps for {login}: rows at {sorted(tops)}"
            assert "Duban Duban" not in bar.inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"menu-en-1366-{login}.png"))
            page.locator("nav.navbar").get_by_role("button", name="中文").click()
            page.wait_for_load_state("networkidle")
            page.locator("nav.navbar").get_by_role("button", name="退出").click()
            page.wait_for_load_state("networkidle")
    finally:
        context.close()


def test_discarding_an_import_draft_asks_first_and_cancelling_keeps_it(app, open_page, network_guard):
    draft = create_draft(None, "plan", None, text=XICEN.read_text(encoding="utf-8"))
    db.session.commit()
    draft_id = draft.id
    db.session.remove()

    page = open_page("coordinator")
    csp_violations = []
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"/imports/{draft_id}")
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="放弃").click()
    page.wait_for_load_state("networkidle")
    assert asked == ["确定放弃该草稿？不会创建任何内容。"]
    assert db.session.get(ImportDraft, draft_id).state == DraftState.draft  # cancelled: kept
    db.session.remove()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="放弃").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("已放弃该导入草稿，未创建任何内容。")).to_be_visible()
    assert db.session.get(ImportDraft, draft_id).state == DraftState.discarded
    assert csp_violations == [] and network_guard.page_errors == []


def test_cooperating_units_are_ticked_in_a_filtered_checkbox_list_without_ctrl_click(app, open_page, network_guard):
    task = db.session.scalar(select(Task).where(Task.number == "7"))
    task_id = task.id
    before = {unit.short_name for unit in task.cooperating_units}
    db.session.remove()

    page = open_page("coordinator")
    page.goto(f"/tasks/{task_id}/edit")
    expect(page.locator("select[name=cooperating_unit_ids]")).to_have_count(0)  # no native multi-select
    checklist = page.locator("#cooperating_unit_ids[data-checklist]")
    for name in before:
        expect(checklist.get_by_label(name, exact=True)).to_be_checked()
    checklist.locator(".checklist-filter").fill("数据")
    visible = checklist.locator(".checklist-item:visible")
    expect(visible).to_have_count(1)
    expect(visible).to_contain_text("区数据局")
    checklist.get_by_label("区数据局", exact=True).check()  # a plain tap, nothing else unticks
    checklist.locator(".checklist-filter").fill("")
    expect(checklist.locator(".checklist-count")).to_have_text(f"已选{len(before) + 1}个")
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/tasks/{task_id}")
    task = db.session.get(Task, task_id)
    assert {unit.short_name for unit in task.cooperating_units} == before | {"区数据局"}
    assert network_guard.page_errors == []


def test_the_plan_page_fits_a_phone_with_its_toolbar_readable(app, chromium, live_server, network_guard):
    """/plans/<id> at 390 px (issue 21: it was 422 px wide, its toolbar wrapped one character a line and
    新建任务 fell off the screen)."""
    from tracker.plans.models import Plan

    plan_id = db.session.scalar(select(Plan.id).where(Plan.doc_number == "青府发〔2025〕40号"))
    db.session.remove()
    context, page = _phone(chromium, live_server, network_guard, "coordinator")
    try:
        page.goto(f"/plans/{plan_id}")
        _shoot(page, "phone-plan")
        assert _page_width(page) == PHONE["width"]
        for name in ("任务台账", "督办规则", "新建任务"):
            button = page.get_by_role("link", name=name, exact=True)
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
            assert box["height"] < 60, f"{name} wraps: {box}"  # one line, not one character a line
            assert box["width"] > box["height"], name
    finally:
        context.close()
    assert network_guard.page_errors == []


def test_issuing_a_bulletin_asks_first_and_cancelling_keeps_the_draft(app, open_page, network_guard):
    """编号印发 takes a number from the year's sequence for good: the button asks before it does."""
    from tracker.auth.models import User
    from tracker.bulletins.models import Bulletin
    from tracker.bulletins.services import draft_bulletin

    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    bulletin = draft_bulletin(coordinator, month_key="2026-06", today=JOURNEY_DAY)
    db.session.commit()
    bulletin_id = bulletin.id
    db.session.remove()

    page = open_page("coordinator")
    page.goto(f"/bulletins/{bulletin_id}")
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("#issue-form [type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert asked and "不能再修改或撤回" in asked[0]
    assert not db.session.get(Bulletin, bulletin_id).is_issued  # cancelled: still a draft, no number taken
    db.session.remove()

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("#issue-form [type=submit]").click()
    expect(page.locator("#bulletin-number")).to_be_visible()
    assert db.session.get(Bulletin, bulletin_id).is_issued
    assert network_guard.page_errors == []


def _screen(chromium, live_server, network_guard, login: str, width: int):
    if width == PHONE["width"]:
        return _phone(chromium, live_server, network_guard, login)
    context = chromium.new_context(viewport={"width": width, "height": 768}, locale="zh-CN", base_url=live_server)
    context.route("**/*", network_guard.route)
    page = context.new_page()
    page.on("pageerror", lambda error: network_guard.page_errors.append(str(error)))
    log_in(page, login)
    return context, page


def _inside(page, locator, width: int) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box


@pytest.mark.parametrize("width", [390, 1366])
def test_the_ladder_form_and_the_queue_to_issue_fit_the_screen(app, chromium, live_server, network_guard, width):
    """督办规则: recipients are labelled checkboxes and the 印发方式 two labelled choices; set to 待印发, the
    ladder's documents wait in the 工作台's queue, previewed and issued (after a confirmation) there."""
    from datetime import datetime

    from tracker.common.workdays import BEIJING
    from tracker.plans.models import Plan
    from tracker.reminders.scan import run_scan
    from tracker.supervision.models import DocumentState, SupervisionDocument

    plan_id = db.session.scalar(select(Plan.id).order_by(Plan.id))
    db.session.remove()
    context, page = _screen(chromium, live_server, network_guard, "coordinator", width)
    try:
        page.goto(f"/plans/{plan_id}/ladder")
        assert _page_width(page) == width
        level3 = page.locator("fieldset.ladder-level[data-level='3']")
        for name in ("单位联系人", "单位负责人", "分管领导", "督办人员"):
            _inside(page, level3.get_by_label(name), width)
        expect(level3.get_by_label("单位联系人")).to_be_checked()
        expect(level3.get_by_label("单位联系人")).to_be_disabled()  # the unit always hears
        expect(level3.get_by_label("分管领导")).to_be_checked()
        expect(page.locator("input[type=text][name$=_recipients]")).to_have_count(0)  # no codes to type
        page.locator("fieldset.ladder-level[data-level='4']").get_by_label("督办人员").check()
        page.get_by_label("待印发：进入工作台的待印发队列，督办人员预览后印发").check()
        _shoot(page, f"ladder-form-{width}")
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state("networkidle")
        expect(page.get_by_text("督办规则已保存。")).to_be_visible()
        expect(page.get_by_label("待印发：进入工作台的待印发队列，督办人员预览后印发")).to_be_checked()
        expect(page.locator("fieldset.ladder-level[data-level='4']").get_by_label("督办人员")).to_be_checked()

        run_scan(datetime(2026, 6, 30, 9, 30, tzinfo=BEIJING))  # the ladder proposes its documents
        db.session.commit()
        proposed = list(db.session.scalars(select(SupervisionDocument.id).where(
            SupervisionDocument.state == DocumentState.proposed)))
        db.session.remove()
        assert proposed

        page.goto("/")
        item = page.locator("a.workbench-item[href='/documents?state=proposed']")
        expect(item).to_have_attribute("data-count", str(len(proposed)))
        item.click()
        page.wait_for_load_state("networkidle")
        assert _page_width(page) == width
        row = page.locator(f"tr[data-document='{proposed[0]}']")
        _inside(page, row.get_by_role("button", name="印发"), width)  # a card per document on a phone
        _inside(page, row.get_by_role("link", name="预览"), width)
        _shoot(page, f"queue-to-issue-{width}")
        row.get_by_role("link", name="预览").click()
        page.wait_for_load_state("networkidle")
        assert _page_width(page) == width
        expect(page.locator("#document-text")).to_contain_text("请你单位高度重视")
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        issue = page.get_by_role("button", name="印发", exact=True)
        _inside(page, issue, width)
        issue.click()
        page.wait_for_load_state("networkidle")
        assert asked and "确定印发" in asked[0]
        expect(page.locator("#document-number")).to_contain_text("〔2026〕")
        document = db.session.get(SupervisionDocument, proposed[0])
        assert document.state == DocumentState.issued and document.serial is not None
        db.session.remove()
        assert network_guard.page_errors == [] and network_guard.outside == []
    finally:
        context.close()
