"""History in plain language (tracker/audit/sentences.py): no page of the seeded demo shows a raw event
code or field name; every action code the code writes has a sentence; sentences name units, fields and
values as a person would."""
from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.audit.sentences import SENTENCES, describe
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.proposals.models import Proposal
from tracker.tasks.models import Task
from tracker.units.models import Unit

ROOT = Path(__file__).resolve().parent.parent
# What the old trail showed: event codes (task.escalated, update.accepted, indicator_reading.submitted) and
# changes as "field: a → b" (review_state: submitted → accepted).
EVENT_CODE = re.compile(r"\b[a-z][a-z_]+\.[a-z][a-z_]+\b")
FIELD_CHANGE = re.compile(r"\b[a-z][a-z_]*\s*:\s*[^<>\n]*→")
SNAKE_FIELD = re.compile(r"\b[a-z]+_[a-z_]+\b")


def _visible_text(page: str) -> str:
    """The page's text as a reader sees it: no tags, scripts, styles or attribute values."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]*>", " ", page)
    return html.unescape(page)


def _raw_codes(text: str) -> list[str]:
    text = re.sub(r"[\w.+-]+@[\w.-]+", " ", text)  # e-mail addresses (qingxiban.ducha@…) are data
    text = re.sub(r"(https?://|/)[\w/.-]*(\?[^\s]*)?", " ", text)  # links in emails (/overdue?unit_id=3)
    found = [m for m in EVENT_CODE.findall(text) if not re.fullmatch(r"[a-z_]+\.(gov|com|cn|org|net|json|txt|docx|xlsx|pdf|csv)", m)]
    found += FIELD_CHANGE.findall(text)
    found += SNAKE_FIELD.findall(text)
    return found


def _history_of(page: str) -> str:
    match = re.search(r'(?s)<ol class="list-unstyled small audit-trail">(.*?)</ol>', page)
    assert match, "the page has no 操作留痕"
    return _visible_text(match.group(1))


# The states an f-string action code of a decision can end in, by its prefix (default: a review's).
DECIDED_STATES = {"extension": ("approved", "rejected"), "closure": ("verified", "returned")}


def _actions_written_by_the_code() -> set[str]:
    """Action codes in record(...)/record_many(...) calls of tracker/ and seeds/ (f-strings expanded)."""
    found = set()
    for path in list((ROOT / "tracker").rglob("*.py")) + list((ROOT / "seeds").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r"record(?:_many)?\(\s*[^,]+,\s*(f?)\"([a-z_]+)\.([a-z_{}.]+)\"", source):
            is_f, prefix, suffix = match.groups()
            if is_f and "{" in suffix:  # f"update.{update.review_state.value}" and the like
                found.update(f"{prefix}.{state}" for state in DECIDED_STATES.get(prefix, ("submitted", "accepted",
                                                                                          "returned")))
            else:
                found.add(f"{prefix}.{suffix}")
    return found


def test_every_action_the_code_writes_has_a_sentence():
    actions = _actions_written_by_the_code()
    assert {"update.accepted", "task.escalated", "import.applied", "webhook.tested"} <= actions  # the scan works
    assert sorted(actions - set(SENTENCES)) == []


def test_no_task_page_or_admin_page_of_the_demo_shows_an_event_code_or_field_name(seeded, browser, app):
    app.config["NOW"] = "2026-06-30T10:00"
    from tracker.reminders.jobs import run_reminders

    run_reminders()  # escalations (task.escalated) join the trails
    coordinator, admin = browser("coordinator"), browser("admin")
    task_ids = list(db.session.scalars(select(Task.id).order_by(Task.id)))
    assert len(task_ids) >= 16
    pages = {f"/tasks/{task_id}": coordinator.get(f"/tasks/{task_id}").text for task_id in task_ids}
    for proposal_id in db.session.scalars(select(Proposal.id)):
        pages[f"/proposals/{proposal_id}"] = coordinator.get(f"/proposals/{proposal_id}").text
    plan_id = db.session.scalar(select(Plan.id).order_by(Plan.id))
    for url in ("/units/", "/admin/outbox", "/admin/calendar", "/admin/webhooks", "/imports/",
                f"/plans/{plan_id}", f"/plans/{plan_id}/reminders", "/account/tokens", "/notifications"):
        response = admin.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        pages[url] = response.text
    events = 0
    for url, page in pages.items():
        if url.startswith("/tasks/"):
            trail = _history_of(page)
            events += trail.count("\n    ")
            assert _raw_codes(trail) == [], url
        assert _raw_codes(_visible_text(page)) == [], (url, _raw_codes(_visible_text(page))[:20])
    assert events > 60
    trails = " ".join(_history_of(page) for url, page in pages.items() if url.startswith("/tasks/"))
    assert "区府办督查科 采纳了 区科委 2026年6月的报送" in trails
    assert "将任务提请领导督办：已逾期" in trails and "个工作日" in trails
    assert "牵头单位：区科委" in trails and "完成时限：2026-04-30" in trails


def test_a_task_edit_reads_as_labelled_changes_with_unit_names(seeded, browser, on_date):
    on_date(date(2026, 6, 30))
    from tracker.auth.models import User
    from tracker.tasks.services import save_task

    task = db.session.scalar(select(Task).where(Task.number == "12"))
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    new_lead = db.session.scalar(select(Unit).where(Unit.short_name == "区发改委"))
    old_lead, task_id = task.lead_unit.short_name, task.id
    save_task(coordinator, task.plan, task, number=task.number, title=task.title, text=task.text + "（修订）",
              group_id=task.group_id, parent_id=None, lead_unit_id=new_lead.id,
              cooperating_unit_ids=[u.id for u in task.cooperating_units], start_on=task.start_on,
              due_on=date(2026, 6, 30), reporting_cycle=task.reporting_cycle, report_day=task.report_day,
              status=task.status, progress=task.progress, today=date(2026, 6, 30), expected_version=task.version)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.updated"))
    assert event.changes["due_on"] == ["2026-04-30", "2026-06-30"]  # the raw record stays as it was
    entry = describe([event])[0]
    assert entry.text == "区府办督查科 修改了任务"
    assert "完成时限 由 2026-04-30 调整为 2026-06-30" in entry.details
    assert f"牵头单位 由 {old_lead} 调整为 区发改委" in entry.details
    assert "修改了内容" in entry.details
    page = browser("coordinator").get(f"/tasks/{task_id}").text
    assert "完成时限 由 2026-04-30 调整为 2026-06-30" in _history_of(page)


def test_an_unknown_action_gets_a_generic_sentence_and_never_its_code(seeded):
    unit = db.session.scalar(select(Unit).order_by(Unit.id))
    event = AuditEvent(action="unit.merged_into", object_type="units", object_id=unit.id,
                       changes={"parent_id": [None, unit.id], "secret_code": ["a", "b"]}, summary="")
    entry = describe([event])[0]
    assert entry.text == "系统 处理了 单位"
    assert entry.details == [f"上级单位 设为 {unit.short_name}", "其他信息 由 a 调整为 b"]
    assert not _raw_codes(" ".join([entry.text, *entry.details]))


def test_history_reads_in_english_for_an_english_user(seeded, app):
    from flask_babel import force_locale

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update.accepted"))
    with app.test_request_context("/"), force_locale("en"):
        entry = describe([event])[0]
    assert re.fullmatch(r".+ accepted the report of .+ for [A-Z][a-z]+ 2026", entry.text), entry.text
    assert not re.search(r"[\u4e00-\u9fff]", entry.text.replace(event.actor.display_name, "").split(" of ")[0])
