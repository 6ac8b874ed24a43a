"""The scoreboard's report figures are counted in SQL (``tracker.reports.queries.due_report_counts``: set
operations over a calendar of report days, no walk over tasks × periods); they must equal a recomputation
from the rows by ``due_reports`` (the rule's definition: periods before today, owed from 交办 on, none for
suspended or refused tasks, none starting after completion) after a scripted month of the loop on the demo
seed: reports filed on time and late, returned and resubmitted, an extension, closures, a reopening and an
import of a plan made active. Checked every week of the month and at its end, for the city and one plan, by
unit, plan and month; the scoreboard, 考评's on-time reports, the trend and the 通报's reporting table read
the same counts."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from tests.bulletins.loop_seed import seed_june_loop
from tests.imports.test_import_flow import post_review, xicen_draft_with_leads
from tests.loop_helpers import close_task
from tracker.auth.models import Role, User
from tracker.bulletins.queries import month_figures
from tracker.reports.queries import unit_scores
from tracker.common import deadlines
from tracker.extensions import db
from tracker.supervision.models import Receipt
from tracker.plans.models import Plan, PlanStatus
from tracker.plans.services import save_plan
from tracker.reports.queries import Scope, due_report_counts, due_reports, scoreboard, trend
from tracker.supervision.services import decide_extension, reopen_task, request_extension
from tracker.tasks.models import Task, TaskStatus
from tracker.updates.models import ReviewState, StatusUpdate
from tracker.updates.services import review_update, submit_update
from tracker.updates.evidence import EvidenceStore

JULY = date(2026, 7, 1)


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def _lead_user(task: Task) -> User:
    return db.session.scalar(select(User).where(User.unit_id == task.lead_unit_id, User.role == Role.unit)
                             .order_by(User.id))


def _expected(day: date, scope: Scope, by: tuple[str, ...], since: date | None = None) -> dict[tuple, list[int]]:
    """The counts recomputed from the rows ``due_reports`` lists."""
    plans = dict(db.session.execute(select(Task.id, Task.plan_id)).all())
    counts: dict[tuple, list[int]] = {}
    for report in due_reports(day, scope, since=since):
        values = {"lead_unit_id": report.lead_unit_id, "plan_id": plans[report.task_id],
                  "month": report.report_due_on.strftime("%Y-%m")}
        figures = counts.setdefault(tuple(values[name] for name in by), [0, 0])
        figures[0] += 1
        figures[1] += report.on_time
    return counts


def _check(day: date) -> int:
    """Every count equals its recomputation; returns the number of reports due city-wide."""
    plan_ids = sorted(db.session.scalars(select(Plan.id).where(Plan.status == PlanStatus.active)))
    for scope in [Scope()] + [Scope(plan_id=plan_id) for plan_id in plan_ids]:
        for by in (("lead_unit_id",), ("lead_unit_id", "plan_id"), ("month",), ("lead_unit_id", "month")):
            assert due_report_counts(day, scope, by=by) == _expected(day, scope, by), (day, scope, by)
        since = date(day.year, day.month, 1) - timedelta(days=62)
        assert due_report_counts(day, scope, by=("month",), since=since) == _expected(day, scope, ("month",), since)

    expected = _expected(day, Scope(), ("lead_unit_id",))
    board = {row.unit.id: (row.reports_due, row.reports_on_time) for row in scoreboard(day, Scope())}
    assert {unit_id: figures for unit_id, figures in board.items() if figures != (0, 0)} == \
        {unit_id: tuple(figures) for (unit_id,), figures in expected.items()}
    on_time = {unit_id: score.counts["on_time_reports"] for unit_id, score in unit_scores(day, Scope()).items()}
    assert {u: n for u, n in on_time.items() if n} == {u: f[1] for (u,), f in expected.items() if f[1]}
    by_month = _expected(day, Scope(), ("month",))
    for point in trend(day, Scope()):
        assert (point.reports_due, point.reports_on_time) == tuple(by_month.get((point.month,), [0, 0]))
    month = date(day.year, day.month, 1) if day.day > 1 else (date(day.year, day.month, 1) - timedelta(days=1)).replace(day=1)
    last = (month + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    reporting = {row["unit_id"]: (row["due"], row["on_time"]) for row in month_figures(month, day)["reporting"]["units"]}
    rows_month = Counter()
    for report in due_reports(min(day, last + timedelta(days=1)), Scope()):
        if month <= report.report_due_on <= last:
            rows_month[(report.lead_unit_id, "due")] += 1
            rows_month[(report.lead_unit_id, "on_time")] += report.on_time
    assert reporting == {unit: (rows_month[(unit, "due")], rows_month[(unit, "on_time")])
                         for unit, kind in rows_month if kind == "due"}
    return sum(figures[0] for figures in expected.values())


def _file(task: Task, period: str, at: datetime, tmp_path, resubmission_of=None) -> StatusUpdate:
    update = submit_update(_lead_user(task), task, period=period, progress_text=f"{period}进展", percent=60,
                           today=at.date(), store=EvidenceStore(tmp_path), allowed_extensions=("pdf",),
                           max_bytes=1000, resubmission_of=resubmission_of)
    update.submitted_at = at
    db.session.commit()
    return update


def _review(update: StatusUpdate, decision: str, day: date) -> None:
    review_update(_user("coordinator"), update, decision=decision, comment="请补充" if decision == "return" else "",
                  today=day)
    db.session.commit()


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_the_kept_figures_equal_the_rows_through_a_month_of_the_loop(seeded, browser, on_date, tmp_path):
    seed_june_loop()
    assert _check(date(2026, 6, 30)) > 0
    open_tasks = [task for task in db.session.scalars(select(Task).order_by(Task.id))
                  if task.status in (TaskStatus.in_progress, TaskStatus.not_started) and task.plan.status == PlanStatus.active]
    assert len(open_tasks) >= 10
    open_ids = [task.id for task in open_tasks]

    # Week 1: June reports, one before its report day (on time), one a week late, one returned and resubmitted.
    on_date(date(2026, 7, 6))
    first = _file(open_tasks[0], "2026-07", utc(2026, 7, 2, 2), tmp_path)
    late = _file(open_tasks[1], "2026-06", utc(2026, 7, 3, 2), tmp_path)
    returned = _file(open_tasks[2], "2026-07", utc(2026, 7, 3, 3), tmp_path)
    _review(first, "accept", date(2026, 7, 6))
    _review(late, "accept", date(2026, 7, 6))
    _review(returned, "return", date(2026, 7, 6))
    # Edges of the rule: a 签收时限 ending on a report day (that period is not owed, the next one is) and
    # a task closed on the first day of a month (that month's report is still owed).
    edge = db.session.get(Task, open_ids[8])
    june = deadlines.period_of(edge.reporting_cycle.value, edge.report_day, date(2026, 6, 1))
    receipts = list(db.session.scalars(select(Receipt).where(Receipt.task_id == edge.id, Receipt.role == "lead")))
    for receipt in receipts:
        receipt.sign_by = june.report_due_on
    if not receipts:
        db.session.add(Receipt(task_id=edge.id, unit_id=edge.lead_unit_id, role="lead", sign_by=june.report_due_on))
    close_task(db.session.get(Task, open_ids[9]), JULY)
    db.session.commit()
    _check(date(2026, 7, 6))

    # Week 2: the returned report resubmitted and accepted; an extension approved; a task closed.
    on_date(date(2026, 7, 13))
    again = _file(open_tasks[2], "2026-07", utc(2026, 7, 9, 1), tmp_path, resubmission_of=returned)
    _review(again, "accept", date(2026, 7, 13))
    extension = request_extension(_lead_user(open_tasks[3]), open_tasks[3], requested_due_on=date(2027, 3, 31),
                                  reason="资金下达推迟", today=date(2026, 7, 10))
    decide_extension(_user("coordinator"), extension, approve=True, comment="", today=date(2026, 7, 10))
    closed = open_tasks[4]
    close_task(closed, date(2026, 7, 10))
    db.session.commit()
    _check(date(2026, 7, 13))

    # Week 3: the closed task reopened; an import of a plan, made active (交办 to its units).
    on_date(date(2026, 7, 20))
    reopen_task(_user("coordinator"), closed, reason="复核发现未完成")
    db.session.commit()
    coordinator = browser("coordinator")
    draft_id, fields = xicen_draft_with_leads(coordinator)
    assert post_review(coordinator, draft_id, fields, "apply").status_code == 302
    imported = db.session.scalar(select(Plan).where(Plan.doc_number == "青府发〔2025〕40号").order_by(Plan.id.desc()))
    save_plan(_user("coordinator"), imported, title=imported.title, doc_number=imported.doc_number,
              issued_on=imported.issued_on, period_start=imported.period_start, period_end=imported.period_end,
              status=PlanStatus.active, today=date(2026, 7, 20))
    db.session.commit()
    assert imported.status == PlanStatus.active and imported.tasks
    _check(date(2026, 7, 20))

    # Month end: the July reports due on the 24th/25th (filed on time, late, or never) and a suspended task.
    on_date(date(2026, 8, 3))
    for index, task_id in enumerate(open_ids[5:8]):
        at = utc(2026, 7, 20, 3) if index == 0 else utc(2026, 7, 29, 3)
        _review(_file(db.session.get(Task, task_id), "2026-07", at, tmp_path), "accept", date(2026, 7, 30))
    db.session.get(Task, open_ids[-1]).status = TaskStatus.suspended
    db.session.commit()
    before = _check(date(2026, 7, 31))
    assert _check(date(2026, 8, 3)) >= before


def test_the_city_wide_scoreboard_is_read_from_its_snapshot_a_page_at_a_time(seeded, browser, on_date, app):
    """A city has ~2,000 units with figures: the page shows one page of them with their ranks, read from
    the stored figures (the scheduler keeps them fresh); the page says when they were computed."""
    import re

    on_date(date(2026, 6, 30))
    app.config["PAGE_SIZE"] = 3
    leader = browser("leader")
    everyone = [row.unit.short_name for row in scoreboard(date(2026, 6, 30), Scope(), sort="unit", descending=False)]
    assert len(everyone) > 6
    first = leader.get("/units/scoreboard?sort=unit&dir=asc").text
    second = leader.get("/units/scoreboard?sort=unit&dir=asc&page=2").text
    ranks = lambda html: re.findall(r'<tr data-unit="([^"]+)">\s*<td>(\d+)</td>', html)  # noqa: E731
    assert ranks(first) == [(name, str(i + 1)) for i, name in enumerate(everyone[:3])]
    assert ranks(second) == [(name, str(i + 4)) for i, name in enumerate(everyone[3:6])]
    assert f"2 / {-(-len(everyone) // 3)}" in second and 'id="computed-at"' in second
    from tracker.audit.snapshots import ReportSnapshot

    assert db.session.scalar(select(ReportSnapshot.key).where(ReportSnapshot.key == "scoreboard:all")) is not None
    # the Excel export still lists every unit
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(leader.get("/units/scoreboard.xlsx?sort=unit&dir=asc").data)).active
    names = [row[1] for row in sheet.iter_rows(values_only=True) if row[1] in everyone]
    assert names == everyone
