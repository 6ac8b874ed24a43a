"""Issue 7: every list page runs the same number of SQL statements with 10x more rows than the seed.

Each case counts the statements of one GET (a ``before_cursor_execute`` listener on the engine) on
the demo seed, then adds ten times the seed's rows of the kind the page lists (tasks, overdue tasks
and missing reports, status updates, submitted and returned updates, units, audit events) to the
same plan and units with Core inserts, and counts again: the counts must be equal (no N+1) and
small.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from itertools import cycle

import pytest
from sqlalchemy import event, func, insert, select

from tracker.audit.models import AuditEvent
from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.plans.models import ActionGroup, Plan
from tracker.supervision.models import (ClosureRequest, ClosureState, ExtensionRequest, ExtensionState,
                                        SupervisionDocument)
from tracker.tasks.models import Receipt, ReceiptState, Task, task_cooperating_units
from tracker.units.models import Unit
from tracker.updates.models import EvidenceFile, StatusUpdate

TODAY = date(2026, 6, 30)
MAX_STATEMENTS = 25
FACTOR = 10
# 我的任务 as 青浦科创集团: lead of tasks 3 and 13, with a returned report awaiting resubmission in the seed,
# so every part of the page has rows before the growth too.
MINE_LOGIN = "kechuangjituan"
UTC = timezone.utc


def _rows_shown(html: str) -> int:
    """Table rows (header rows excluded) plus the review and update cards a page shows."""
    return html.count("<tr") - html.count("<thead") + html.count('id="review-') + html.count('id="update-')


def _statements(client, path: str, before_count=None) -> tuple[list[str], int]:
    engine = db.engine
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    client.get(path)  # warm-up: templates compiled, translations loaded
    if before_count is not None:
        before_count()
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    return statements, _rows_shown(response.text)


def _ids():
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == "青府发〔2025〕40号"))
    task = db.session.scalar(select(Task).where(Task.plan_id == plan.id, Task.number == "12"))
    unit_user = db.session.scalar(select(User).where(User.login == MINE_LOGIN))
    return plan.id, task.id, unit_user.unit_id


def _grow_tenfold() -> None:
    """Adds 10x the seed's tasks, updates, overdue items, submitted/returned updates, units and the task
    page's history, all in the seed's plan and units, by the seed's users."""
    plan_id, task_12_id, mine_unit = _ids()
    now = datetime(2026, 6, 29, 8, 0, tzinfo=UTC)
    groups = list(db.session.scalars(select(ActionGroup.id).where(ActionGroup.plan_id == plan_id)))
    seed_tasks = list(db.session.scalars(select(Task).where(Task.plan_id == plan_id).order_by(Task.id)))
    seed_updates = list(db.session.scalars(select(StatusUpdate).order_by(StatusUpdate.id)))
    unit_users = {user.unit_id: user.id for user in db.session.scalars(select(User).where(User.role == Role.unit))}
    coordinator = db.session.scalar(select(User.id).where(User.login == "coordinator"))
    lead_units = cycle([mine_unit] + sorted({task.lead_unit_id for task in seed_tasks}))

    # tasks: half overdue (due date passed, open), all missing their June report
    task_rows = []
    for k in range(FACTOR * len(seed_tasks)):
        task_rows.append(dict(
            plan_id=plan_id, group_id=groups[k % len(groups)], number=str(100 + k), sort_key=f"{100 + k:06d}",
            title=f"扩充任务{k}", text="", lead_unit_id=next(lead_units), start_on=date(2025, 11, 1),
            due_on=date(2026, 3 + k % 3, 15) if k % 2 == 0 else date(2026, 12, 31), reporting_cycle="monthly",
            report_day=25, status="in_progress", progress=10 + k % 80))
    db.session.execute(insert(Task), task_rows)
    new_tasks = list(db.session.scalars(select(Task).where(Task.plan_id == plan_id, Task.title.like("扩充任务%"))
                                        .order_by(Task.id)))
    cooperating = [dict(task_id=task.id, unit_id=mine_unit) for task in new_tasks[::3]
                   if task.lead_unit_id != mine_unit]
    db.session.execute(insert(task_cooperating_units), cooperating)

    def update(task_id, unit_id, period, state, percent=30, **extra):
        row = dict(task_id=task_id, unit_id=unit_id, author_id=unit_users[unit_id], period=period,
                   progress_text=f"{period}进展", percent=percent, problems="存在问题", next_steps="下一步",
                   submitted_at=datetime(2026, 6, 20, 2, 0, tzinfo=UTC), review_state=state,
                   reviewer_id=coordinator if state != "submitted" else None,
                   reviewed_at=now if state != "submitted" else None,
                   review_comment="请补充" if state == "returned" else "")
        row.update(extra)
        return row

    # accepted history for every new task (the overdue list shows the last accepted update)
    rows = [update(task.id, task.lead_unit_id, "2026-05", "accepted") for task in new_tasks]
    seed_submitted = sum(1 for u in seed_updates if u.review_state.value == "submitted")
    seed_returned = sum(1 for u in seed_updates if u.review_state.value == "returned")
    seed_12 = sum(1 for u in seed_updates if u.task_id == task_12_id)
    # the review queue: 10x the submitted updates, June reports of new tasks (not the overdue half)
    open_periods = cycle(task for task in new_tasks if task.due_on.year == 2026 and task.due_on.month == 12)
    for k in range(FACTOR * seed_submitted):
        task = next(open_periods)
        rows.append(update(task.id, task.lead_unit_id, f"2025-{11 + k % 2}", "submitted"))
    # 我的任务: 10x returned updates of the unit awaiting resubmission
    mine_tasks = cycle(task for task in new_tasks if task.lead_unit_id == mine_unit)
    for k in range(FACTOR * max(1, seed_returned)):
        rows.append(update(next(mine_tasks).id, mine_unit, f"2026-0{1 + k % 4}", "returned"))
    # the task page: 10x the updates of task 12, by the units (and users) that already reported on it
    units_12 = cycle(sorted({u.unit_id for u in seed_updates if u.task_id == task_12_id}))
    for k in range(FACTOR * seed_12):
        rows.append(update(task_12_id, next(units_12), f"2025-{11 + k % 2}",
                           ("accepted", "returned", "submitted")[k % 3]))
    db.session.execute(insert(StatusUpdate), rows)

    # evidence on every new update of task 12 and of the review queue
    with_evidence = db.session.scalars(select(StatusUpdate.id).where(
        StatusUpdate.id > max(u.id for u in seed_updates),
        (StatusUpdate.task_id == task_12_id) | (StatusUpdate.review_state == "submitted")))
    db.session.execute(insert(EvidenceFile), [
        dict(update_id=update_id, original_name="佐证.pdf", stored_name=f"budget-{update_id}.pdf", size=1000,
             sha256="0" * 64) for update_id in with_evidence])

    # the task page's audit trail: 10x its events, by the same actors
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.task_id == task_12_id)))
    db.session.execute(insert(AuditEvent), [
        dict(at=event_.at, actor_id=event_.actor_id, action=event_.action, object_type=event_.object_type,
             object_id=event_.object_id, task_id=task_12_id, changes=event_.changes, summary=event_.summary)
        for event_ in events for _ in range(FACTOR)])

    _grow_loop(new_tasks, unit_users, coordinator, now)

    # the unit register: 10x the units, half of them with a parent unit
    seed_units = list(db.session.scalars(select(Unit).order_by(Unit.id)))
    db.session.execute(insert(Unit), [
        dict(name=f"扩充单位{k}", short_name=f"扩充{k}", kind="other",
             parent_id=seed_units[k % len(seed_units)].id if k % 2 == 0 else None,
             notification_emails=f"unit{k}@example.gov.cn")
        for k in range(FACTOR * len(seed_units))])
    db.session.commit()


