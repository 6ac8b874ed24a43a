"""工作台 (/): one per role, each item a link to an existing list whose rows its count equals; the counts
come from the lists' own query functions (tracker/workbench/services.py)."""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from seeds import units as unit_seed
from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.outbox.models import DeliveryState, Notification, NotificationKind
from tracker.workbench import services
from tracker.workbench.services import Item, Section, provides, sections_for

DAY = date(2026, 6, 30)
ITEM = re.compile(r'class="list-group-item list-group-item-action[^"]*workbench-item"\s*href="([^"]+)" data-count="(\d+)"')
# What one row of each list looks like, by path (and ?show= for 我的任务).
ROWS = {
    "/tasks/mine": re.compile(r'<tr data-task-id="\d+"'),
    "/tasks/mine?show=returned": re.compile(r'class="list-group-item returned-item"'),
    "/reviews": re.compile(r'<div class="card mb-3" id="review-\d+"'),
    "/overdue": re.compile(r'<tr data-task="[^"]*" data-kind="|<tr data-proposal="'),
    "/dashboard/tasks": re.compile(r'<tr data-task="[^"]*" data-task-id="'),
    "/admin/outbox": re.compile(r'<tr class="notification-row"'),
    "/requests": re.compile(r'<tr data-request="'),
    "/bulletins": re.compile(r'<tr data-month="'),
    "/documents": re.compile(r'<tr data-document="'),
    # 提案办理时限 (tracker/proposals/clock.py, key_items.py): one part per ?show=
    "/proposals/deadlines": re.compile(r'<(?:tr|li)[^>]* data-clock="'),
}


def rows_on(client, url: str) -> int:
    """The rows the list at ``url`` shows (a dashboard anchor: the red rows of that roll-up table)."""
    parts = urlsplit(url)
    html = client.get(url).text
    if parts.path == "/dashboard":
        table = {"by-group": "group-table", "by-unit": "unit-table"}[parts.fragment]
        body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
        return body.count('data-rag="red"')
    key = parts.path + ("?show=returned" if "show=returned" in parts.query else "")
    return len(ROWS[key].findall(html))


def items_on(client) -> list[tuple[str, int]]:
    page = client.get("/")
    assert page.status_code == 200
    return [(href.replace("&amp;", "&"), int(count)) for href, count in ITEM.findall(page.text)]


UNIT_LOGINS = [unit["login"] for unit in unit_seed.UNITS if unit.get("login")]


@pytest.mark.parametrize("login", ["coordinator", "leader", "admin"])
def test_every_count_is_the_rows_of_its_list(seeded, on_date, browser, login):
    on_date(DAY)
    if login == "coordinator":  # something in the outbox that failed
        db.session.add(Notification(idempotency_key="workbench-test", kind=NotificationKind.report_due,
                                    recipient_email="kejiwei@example.gov.cn", subject="报送提醒", body_text="请报送。",
                                    body_html="<p>请报送。</p>", state=DeliveryState.failed, attempts=40,
                                    last_error="timeout"))
        db.session.commit()
    client = browser(login)
    items = items_on(client)
    assert len(items) >= 3
    for url, count in items:
        assert rows_on(client, url) == count, url
    assert any(count for _url, count in items)  # the seeded demo has something for each of these roles


def test_the_overdue_list_count_takes_in_late_co_opinions_and_cosignatures(seeded_items, on_date, browser):
    """With the demo's proposals (协办意见 past their deadline among them), the 逾期清单 count is still every
    row /overdue shows, its 协办意见/会签 rows included, and its line says how many of them there are."""
    on_date(DAY)
    client = browser("coordinator")
    count = dict(items_on(client))["/overdue"]
    html = client.get("/overdue").text
    late_obligations = html.split('id="overdue-obligations"', 1)[1].split("</table>", 1)[0].count("<tr data-proposal=")
    assert late_obligations > 0
    assert rows_on(client, "/overdue") == count
    assert f"协办意见和会签逾期{late_obligations}项" in client.get("/").text


def test_every_unit_sees_counts_equal_to_its_lists(seeded, on_date, browser):
    on_date(DAY)
    # No seeded task is due within 10 working days of the demo day: task 9 (区科委, 区数据局 cooperating)
    # is made due on 2026-07-10.
    from tracker.tasks.models import Task

    task = db.session.scalar(select(Task).where(Task.number == "9").order_by(Task.id))
    task.due_on = date(2026, 7, 10)
    db.session.commit()
    seen_nonzero = set()
    for login in UNIT_LOGINS:
        client = browser(login)
        for url, count in items_on(client):
            assert rows_on(client, url) == count, f"{login}: {url}"
            if count:
                seen_nonzero.add(urlsplit(url).query)
    # The demo day has, somewhere: reports due this period, a returned report, tasks due soon, overdue
    # tasks and overdue reports (seeds/xicen_plan.py).
    assert seen_nonzero >= {"show=report_due", "show=returned", "show=overdue", "show=unreported", "show=due_soon"}


def test_the_seed_design_shows_on_the_units_workbenches(seeded, on_date, browser):
    """区科委 leads task 12, overdue since 2026-04-30; 区经委 led task 13, whose June report was returned."""
    on_date(DAY)
    kejiwei = dict(items_on(browser("kejiwei")))
    assert kejiwei["/tasks/mine?show=overdue"] >= 1
    page = browser("kejiwei").get("/tasks/mine?show=overdue").text
    assert "筛选：逾期任务" in page


def test_a_provider_adds_a_section(seeded, on_date):
    on_date(DAY)

    @provides(Role.leader)
    def latest_bulletin(user, today):
        return Section("最新通报", [Item("第3期督办通报", 1, "/notifications")], key="bulletin")

    try:
        leader = db.session.scalar(select(User).where(User.login == "leader"))
        from flask import current_app

        with current_app.test_request_context("/"):
            sections = sections_for(leader, DAY)
        assert [section.key for section in sections][-1] == "bulletin"
    finally:
        services.PROVIDERS.pop()


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_latest_bulletin_shows_on_the_workbench_once_there_is_one(seeded, on_date, browser):
    """No 督查通报 yet: no section. One drafted and issued: leaders and coordinators see the list's count
    and the issued one's number."""
    from tracker.bulletins.services import draft_bulletin, issue_bulletin

    on_date(DAY)
    assert not any(href == "/bulletins" for href, _count in items_on(browser("leader").client))
    coordinator_user = db.session.scalar(select(User).where(User.login == "coordinator"))
    bulletin = draft_bulletin(coordinator_user, month_key="2026-06", today=DAY)
    issue_bulletin(coordinator_user, bulletin, today=DAY)
    db.session.commit()
    number = db.session.get(type(bulletin), bulletin.id).number
    for login in ("leader", "coordinator"):
        client = browser(login).client
        items = dict(items_on(client))
        assert items["/bulletins"] == 1 == rows_on(client, "/bulletins")
        assert number in client.get("/").text
