"""Reopening undoes what closing did (issue 21, must show 4). On the seeded demo (2026-06-30) task 6
(区经委, due 2026-12-31, its June report accepted at 55 %) is closed through the loop (办结申请, 核查销号)
and then reopened from its page: its status, progress, the ledger, the public page, the scoreboard and
考评, and the June 通报 drafted next are exactly what they were before it was closed."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from tests.loop_helpers import close_task
from tracker.auth.models import User
from tracker.bulletins.queries import month_figures
from tracker.reports.queries import unit_scores
from tracker.bulletins.services import default_text, draft_bulletin
from tracker.extensions import db
from tracker.public.queries import public_groups
from tracker.reports.queries import Scope, ledger_rows, scoreboard
from tracker.tasks.models import Task, TaskStatus

DAY = date(2026, 6, 30)
JUNE = date(2026, 6, 1)


def _task() -> Task:
    return db.session.scalar(select(Task).where(Task.number == "6"))


def _what_everyone_sees() -> dict:
    task = _task()
    ledger = {row.task.number: (row.state, row.overdue_days, row.task.progress,
                                row.latest_accepted.id if row.latest_accepted else None)
              for row in ledger_rows(DAY, Scope(plan_id=task.plan_id))}
    public = {entry.number: (entry.state, entry.progress, entry.summary_period)
              for group in public_groups(task.plan, DAY) for entry in group.tasks}
    board = {row.unit.short_name: (row.tasks_led, row.completed, row.completed_on_time, row.overdue, row.reports_due,
                                   row.reports_on_time, row.score_total)
             for row in scoreboard(DAY, Scope())}
    scores = {unit_id: (dict(score.counts), dict(score.points)) for unit_id, score in unit_scores(DAY, Scope()).items()}
    figures = month_figures(JUNE, DAY)
    return {"task": (task.status, task.progress, task.completed_on), "ledger": ledger["6"], "public": public["6"],
            "board": board, "scores": scores, "closures": figures["closures"], "figures": figures}


def test_a_closure_verified_then_reopened_leaves_everything_as_if_never_closed(seeded, on_date, browser):
    on_date(DAY)
    before = _what_everyone_sees()
    assert before["task"] == (TaskStatus.in_progress, 55, None) and before["closures"] == []

    close_task(_task(), DAY)
    db.session.commit()
    closed = _what_everyone_sees()
    # Closing changed every one of them (so the comparison below cannot pass on its own):
    assert closed["task"] == (TaskStatus.completed, 100, DAY)
    assert closed["ledger"][0] == "completed" and closed["public"][1] == 100
    assert closed["board"]["区经委"][1:3] == (before["board"]["区经委"][1] + 1, before["board"]["区经委"][2] + 1)
    unit_id = _task().lead_unit_id
    assert closed["scores"][unit_id][0]["closures_on_time"] == before["scores"][unit_id][0]["closures_on_time"] + 1
    assert [c["task_id"] for c in closed["closures"]] == [_task().id]

    coordinator = browser("coordinator")
    task = _task()
    response = coordinator.post(f"/tasks/{task.id}/reopen", {"reason": "核查发现配套设施尚未验收", "version": task.version},
                                token_from=f"/tasks/{task.id}")
    assert response.status_code == 302
    after = _what_everyone_sees()
    for part in ("task", "ledger", "public", "board", "scores", "closures", "figures"):
        assert after[part] == before[part], part

    # The scoreboard's 考评 breakdown shows no "按期办结销号" for 区经委 any more.
    html = browser("leader").get("/units/scoreboard").text
    row = re.search(r'<tr data-score-unit="区经委">.*?</tr>', html, re.S).group(0)
    assert 'data-component="closures_on_time" data-count="0"' in row

    # The task page: progress back to the last accepted report (55 %), the closure marked as taken back.
    page = coordinator.get(f"/tasks/{task.id}").text
    assert "55%" in page and "已重新打开，销号撤销" in page
    assert "核查发现配套设施尚未验收" in page  # the reason, in the history

    # The next 通报 drafted for June counts no closure and says what it would have said before.
    bulletin = draft_bulletin(db.session.scalar(select(User).where(User.login == "coordinator")), month_key="2026-06",
                              today=DAY)
    db.session.commit()
    assert bulletin.figures["closures"] == [] and bulletin.body == default_text(before["figures"], JUNE)


def test_reopening_a_task_without_accepted_reports_goes_back_to_its_progress_before_closing(seeded, on_date):
    """Task 16 (not started, no report): closed and reopened, it is not started at 0 % again."""
    from tracker.supervision.services import reopen_task

    on_date(DAY)
    task = db.session.scalar(select(Task).where(Task.number == "16"))
    assert (task.status, task.progress) == (TaskStatus.not_started, 0)
    close_task(task, DAY)
    db.session.commit()
    reopen_task(db.session.scalar(select(User).where(User.login == "coordinator")), _reload(task.id), reason="误销号")
    db.session.commit()
    task = _reload(task.id)
    assert (task.status, task.progress, task.completed_on) == (TaskStatus.not_started, 0, None)


def _reload(task_id: int) -> Task:
    return db.session.get(Task, task_id)
