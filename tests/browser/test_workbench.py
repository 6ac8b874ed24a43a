"""Must show: each role logs in (headless Chromium) and finds on 工作台 the items the seeded data implies,
each count equal to the rows of the list it links to (followed by clicking). Screenshots at 1366 and
390 px wide are kept under test-artifacts/workbench/."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS

SCREENSHOTS = ARTIFACTS / "workbench"
# The rows of each list an item links to (by path; 我的任务's returned reports by their filter).
ROWS = {
    "/tasks/mine": "tbody tr[data-task-id]",
    "/tasks/mine?show=returned": ".returned-item",
    "/reviews": "div.card[id^=review-]",
    "/overdue": "#overdue-table tbody tr[data-kind], #overdue-proposals tbody tr[data-proposal], "
                "#overdue-obligations tbody tr[data-proposal]",
    "/dashboard/tasks": "#ledger-table tbody tr[data-task-id]",
    "/admin/outbox": "tr.notification-row",
    "/requests": "tr[data-request]",
    "/bulletins": "tr[data-month]",
    "/documents": "tr[data-document]",
    "/proposals/deadlines": "tr[data-clock], li[data-clock]",  # 提案办理时限, one part per ?show=
}
# What the demo seed implies on 2026-06-30 (seeds/xicen_plan.py): (login, link, at least this many).
EXPECTED = {
    "kejiwei": [("/tasks/mine?show=overdue", 1)],  # task 12 overdue
    "kechuangjituan": [("/tasks/mine?show=returned", 1), ("/tasks/mine?show=overdue", 1)],  # 13 returned, 3 late
    # reviews: 5, 9, 14; overdue tasks 3, 11, 12, 15; June reports of 3, 7, 11, 13, 15 missing
    "coordinator": [("/reviews", 3), ("/overdue?kind=task", 4), ("/overdue?kind=report", 5), ("/overdue", 9)],
    "leader": [("/overdue", 9), ("/overdue?kind=task", 4), ("/dashboard#by-group", 1), ("/dashboard#by-unit", 1)],
}


def rows_behind(page, href: str) -> int:
    parts = urlsplit(href)
    if parts.path == "/dashboard":
        table = {"by-group": "#group-table", "by-unit": "#unit-table"}[parts.fragment]
        return page.locator(f"{table} tr[data-rag=red]").count()
    key = parts.path + ("?show=returned" if "show=returned" in parts.query else "")
    return page.locator(ROWS[key]).count()


@pytest.mark.parametrize("login", ["kejiwei", "kechuangjituan", "coordinator", "leader"])
def test_workbench_counts_match_the_lists_they_link_to(open_page, login):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(login)
    page.goto("/")
    assert page.locator("h1").first.inner_text().startswith("工作台")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"{login}-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / f"{login}-390.png"), full_page=True)
    items = page.locator("a.workbench-item")
    found = {}
    for index in range(items.count()):
        item = items.nth(index)
        href, count = item.get_attribute("href"), int(item.get_attribute("data-count"))
        assert item.locator(".workbench-count").inner_text() == str(count)
        found[href] = count
    assert found, "no items on the workbench"
    for href, count in found.items():
        page.goto("/")
        page.locator(f'a.workbench-item[href="{href}"]').click()
        page.wait_for_load_state("networkidle")
        assert rows_behind(page, href) == count, f"{login}: {href} says {count}"
    for href, at_least in EXPECTED[login]:
        assert found[href] >= at_least, f"{login}: {href} shows {found[href]}, the seed implies {at_least}+"


def test_search_and_public_pages_as_seen(open_page):
    """Screenshots of the search results (coordinator) and the public page of the Xicen plan once marked
    主动公开 (anonymous), at 1366 and 390 px; the public page is no wider than a phone."""
    from sqlalchemy import select

    from seeds import xicen_plan
    from tracker.extensions import db
    from tracker.plans.models import Plan

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    db.session.remove()
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == xicen_plan.PLAN["doc_number"]))
    plan.is_public = True
    db.session.commit()
    plan_id = plan.id
    db.session.remove()
    page = open_page("coordinator")
    page.goto("/")
    page.locator(".duban-search input[name=q]").fill("算力")  # the search box of the top bar
    page.locator(".duban-search input[name=q]").press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("a.search-result").count() >= 2
    assert page.locator("a.search-result mark").first.inner_text() == "算力"
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "search-1366.png"), full_page=True)
    anonymous = open_page()
    anonymous.goto(f"/public/plans/{plan_id}")
    assert anonymous.locator("table.public-tasks tbody tr").count() == len(xicen_plan.TASKS)
    anonymous.set_viewport_size({"width": 1366, "height": 900})
    anonymous.screenshot(path=str(SCREENSHOTS / "public-1366.png"), full_page=True)
    anonymous.set_viewport_size({"width": 390, "height": 844})
    anonymous.screenshot(path=str(SCREENSHOTS / "public-390.png"), full_page=True)
    assert anonymous.evaluate("document.documentElement.scrollWidth") <= 390
