"""Catching up after downtime (must show 4), per-plan settings (must show 5), review-event emails."""
import re
from datetime import date, datetime

from sqlalchemy import select

from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.reminders.jobs import run_reminders
from tracker.outbox.models import Notification
from tracker.reminders.models import Escalation
from tracker.tasks.models import Task
from tracker.updates.models import StatusUpdate


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def _kinds(messages):
    return sorted(m.key.rsplit(":", 1)[0] for m in messages)


def test_restart_after_three_working_days_sends_missed_reminders_once_and_none_for_closed_periods(seeded, smtp):
    run_reminders(at("2026-09-21T09:05"))
    seen = len(smtp.inbox.messages)
    # Down on Sep 22, 23 and 24 (working days); Sep 25-27 is the Mid-Autumn holiday; restart Sep 28.
    run_reminders(at("2026-09-28T09:05"))
    caught_up = smtp.inbox.messages[seen:]
    keys = [m.key for m in caught_up]
    task_ids = {t.number: t.id for t in db.session.scalars(select(Task))}
    # The 5-working-day deadline reminders of Sep 22 for tasks due Sep 30 are still useful: sent once.
    missed = sorted(k.split(":")[1] for k in keys if k.startswith("deadline:") and ":5:" in k)
    assert missed and set(missed) == {str(task_ids[n]) for n in ("8", "9", "10")}
    # The September report day (Sep 24) has passed: its same-day reminders are not sent late.
    assert not [k for k in keys if k.startswith("report_due:") and ":2026-09:" in k]
    # Only today's digest, not one per missed day.
    assert len([k for k in keys if k.startswith("overdue_digest:")]) == 7
    assert all(":2026-09-28:" in k for k in keys if k.startswith("overdue_digest:"))
    again = len(smtp.inbox.messages)
    run_reminders(at("2026-09-28T11:00"))
    assert len(smtp.inbox.messages) == again


def test_settings_page_changes_offsets_and_the_next_run_follows(seeded, smtp, browser):
    coordinator = browser("coordinator")
    page = coordinator.get("/plans/1/reminders").text
    assert 'value="10,5,1"' in page
    response = coordinator.post("/plans/1/reminders", {
        "report_due_offsets": "2", "deadline_offsets": "7", "escalate_after_days": "20",
        "overdue_digest_enabled": ""}, token_from="/plans/1/reminders")
    assert response.status_code == 302
    # Bad input is refused with a message and changes nothing.
    response = coordinator.post("/plans/1/reminders", {
        "report_due_offsets": "abc", "deadline_offsets": "7", "escalate_after_days": "20"},
        token_from="/plans/1/reminders")
    assert "提醒天数须为0至60之间的整数" in response.text
    run_reminders(at("2026-09-16T09:05"))  # was the 10-day reminder for Sep 30
    assert not [m for m in smtp.inbox.messages if m.key.startswith("deadline:")]
    run_reminders(at("2026-09-20T09:05"))  # Sunday 调休 working day: 7 working days before Sep 30
    deadline = [m for m in smtp.inbox.messages if m.key.startswith("deadline:")]
    assert deadline and all(":7:" in m.key for m in deadline)
    assert "7个工作日后到期" in deadline[0].subject
    run_reminders(at("2026-09-22T09:05"))  # 2 working days before the Sep 24 report day
    report = [m for m in smtp.inbox.messages if m.key.startswith("report_due:")]
    assert report and all(m.key.split(":")[3] == "2" for m in report)
    assert not [m for m in smtp.inbox.messages if m.key.startswith("overdue_digest:")]  # switched off
    # 督办升级 is recorded (the task page's badge) and sends nothing of its own: leaders hear from the ladder.
    escalated_days = [e.overdue_days for e in db.session.scalars(select(Escalation))]
    assert escalated_days and min(escalated_days) > 20  # limit now 20 working days
    assert not [m for m in smtp.inbox.messages if m.key.startswith("escalation:")]


def test_escalation_badge_and_history_on_the_task_page(seeded, smtp, browser, on_date):
    on_date(date(2026, 9, 14))
    run_reminders(at("2026-09-14T09:05"))
    escalated = {e.task.number for e in db.session.scalars(select(Escalation))}
    assert escalated == {"3", "11", "12", "15"}
    task_id = db.session.scalar(select(Task.id).where(Task.number == "3"))
    page = browser("leader").get(f"/tasks/{task_id}").text
    assert 'id="escalated"' in page and "督办升级记录" in page and "将任务提请领导督办" in page


def test_returned_and_resubmitted_updates_are_emailed_at_once(seeded, smtp, browser, on_date):
    from tracker.reminders.sender import send_pending
    from tracker.common.clock import utcnow

    on_date(date(2026, 6, 30))
    update = db.session.scalar(select(StatusUpdate).where(StatusUpdate.review_state == "submitted"))
    update_id, unit_email = update.id, update.unit.email_list[0]
    author_login = update.author.login
    coordinator = browser("coordinator")
    coordinator.post(f"/updates/{update_id}/review", {"reject": "1", "comment": "请补充佐证材料。", "version": "1"},
                     token_from="/reviews")
    send_pending(utcnow())
    returned = smtp.inbox.to(unit_email)
    assert len(returned) == 1 and returned[0].subject.startswith("【报送退回】")
    assert "请补充佐证材料。" in returned[0].text and f"/updates/{update_id}/resubmit" in returned[0].text
    unit = browser(author_login)
    assert "报送退回" in unit.get("/notifications").text
    url = f"/updates/{update_id}/resubmit"
    period = re.search(r'<option selected value="([^"]+)"', unit.get(url).text).group(1)
    unit.post(url, {"period": period, "progress_text": "已补充佐证材料。", "percent": "50"}, token_from=url)
    send_pending(utcnow())
    to_coordinator = smtp.inbox.to("coordinator@example.gov.cn")
    assert len(to_coordinator) == 1 and to_coordinator[0].subject.startswith("【待审核】")
    assert db.session.scalar(select(Notification).where(Notification.kind == "update_resubmitted")).recipient_user_id
