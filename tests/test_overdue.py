"""Must show 3: on 2026-06-30 the overdue list shows exactly the seeded overdue tasks and reports."""
import csv
import io
import re
from datetime import date

from sqlalchemy import select

from seeds.units import UNITS
from tracker.extensions import db
from tracker.plans.models import ActionGroup
from tracker.supervision.models import ClosureRequest
from tracker.tasks.models import Task
from tracker.overdue.queries import overdue_list
from tracker.tasks.queries import OverdueFilters
from tracker.units.models import Unit

# From the seed design (seeds/xicen_plan.py): (kind, task number) -> working days overdue on 2026-06-30
# (official 2026 calendar: Qingming, Labour Day with its 调休 Saturday, Dragon Boat Festival).
EXPECTED_ON_JUNE_30 = {
    ("task", "3"): 61,    # due 2026-03-31
    ("task", "12"): 40,   # due 2026-04-30
    ("task", "15"): 21,   # due 2026-05-31
    ("task", "11"): 10,   # due 2026-06-15
    ("report", "3"): 3,   # June report due Thu 2026-06-25, none filed
    ("report", "7"): 3,
    ("report", "11"): 3,
    ("report", "13"): 3,  # filed but returned and not resubmitted
    ("report", "15"): 3,
}


def test_overdue_service_on_june_30(seeded, on_date):
    on_date(date(2026, 6, 30))
    rows = overdue_list(date(2026, 6, 30))
    assert {(row.kind, row.task.number): row.overdue_days for row in rows} == EXPECTED_ON_JUNE_30
    assert [row.overdue_days for row in rows] == sorted((row.overdue_days for row in rows), reverse=True)
    report_rows = [row for row in rows if row.kind == "report"]
    assert {row.period for row in report_rows} == {"2026-06"}
    task_12 = next(row for row in rows if row.task.number == "12" and row.kind == "task")
    assert task_12.last_accepted is not None and task_12.last_accepted.period == "2026-06"


def test_overdue_page_rows_and_days(seeded, on_date, browser):
    on_date(date(2026, 6, 30))
    page = browser("leader").get("/overdue")
    assert page.status_code == 200
    shown = re.findall(r'data-task="(\d+)" data-kind="(\w+)">.*?overdue-days">(\d+)<', page.text, re.S)
    assert {(kind, number): int(days) for number, kind, days in shown} == EXPECTED_ON_JUNE_30
    assert "区科委" in page.text and "逾期清单" in page.text


def test_nothing_overdue_before_the_first_due_date(seeded, on_date):
    # Plan issued 2025-10-17; the first report day, Sat 2025-10-25, moves to Fri 2025-10-24.
    assert overdue_list(date(2025, 10, 24)) == []
    rows = overdue_list(date(2025, 10, 27))
    assert {row.period for row in rows} == {"2025-10"} and {row.overdue_days for row in rows} == {1}
    rows = overdue_list(date(2025, 10, 24))
    assert rows == []


def test_filters_by_unit_and_group(seeded, on_date):
    day = date(2026, 6, 30)
    keji = db.session.scalar(select(Unit).where(Unit.short_name == "区科委"))
    rows = overdue_list(day, OverdueFilters(unit_id=keji.id))
    assert {(row.kind, row.task.number) for row in rows} == {("task", "12")}
    group = db.session.scalar(select(ActionGroup).where(ActionGroup.title == "体制机制优化行动"))
    rows = overdue_list(day, OverdueFilters(group_id=group.id))
    assert {(row.kind, row.task.number) for row in rows} == {("task", "3"), ("report", "3")}


def test_csv_export_matches_the_screen_with_filters(seeded, on_date, browser):
    on_date(date(2026, 6, 30))
    leader = browser("coordinator")
    keji = db.session.scalar(select(Unit).where(Unit.short_name == "区科委"))
    response = leader.get(f"/overdue.csv?unit_id={keji.id}")
    assert response.status_code == 200
    assert response.data.startswith("\ufeff".encode())  # BOM: Excel detects UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["类型", "方案", "序号", "任务"]
    assert [(row[2], row[3], row[4], row[7]) for row in rows[1:]] == [("12", "加速科技成果落地转化", "区科委", "40")]
    everything = list(csv.reader(io.StringIO(leader.get("/overdue.csv").data.decode("utf-8-sig"))))
    assert len(everything) - 1 == len(EXPECTED_ON_JUNE_30)


def test_closing_a_task_removes_it_from_the_list(seeded, on_date, browser):
    """办结申请 by the lead unit, 核查销号 by a coordinator: the task leaves the overdue list."""
    on_date(date(2026, 6, 30))
    task = db.session.scalar(select(Task).where(Task.number == "11"))
    task_id, lead = task.id, next(u["login"] for u in UNITS if u["short_name"] == task.lead_unit.short_name)
    browser(lead).post(f"/tasks/{task_id}/closure/new", {"summary": "全部完成。"}, token_from=f"/tasks/{task_id}/closure/new")
    closure = db.session.scalar(select(ClosureRequest).where(ClosureRequest.task_id == task_id))
    response = browser("coordinator").post(f"/closures/{closure.id}/decide", {"approve": "1", "version": "1"},
                                           token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    keys = {(row.kind, row.task.number) for row in overdue_list(date(2026, 6, 30))}
    assert ("task", "11") not in keys and ("report", "11") not in keys
    assert len(keys) == len(EXPECTED_ON_JUNE_30) - 2


def test_the_overdue_page_is_paged_in_the_list_order(seeded, on_date, browser, app):
    on_date(date(2026, 6, 30))
    app.config["PAGE_SIZE"] = 4
    expected = [(row.kind, row.task.number) for row in overdue_list(date(2026, 6, 30))]
    coordinator = browser("coordinator")
    shown = []
    for number in (1, 2, 3):
        page = coordinator.get(f"/overdue?page={number}").text
        assert "共9项" in page and f"{number} / 3" in page
        shown += re.findall(r'<tr data-task="([^"]+)" data-kind="(\w+)"', page)
    assert [(kind, task) for task, kind in shown] == expected  # every row once, in the export's order
    last = coordinator.get("/overdue?page=99").text  # past the end: the last page
    assert re.findall(r'<tr data-task="([^"]+)"', last) == [task for task, _kind in shown[8:]]


def test_the_overdue_proposals_follow_the_first_page_only(seeded_items, on_date, browser, app, monkeypatch):
    """A city's hundreds of overdue items were rendered again below every page of tasks: they follow the rows
    of the first page, and later pages point there (with the same filters)."""
    on_date(date(2026, 6, 30))
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    coordinator = browser("coordinator")
    first, second = coordinator.get("/overdue").text, coordinator.get("/overdue?page=2").text
    assert 'id="overdue-proposals"' in first and 'data-proposal="第0104号"' in first
    assert "回到第1页" not in first
    assert 'id="overdue-proposals"' not in second and "data-proposal=" not in second
    assert '<a href="/overdue">回到第1页</a>' in second
    keji = db.session.scalar(select(Unit).where(Unit.short_name == "区科委"))
    assert f'<a href="/overdue?unit_id={keji.id}">回到第1页</a>' in coordinator.get(
        f"/overdue?unit_id={keji.id}&page=2").text
