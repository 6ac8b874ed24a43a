"""Must show 1: the dashboard and the unit scoreboard on the seeded data show the figures that an
independent computation from the task and update rows gives (no code shared with tracker.reports)."""
from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import chinese_calendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.common.clock import to_beijing
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.tasks.models import Task
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate

DAY = date(2026, 6, 30)
OPEN = ("not_started", "in_progress")


# --------------------------------------------------------------------------------------------------------
# The rules, restated from the issue and written out longhand
# --------------------------------------------------------------------------------------------------------

def report_day(year: int, month: int, day: int) -> date:
    """The report day in that month; on a day off it moves back to the previous working day."""
    nominal = date(year, month, min(day, calendar.monthrange(year, month)[1]))
    while not chinese_calendar.is_workday(nominal):
        nominal -= timedelta(days=1)
    return nominal


def months(first: date, last: date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def working_days_until(today: date, due: date) -> int:
    return sum(1 for n in range(1, (due - today).days + 1) if chinese_calendar.is_workday(today + timedelta(n)))


class Facts:
    """Everything loaded once from the rows; every figure computed in plain Python."""

    def __init__(self, today: date):
        self.today = today
        # Everything loaded up front: the objects outlive the session once the test client has made requests.
        loaded = db.session.scalars(select(Task).order_by(Task.id).options(
            selectinload(Task.plan), selectinload(Task.group), selectinload(Task.lead_unit)))
        self.tasks = [t for t in loaded if t.plan.status.value == "active"]
        assert all(t.reporting_cycle.value == "monthly" for t in self.tasks), "the seed reports monthly"
        self.updates = list(db.session.scalars(select(StatusUpdate)))
        lead_unit_of = {t.id: t.lead_unit_id for t in self.tasks}
        self.lead_updates = defaultdict(list)
        for update in self.updates:
            if update.unit_id == lead_unit_of.get(update.task_id):
                self.lead_updates[update.task_id].append(update)

    def report_missing(self, task: Task) -> bool:
        if task.status.value not in OPEN:
            return False
        due = report_day(self.today.year, self.today.month, task.report_day)
        year, month = self.today.year, self.today.month
        if due >= self.today:
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
            due = report_day(year, month, task.report_day)
        if task.start_on and due < task.start_on:
            return False
        key = f"{year}-{month:02d}"
        return not any(u.period == key and u.review_state.value in ("submitted", "accepted")
                       for u in self.lead_updates[task.id])

    def state(self, task: Task) -> str:
        status = task.status.value
        if status == "completed":
            return "completed"
        if status == "suspended":
            return "suspended"
        if task.due_on and task.due_on < self.today:
            return "overdue"
        due_soon = (task.due_on is not None and task.due_on >= self.today and task.progress < 80
                    and working_days_until(self.today, task.due_on) <= 10)
        if due_soon or self.report_missing(task):
            return "at_risk"
        return "not_started" if status == "not_started" else "on_track"

    def states(self) -> dict[str, str]:
        return {t.number: self.state(t) for t in self.tasks}

    def periods_due(self, task: Task):
        if task.status.value == "suspended":
            return []
        start = task.start_on or task.plan.period_start
        result = []
        for year, month in months(start, self.today):
            due = report_day(year, month, task.report_day)
            if not start <= due < self.today:
                continue
            if task.completed_on and date(year, month, 1) > task.completed_on:
                continue
            result.append((f"{year}-{month:02d}", due))
        return result

    def on_time(self, task: Task, key: str, due: date) -> bool:
        return any(u.period == key and u.review_state.value == "accepted" and to_beijing(u.submitted_at).date() <= due
                   for u in self.lead_updates[task.id])

    def scoreboard(self) -> dict[str, dict]:
        board = {}
        for task in self.tasks:
            row = board.setdefault(task.lead_unit.short_name, Counter())
            row["tasks_led"] += 1
            row["completed"] += task.status.value == "completed"
            row["completed_on_time"] += task.status.value == "completed" and task.completed_on <= task.due_on
            row["overdue"] += task.status.value in OPEN and task.due_on < self.today
            for key, due in self.periods_due(task):
                row["reports_due"] += 1
                row["reports_on_time"] += self.on_time(task, key, due)
            row["returns"] += sum(u.review_state.value == "returned" for u in self.lead_updates[task.id])
            row["filed"] += len({u.period for u in self.lead_updates[task.id]})
            if task.status.value in OPEN and task.due_on < self.today:
                row["overdue_days"] += working_days_until(task.due_on, self.today)
        result = {}
        for unit, row in board.items():
            result[unit] = {
                "tasks_led": str(row["tasks_led"]), "completed": str(row["completed"]),
                "completed_on_time": str(row["completed_on_time"]), "overdue": str(row["overdue"]),
                "reports_due": str(row["reports_due"]), "reports_on_time": str(row["reports_on_time"]),
                "on_time_rate": f"{100 * row['reports_on_time'] / row['reports_due']:.1f}%" if row["reports_due"] else "—",
                "returns": str(row["returns"]),
                "average_returns": f"{row['returns'] / row['filed']:.2f}" if row["filed"] else "—",
                # the seed's receipts are all signed and it has no extensions, closures or ladder steps: the
                # 考评 score under the default weights is +1 per on-time report, −0.5 per working day
                # overdue, −1 per return
                "unsigned": "0", "extensions": "0",
                "score": f"{row['reports_on_time'] - 0.5 * row['overdue_days'] - row['returns']:.2f}",
            }
        return result

    def trend(self) -> dict[str, tuple[int, int, int]]:
        result = {}
        first = min(t.start_on or t.plan.period_start for t in self.tasks)
        for year, month in months(first, self.today):
            end = min(self.today, date(year, month, calendar.monthrange(year, month)[1]))
            overdue = sum(1 for t in self.tasks if t.status.value != "suspended" and t.due_on < end
                          and (t.completed_on is None or t.completed_on > end))
            due = [(t, key, d) for t in self.tasks for key, d in self.periods_due(t) if (d.year, d.month) == (year, month)]
            result[f"{year}-{month:02d}"] = (overdue, len(due), sum(self.on_time(t, k, d) for t, k, d in due))
        return result


# --------------------------------------------------------------------------------------------------------
# Reading the pages
# --------------------------------------------------------------------------------------------------------

def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def table(html: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert match, f"no table #{table_id}"
    return match.group(0)


def state_table(html: str) -> dict[str, tuple[str, str]]:
    rows = re.findall(r'<tr data-state="(\w+)">(.*?)</tr>', table(html, "state-table"), re.S)
    result = {}
    for state, body in rows:
        count = re.search(r'class="text-end count">(.*?)</td>', body, re.S).group(1)
        share = re.search(r'class="text-end share">(.*?)</td>', body, re.S)
        result[state] = (text_of(count), text_of(share.group(1)) if share else "")
    return result


def rollup_table(html: str, table_id: str) -> dict[str, tuple[str, dict[str, str]]]:
    result = {}
    for label, rag, body in re.findall(r'<tr data-key="[^"]*" data-label="([^"]+)" data-rag="(\w+)">(.*?)</tr>',
                                       table(html, table_id), re.S):
        cells = dict(re.findall(r'data-state="(\w+)">(.*?)</td>', body, re.S))
        result[label] = (rag, {state: text_of(value) for state, value in cells.items()})
    return result


def scoreboard_table(html: str) -> list[tuple[str, dict[str, str]]]:
    rows = re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', table(html, "scoreboard-table"), re.S)
    return [(unit, {field: text_of(value) for field, value in re.findall(r'data-field="(\w+)">(.*?)</td>', body, re.S)})
            for unit, body in rows]


@pytest.fixture
def june_30(seeded, on_date):
    on_date(DAY)
    return Facts(DAY)


# --------------------------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------------------------

def test_state_counts_match_independent_computation_and_seed_design(june_30, browser):
    page = browser("leader").get("/dashboard")
    assert page.status_code == 200
    expected = Counter(june_30.states().values())
    # The seed design (seeds/xicen_plan.py) on 2026-06-30, spelled out.
    assert june_30.states() == {"1": "completed", "2": "completed", "3": "overdue", "11": "overdue", "12": "overdue",
                                "15": "overdue", "7": "at_risk", "13": "at_risk", "16": "not_started",
                                **{n: "on_track" for n in ("4", "5", "6", "8", "9", "10", "14")}}
    shown = state_table(page.text)
    for state in ("not_started", "on_track", "at_risk", "overdue", "completed"):
        count, share = shown[state]
        assert int(count) == expected[state], state
        assert share == f"{100 * expected[state] / 16:.1f}%", state
    assert shown["total"][0] == "16"
    assert "suspended" not in shown  # 暂缓 appears only when a task is suspended


def test_red_amber_green_by_group_and_lead_unit(june_30, browser):
    page = browser("coordinator").get("/dashboard").text
    states = june_30.states()
    for table_id, key in (("group-table", lambda t: t.group.label), ("unit-table", lambda t: t.lead_unit.short_name)):
        expected: dict[str, Counter] = defaultdict(Counter)
        for task in june_30.tasks:
            expected[key(task)][states[task.number]] += 1
        shown = rollup_table(page, table_id)
        assert set(shown) == set(expected)
        for name, counts in expected.items():
            rag, cells = shown[name]
            assert rag == ("red" if counts["overdue"] else "amber" if counts["at_risk"] else "green"), name
            for state in ("not_started", "on_track", "at_risk", "overdue", "completed"):
                assert int(cells[state]) == counts[state], (name, state)
            assert int(cells["total"]) == sum(counts.values())
    assert rollup_table(page, "group-table")["（一）体制机制优化行动"][0] == "red"  # task 3 is overdue
    assert rollup_table(page, "group-table")["（四）科创企业卓越行动"][0] == "green"
    assert rollup_table(page, "unit-table")["区经委"][0] == "amber"  # task 7: June report missing


def test_trend_matches_independent_computation(june_30, browser):
    page = browser("leader").get("/dashboard").text
    rows = re.findall(r'<tr data-month="([\d-]+)">(.*?)</tr>', table(page, "trend-table"), re.S)
    shown = {month: {f: text_of(v) for f, v in re.findall(r'data-field="(\w+)">(.*?)</td>', body, re.S)}
             for month, body in rows}
    expected = june_30.trend()
    assert list(shown) == list(expected)  # 2025-10 (first start) to 2026-06
    for month, (overdue, due, on_time) in expected.items():
        assert shown[month]["overdue"] == str(overdue), month
        assert shown[month]["reports_due"] == str(due), month
        assert shown[month]["reports_on_time"] == str(on_time), month
        assert shown[month]["on_time_rate"] == (f"{100 * on_time / due:.1f}%" if due else "—"), month
    assert shown["2026-06"]["overdue"] == "4" and shown["2026-03"]["overdue"] == "0"


def test_at_risk_when_due_within_ten_working_days_with_low_progress(seeded, on_date, browser):
    on_date(DAY)
    # Task 8: progress 50, June report accepted, due 2026-09-30.
    # 2026-06-30 is a Tuesday; the 10th working day after it is Tuesday 2026-07-14.
    for due, progress, expected in ((date(2026, 7, 14), 50, "at_risk"), (date(2026, 7, 15), 50, "on_track"),
                                    (date(2026, 7, 14), 80, "on_track"), (DAY, 50, "at_risk")):
        task = db.session.scalar(select(Task).where(Task.number == "8"))
        task.due_on, task.progress = due, progress
        db.session.commit()
        assert Facts(DAY).state(db.session.scalar(select(Task).where(Task.number == "8"))) == expected
        page = browser("leader").get("/dashboard/tasks?state=at_risk").text
        listed = set(re.findall(r'data-task="(\d+)"', page))
        assert ("8" in listed) == (expected == "at_risk"), (due, progress)


def test_dashboard_per_plan_and_bad_plan_ids(june_30, browser):
    leader = browser("leader")
    plan = db.session.scalar(select(Plan))
    page = leader.get(f"/dashboard?plan_id={plan.id}")
    assert page.status_code == 200 and plan.title in page.text
    assert state_table(page.text)["overdue"][0] == "4"
    assert leader.get("/dashboard?plan_id=9999").status_code == 404
    assert leader.get("/dashboard?plan_id=abc").status_code == 200  # not a number: all plans


def test_drill_down_lists_the_counted_tasks(june_30, browser):
    page = browser("leader").get("/dashboard/tasks?state=overdue")
    assert page.status_code == 200
    assert set(re.findall(r'data-task="(\d+)"', page.text)) == {"3", "11", "12", "15"}


def test_unit_users_cannot_open_leadership_views(seeded, browser, client):
    unit_user = browser("kejiwei")
    for url in ("/dashboard", "/units/scoreboard", "/units/scoreboard.xlsx", "/dashboard/tasks"):
        assert unit_user.get(url).status_code == 403, url
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --------------------------------------------------------------------------------------------------------
# Unit scoreboard
# --------------------------------------------------------------------------------------------------------

def test_scoreboard_matches_independent_computation(june_30, browser):
    page = browser("leader").get("/units/scoreboard")
    assert page.status_code == 200
    shown = dict(scoreboard_table(page.text))
    assert shown == june_30.scoreboard()
    # Seed facts a reader can check by hand: 青西办 finished both its tasks early; 区科委 leads five
    # tasks and had one report returned (task 12, April).
    assert shown["青西办"]["completed_on_time"] == "2" and shown["青西办"]["overdue"] == "0"
    assert shown["区科委"]["tasks_led"] == "5" and shown["区科委"]["returns"] == "1"


def test_scoreboard_sorts_and_links_to_unit_tasks(june_30, browser):
    leader = browser("leader")
    by_name = [unit for unit, _row in scoreboard_table(leader.get("/units/scoreboard?sort=unit&dir=asc").text)]
    assert by_name == sorted(by_name)
    by_overdue = scoreboard_table(leader.get("/units/scoreboard?sort=overdue&dir=desc").text)
    overdue = [int(row["overdue"]) for _unit, row in by_overdue]
    assert overdue == sorted(overdue, reverse=True)
    by_rate = scoreboard_table(leader.get("/units/scoreboard").text)  # default: on-time rate, best first
    rates = [float(row["on_time_rate"].rstrip("%")) if row["on_time_rate"] != "—" else -1 for _u, row in by_rate]
    assert rates == sorted(rates, reverse=True)
    assert leader.get("/units/scoreboard?sort=nonsense&dir=sideways").status_code == 200

    keji = db.session.scalar(select(Unit).where(Unit.short_name == "区科委"))
    page = leader.get("/units/scoreboard").text
    link = f'/dashboard/tasks?unit_id={keji.id}'
    assert link in page
    listed = leader.get(link).text
    led = {t.number for t in june_30.tasks if t.lead_unit_id == keji.id}
    assert set(re.findall(r'data-task="(\d+)"', listed)) == led == {"4", "5", "9", "10", "12"}