def _grow_loop(new_tasks, unit_users, coordinator, now) -> None:
    """The register (发文登记) and the requests queue: 10x the seed's documents (on the new tasks, to their
    lead units: issued, proposed, answered), 10x its pending 延期申请 and 办结申请 (one per task, as the
    database holds) and 10x its 退回交办 waiting to be re-assigned (each at least ten)."""
    def seed_count(model, *where) -> int:
        return max(1, db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    documents = FACTOR * seed_count(SupervisionDocument)
    extensions = FACTOR * seed_count(ExtensionRequest, ExtensionRequest.state == ExtensionState.pending)
    closures = FACTOR * seed_count(ClosureRequest, ClosureRequest.state == ClosureState.pending)
    refused = FACTOR * seed_count(Receipt, Receipt.state == ReceiptState.refused)
    assert max(extensions, closures, refused) <= len(new_tasks), "one request per task: grow the tasks first"
    tasks = cycle(new_tasks)
    rows = []
    for k in range(documents):
        task = next(tasks)
        state = ("issued", "proposed", "issued")[k % 3]
        rows.append(dict(
            kind=("supervision_notice", "urge_notice")[k % 2], state=state, prefix=("督办", "催办")[k % 2],
            year=2026 if state == "issued" else None, serial=50_000 + k if state == "issued" else None,
            task_id=task.id, unit_id=task.lead_unit_id, level=2 + k % 2, proposed_on=date(2026, 6, 1),
            issued_on=date(2026, 6, 2) if state == "issued" else None, overdue_days=k % 30,
            reply_by=date(2026, 6, 9) if state == "issued" else None,
            facts={"task_label": f"{task.number}. {task.title}"},
            replied_at=now if state == "issued" and k % 2 == 0 else None, reply_text=""))
    db.session.execute(insert(SupervisionDocument), rows)

    def request_row(task, k):
        return dict(task_id=task.id, unit_id=task.lead_unit_id, requested_by_id=unit_users[task.lead_unit_id],
                    requested_at=datetime(2026, 6, 1 + k % 28, 2, 0, tzinfo=UTC), state="pending")

    db.session.execute(insert(ExtensionRequest), [
        dict(request_row(task, k), due_on_before=task.due_on, requested_due_on=date(2027, 3, 31),
             reason=f"延期理由{k}", is_late=k % 2 == 0) for k, task in enumerate(new_tasks[:extensions])])
    db.session.execute(insert(ClosureRequest), [
        dict(request_row(task, k), due_on=task.due_on, summary=f"办结报告{k}")
        for k, task in enumerate(new_tasks[-closures:])])
    units = [task.lead_unit_id for task in new_tasks]
    db.session.execute(insert(Receipt), [
        dict(task_id=task.id, unit_id=task.lead_unit_id, role="lead", state="refused", assigned_at=now,
             assigned_by_id=coordinator, sign_by=date(2026, 6, 5), answered_at=datetime(2026, 6, 3 + k % 20, tzinfo=UTC),
             answered_by_id=unit_users[task.lead_unit_id], refusal_reason=f"不属于本单位职责{k}",
             suggested_unit_id=units[(k + 1) % len(units)] if k % 2 == 0 else None)
        for k, task in enumerate(new_tasks[:refused])])


def _task_12_path() -> str:
    return f"/tasks/{_ids()[1]}"


def _plan_path() -> str:
    return f"/plans/{_ids()[0]}"


def _proposal_path() -> str:
    """The first seed item with 承诺事项: its page has the 转为跟踪任务 forms with their 牵头单位 menus."""
    from tracker.proposals.models import Proposal

    proposal = next(p for p in db.session.scalars(select(Proposal).order_by(Proposal.id)) if p.commitments)
    return f"/proposals/{proposal.id}"


def _bulletin_path() -> str:
    """May's 督查通报 drafted from the seed (its figures are stored when drafted: the same rows after the growth)."""
    from tracker.bulletins.models import Bulletin
    from tracker.bulletins.services import draft_bulletin

    bulletin = db.session.scalar(select(Bulletin).where(Bulletin.month == "2026-05"))
    if bulletin is None:
        coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
        bulletin = draft_bulletin(coordinator, month_key="2026-05", today=TODAY)
        db.session.commit()
    return f"/bulletins/{bulletin.id}"


PAGES = [
    pytest.param("coordinator", lambda: "/overdue", id="overdue"),
    # read from the stored list (tracker/overdue/store.py), rebuilt before each count, rows rendered
    # every time (no fragment cache) so that an N+1 in the rows would show
    pytest.param("coordinator", lambda: "/overdue", id="overdue-stored", marks=pytest.mark.stored),
    pytest.param("coordinator", _plan_path, id="plan"),
    # the 督办台账: each task's 签收, ladder level, documents, extensions and closure in batch reads (issue 21)
    pytest.param("coordinator", lambda: f"{_plan_path()}/ledger", id="ledger"),
    pytest.param(MINE_LOGIN, lambda: "/tasks/mine", id="mine"),
    pytest.param("coordinator", lambda: "/reviews", id="reviews"),
    pytest.param("coordinator", lambda: "/units/", id="units"),
    # (task_updates() eager-loads each update's evidence: before, one SELECT per update shown.)
    pytest.param("coordinator", lambda: f"{_task_12_path()}?history=all", id="task"),
    # the task page as it opens: its history folded past the latest entries (the same statements, fewer rows)
    pytest.param("coordinator", _task_12_path, id="task-folded", marks=pytest.mark.same_rows),
    # 单位排名: the city-wide figures computed (snapshot dropped before each count) and read from the stored
    # snapshot, and a plan's (live); its rows are units, which the growth does not add to (10x tasks and
    # reports of the same units), so only the statements are compared.
    pytest.param("leader", lambda: "/units/scoreboard", id="scoreboard-computed",
                 marks=[pytest.mark.fresh_snapshot, pytest.mark.same_rows]),
    pytest.param("leader", lambda: "/units/scoreboard", id="scoreboard-stored", marks=pytest.mark.same_rows),
    pytest.param("leader", lambda: f"/units/scoreboard?plan_id={_ids()[0]}", id="scoreboard-plan",
                 marks=pytest.mark.same_rows),
    # the dashboard's drill-down: the page's tasks found first, their states, groups and loops in batches
    pytest.param("leader", lambda: "/dashboard/tasks", id="dashboard-tasks"),
    pytest.param("leader", lambda: "/dashboard/tasks?state=overdue", id="dashboard-tasks-overdue"),
    # each role's 工作台 (counts and short lists, not rows), the bulletins, the register and the requests queue
    pytest.param("coordinator", lambda: "/", id="workbench-coordinator", marks=pytest.mark.same_rows),
    pytest.param("leader", lambda: "/", id="workbench-leader", marks=pytest.mark.same_rows),
    pytest.param(MINE_LOGIN, lambda: "/", id="workbench-unit", marks=pytest.mark.same_rows),
    pytest.param("coordinator", lambda: "/bulletins", id="bulletins", marks=pytest.mark.same_rows),
    # an item page (its 牵头单位 menus list every unit: 10x the units, the same statements) and a bulletin
    # page (its per-unit rows paged), issue 24
    pytest.param("coordinator", _proposal_path, id="proposal", marks=pytest.mark.same_rows),
    pytest.param("coordinator", _bulletin_path, id="bulletin", marks=pytest.mark.same_rows),
    # the register (发文登记) and the requests queue: 10x documents, requests and 退回交办 (``_grow_loop``)
    pytest.param("coordinator", lambda: "/documents", id="register"),
    pytest.param("coordinator", lambda: "/requests", id="requests"),
]


def _drop_snapshots() -> None:
    from tracker.audit.snapshots import ReportSnapshot

    db.session.execute(ReportSnapshot.__table__.delete())
    db.session.commit()


@pytest.mark.parametrize("login,path_of", PAGES)
def test_statement_count_does_not_grow_with_rows(seeded, on_date, browser, login, path_of, app, request,
                                                  monkeypatch):
    on_date(TODAY)
    app.config["PAGE_SIZE"] = 10_000  # paged lists show every row here, so that an N+1 would show
    app.config["PICKER_MENU_LIMIT"] = 10_000  # menus stay menus (a search box would save a statement)
    stored = request.node.get_closest_marker("stored") is not None
    if stored:
        from tracker.common.fragments import FragmentCache
        from tracker.pages import tasks as task_views
        from tracker.overdue.store import refresh_overdue_entries

        app.config["OVERDUE_STORE"] = True
        monkeypatch.setattr(task_views, "OVERDUE_CONTENT", FragmentCache(size=0))
        refresh_overdue_entries(TODAY, rebuild=True)
    client = browser(login).client
    path = path_of()
    fresh = _drop_snapshots if request.node.get_closest_marker("fresh_snapshot") is not None else None
    same_rows = request.node.get_closest_marker("same_rows") is not None
    before, rows_shown_before = _statements(client, path, fresh)
    rows_before = db.session.scalar(select(func.count()).select_from(StatusUpdate))
    _grow_tenfold()
    if stored:
        refresh_overdue_entries(TODAY, rebuild=True)  # the rows were added directly, without audit events
    assert db.session.scalar(select(func.count()).select_from(StatusUpdate)) > FACTOR * rows_before
    if same_rows:
        _drop_snapshots()  # the rows were added directly, without audit events: the snapshot would hold
    after, rows_shown_after = _statements(client, path, fresh)
    if not same_rows:
        assert rows_shown_after >= 3 * rows_shown_before, (rows_shown_before, rows_shown_after)  # the page did grow
    extra = Counter(after) - Counter(before)
    repeated = "; ".join(f"{n}x {' '.join(sql.split())[:160]}" for sql, n in extra.most_common(3))
    assert len(after) == len(before), (
        f"{path}: {len(before)} statements with the seed, {len(after)} with 10x the rows; extra: {repeated}")
    # the city-wide scoreboard's figures computed (what the scheduler does to keep its snapshot): 20 reads
    limit = MAX_STATEMENTS + 5 if request.node.get_closest_marker("fresh_snapshot") is not None else MAX_STATEMENTS
    assert len(after) <= limit


def _shown(html: str, attribute: str) -> list[str]:
    import re

    return re.findall(rf'{attribute}="([^"]+)"', html)


def test_register_and_requests_are_paged_and_counted_in_full(seeded, on_date, browser, app, monkeypatch):
    """The register and each table of the requests queue show a page at a time: page 2 the next rows in
    the list's order, the count (共N件, the headings' （N）) the whole list, the filters kept in the links."""
    from tracker.supervision.queries import (pending_closures_query, pending_extensions_query,
                                             refused_assignments_query)
    from tracker.supervision.register import register_query

    on_date(TODAY)
    _grow_tenfold()
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    client = browser("coordinator").client
    with app.test_request_context():
        documents = [str(d.id) for d in db.session.scalars(register_query())]
        proposed = [str(d.id) for d in db.session.scalars(register_query(state="proposed"))]
        coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
        queues = {name: [f"{name}-{r.id}" for r in db.session.scalars(query(coordinator))] for name, query in
                  (("extension", pending_extensions_query), ("closure", pending_closures_query),
                   ("refused", refused_assignments_query))}
    assert len(documents) > 4 and len(proposed) > 2 and all(len(ids) > 4 for ids in queues.values())

    first, second = client.get("/documents").text, client.get("/documents?page=2").text
    assert _shown(first, "data-document") == documents[:2] and _shown(second, "data-document") == documents[2:4]
    assert f"共{len(documents)}件" in first and f"共{len(documents)}件" in second
    page = client.get("/documents?state=proposed&page=2").text
    assert _shown(page, "data-document") == proposed[2:4] and f"共{len(proposed)}件" in page
    pager = page[page.index('class="pagination'):]
    assert "?state=proposed&page=1" in pager, pager[:700]  # the filter kept in the page links

    both = client.get("/requests?extensions_page=2").text  # one table's page; the others stay on their first
    shown = _shown(both, "data-request")
    assert [r for r in shown if r.startswith("extension-")] == queues["extension"][2:4]
    assert [r for r in shown if r.startswith("closure-")] == queues["closure"][:2]
    for name, param in (("extension", "extensions_page"), ("closure", "closures_page"), ("refused", "refused_page")):
        page = client.get(f"/requests?kind={name}&{param}=2").text
        assert _shown(page, "data-request") == queues[name][2:4], name
        assert f"（{len(queues[name])}）" in page, name  # the heading counts the whole list
        assert f"kind={name}&{param}=3" in page, name  # the next page keeps the table chosen
