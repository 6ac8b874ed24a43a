"""Proposals get the reminder machinery: reply due soon, overdue in the digest and on the overdue list;
a reply's commitment becomes a task that gets the same deadline reminders."""
from datetime import date, datetime

from sqlalchemy import select

from seeds.units import UNITS

from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.proposals.models import Proposal
from tracker.proposals.services import commitment_to_task, save_proposal
from tracker.reminders.jobs import run_reminders
from tracker.units.models import Unit


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def _unit(short_name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.short_name == short_name))


def test_a_reply_due_soon_then_overdue(seeded, smtp, browser, on_date):
    fagaiwei = _unit("区发改委")
    save_proposal(None, None, meeting="区政协十五届六次会议", number="0301", title="关于加密西岑园公交线路的建议",
                  proposers="王五委员", main_unit_id=fagaiwei.id, assigned_on=date(2026, 6, 30),
                  reply_due_on=date(2026, 9, 30))
    db.session.commit()
    run_reminders(at("2026-09-16T09:05"))  # 10 working days before Sep 30
    due = [m for m in smtp.inbox.to("fagaiwei@example.gov.cn") if m.key.startswith("proposal_due:")]
    assert len(due) == 1
    assert due[0].subject == "【提案办理提醒】区政协十五届六次会议第0301号 关于加密西岑园公交线路的建议 10个工作日后答复到期"
    run_reminders(at("2026-10-08T09:05"))  # first working day after National Day: 1 working day late
    digest = [m for m in smtp.inbox.to("fagaiwei@example.gov.cn") if m.key.startswith("overdue_digest:")
              and ":2026-10-08:" in m.key]
    assert len(digest) == 1 and "关于加密西岑园公交线路的建议" in digest[0].text and "答复逾期的提案" in digest[0].text
    on_date(date(2026, 10, 8))
    page = browser("leader").get("/overdue").text
    assert "答复逾期的提案" in page and 'data-proposal="第0301号"' in page


def test_a_commitment_becomes_a_task_that_gets_reminders(seeded, smtp, browser, on_date):
    proposal = db.session.scalar(select(Proposal).where(Proposal.number == "第155129号"))
    unit = proposal.main_unit
    task = commitment_to_task(None, proposal, "持续推进沿沪宁产业创新带协同创新，年内完成项目对接20项。",
                              due_on=date(2026, 12, 31), today=date(2026, 11, 2))
    db.session.commit()
    task_id, email = task.id, unit.email_list[0]
    on_date(date(2026, 11, 2))
    login = next(u["login"] for u in UNITS if u["short_name"] == unit.short_name)
    mine = browser(login).get("/tasks/mine").text
    assert f"/tasks/{task_id}" in mine
    run_reminders(at("2026-12-17T09:05"))  # 10 working days before Dec 31
    deadline = [m for m in smtp.inbox.to(email) if m.key.startswith(f"deadline:{task_id}:")]
    assert len(deadline) == 1 and "10个工作日后到期" in deadline[0].subject
