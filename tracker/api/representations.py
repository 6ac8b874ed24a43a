"""Objects as JSON: dates in ISO 8601, enums as their values, decimals as strings (exact).

The shapes here are the response schemas of openapi.py; tests/api/test_schemathesis.py checks that
every response conforms.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import url_for

from tracker.auth.models import User
from tracker.plans.models import Plan, PlanStatus
from tracker.tasks.models import Task
from tracker.tasks.queries import OPEN_STATUSES
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def enum_value(value: Enum | None) -> str | None:
    return value.value if value is not None else None


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def unit_ref(unit: Unit | None) -> dict | None:
    if unit is None:
        return None
    return {"id": unit.id, "name": unit.name, "short_name": unit.short_name}


def user_ref(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "display_name": user.display_name}


def unit_json(unit: Unit) -> dict:
    return {"id": unit.id, "name": unit.name, "short_name": unit.short_name, "kind": enum_value(unit.kind),
            "parent_id": unit.parent_id, "contact_person": unit.contact_person, "phone": unit.phone,
            "notification_emails": unit.email_list}


def plan_json(plan: Plan) -> dict:
    return {"id": plan.id, "title": plan.title, "short_name": plan.short_name, "doc_number": plan.doc_number,
            "issuer": plan.issuer, "issued_on": iso(plan.issued_on), "period_start": iso(plan.period_start),
            "period_end": iso(plan.period_end), "kind": enum_value(plan.kind), "status": enum_value(plan.status),
            "created_at": iso(plan.created_at), "version": plan.version,
            "groups": [{"id": group.id, "position": group.position, "number": group.number, "title": group.title}
                       for group in plan.groups]}


def task_json(task: Task, today: date, *, original_due_on: date | None, escalation_level: int) -> dict:
    """``original_due_on`` (原定时限) and ``escalation_level`` (督办等级 0–4) come from the 督办 loop's
    rows, read for a whole page at once (tracker.api.views.loop_facts)."""
    overdue = (task.plan.status == PlanStatus.active and task.status in OPEN_STATUSES
               and task.due_on is not None and task.due_on < today)
    return {"id": task.id, "plan_id": task.plan_id, "group_id": task.group_id, "parent_id": task.parent_id,
            "number": task.number, "title": task.title, "text": task.text, "lead_unit": unit_ref(task.lead_unit),
            "cooperating_units": [unit_ref(unit) for unit in task.cooperating_units],
            "start_on": iso(task.start_on), "due_on": iso(task.due_on), "original_due_on": iso(original_due_on),
            "escalation_level": escalation_level, "reporting_cycle": enum_value(task.reporting_cycle),
            "report_day": task.report_day,
            "status": enum_value(task.status), "progress": task.progress, "completed_on": iso(task.completed_on),
            "overdue": overdue, "created_at": iso(task.created_at), "updated_at": iso(task.updated_at),
            "version": task.version}


def update_json(update: StatusUpdate) -> dict:
    return {"id": update.id, "task_id": update.task_id, "unit": unit_ref(update.unit),
            # Only the lead unit's update is the task's report; a cooperating unit's is recorded beside it.
            "counts_as_report": update.unit_id == update.task.lead_unit_id,
            "author": user_ref(update.author), "period": update.period, "progress_text": update.progress_text,
            "percent": update.percent, "problems": update.problems, "next_steps": update.next_steps,
            "submitted_at": iso(update.submitted_at), "review_state": enum_value(update.review_state),
            "reviewer": user_ref(update.reviewer), "reviewed_at": iso(update.reviewed_at),
            "review_comment": update.review_comment, "resubmission_of_id": update.resubmission_of_id,
            "evidence": [{"id": file.id, "original_name": file.original_name, "content_type": file.content_type,
                          "size": file.size} for file in update.evidence],
            "version": update.version}


def proposal_json(proposal, *, with_reply_text: bool = False, key=None) -> dict:
    """An item of the register; ``key``: its ``KeyProposal`` when it is a 重点提案 (tracker.proposals.key_items)."""
    data = {"id": proposal.id, "kind": enum_value(proposal.kind), "meeting": proposal.meeting,
            "number": proposal.number, "title": proposal.title,
            "proposers": proposal.proposers, "main_unit": unit_ref(proposal.main_unit),
            "co_units": [unit_ref(unit) for unit in proposal.co_units], "assigned_on": iso(proposal.assigned_on),
            "reply_due_on": iso(proposal.reply_due_on), "state": enum_value(proposal.state),
            "reply_doc_number": proposal.reply_doc_number, "reply_on": iso(proposal.reply_on),
            "result_category": proposal.result_category, "publicity": proposal.publicity,
            "feedback": proposal.feedback, "rehandling_count": proposal.rehandling_count,
            "follow_up_plan_id": proposal.follow_up_plan_id,
            "commitments": [_commitment(item) for item in (proposal.commitments or []) if isinstance(item, dict)],
            "created_at": iso(proposal.created_at), "updated_at": iso(proposal.updated_at),
            "version": proposal.version,
            "is_key": key is not None, "key_leader": user_ref(key.leader) if key is not None else None}
    if with_reply_text:
        data["reply_text"] = proposal.reply_text
    return data


def proposal_ladder_json(proposal, ladder) -> dict:
    """The item's 督办 ladder (tracker.supervision.proposal_ladder.ProposalLadder): the level reached on the
    reply deadline in force, by unit, and every step with its document (number, download address)."""
    from tracker.supervision.ladder import LEVEL_LABELS

    return {"due_on": iso(proposal.reply_due_on), "level": ladder.level,
            "units": [{"unit": unit_ref(unit), "level": level, "level_label": str(LEVEL_LABELS[level])}
                      for unit, level in ladder.unit_levels(proposal.reply_due_on)],
            "steps": [{"id": step.id, "level": step.level, "level_label": str(LEVEL_LABELS[step.level]),
                       "unit": unit_ref(step.unit), "due_on": iso(step.due_on), "overdue_days": step.overdue_days,
                       "reached_on": iso(step.reached_on), "current": step.due_on == proposal.reply_due_on,
                       "document": _ladder_document_json(proposal, step.document)} for step in ladder.steps]}


def _ladder_document_json(proposal, document) -> dict | None:
    if document is None or document.is_proposed:  # 待印发: no number yet
        return None
    return {"id": document.id, "number": document.number, "kind": enum_value(document.kind),
            "state": enum_value(document.state), "issued_on": iso(document.issued_on),
            "reply_by": iso(document.reply_by),
            "url": url_for("api.proposal_document", proposal_id=proposal.id, document_id=document.id)}


def proposal_detail_json(proposal, history, ladder, signed_reply=None, key=None) -> dict:
    """An item with its points, proposers, receipts of 交办 and its steps (``history``: the entries of
    tracker.audit.sentences.describe, oldest first, as the item's page tells them), its signed 答复函
    (``signed_reply``, a ``SignedReplyLetter`` or None), its ``KeyProposal`` (``key``, 重点提案) and its 督办
    ladder (``ladder``, see ``proposal_ladder_json``)."""
    return {**proposal_json(proposal, with_reply_text=True, key=key),
            "ladder": proposal_ladder_json(proposal, ladder),
            "signed_reply": signed_reply_json(proposal, signed_reply),
            "points": [str(point) for point in (proposal.points or [])],
            "people": [proposer_json(person) for person in proposal.people],
            "receipts": [proposal_receipt_json(receipt) for receipt in proposal.receipts],
            "history": [{"at": iso(entry.at), "actor": entry.actor, "action": entry.action, "text": entry.text,
                         "details": [str(detail) for detail in entry.details], "note": entry.note}
                        for entry in history]}


def signed_reply_json(proposal, letter) -> dict | None:
    """The 盖章答复函's file as uploaded (None before any), with the address to download it."""
    if letter is None:
        return None
    return {"original_name": letter.original_name, "content_type": letter.content_type, "size": letter.size,
            "sha256": letter.sha256, "uploaded_at": iso(letter.uploaded_at), "uploaded_by": user_ref(letter.uploaded_by),
            "url": url_for("api.signed_reply", proposal_id=proposal.id)}


def proposer_json(person) -> dict:
    return {"id": person.id, "position": person.position, "name": person.name, "group": person.group,
            "contact": person.contact}


def proposal_receipt_json(receipt) -> dict:
    """交办签收 of one unit: pending, signed (签收) or returned (退回, with its reason)."""
    state = "signed" if receipt.signed_at else "returned" if receipt.returned_at else "pending"
    return {"id": receipt.id, "unit": unit_ref(receipt.unit), "role": enum_value(receipt.role), "state": state,
            "assigned_on": iso(receipt.assigned_on), "sign_due_on": iso(receipt.sign_due_on),
            "signed_at": iso(receipt.signed_at), "returned_at": iso(receipt.returned_at),
            "return_reason": receipt.return_reason}


def _commitment(item: dict[str, Any]) -> dict:
    due_hint = item.get("due_hint")
    return {"text": str(item.get("text") or ""), "due_hint": str(due_hint) if due_hint else None}


def indicator_json(indicator, today: date) -> dict:
    from tracker.indicators.services import progress

    state = progress(indicator, today)
    return {"id": indicator.id, "plan_id": indicator.plan_id, "task_id": indicator.task_id,
            "responsible_unit": unit_ref(indicator.responsible_unit), "name": indicator.name,
            "unit_of_measure": indicator.unit_of_measure, "baseline": decimal_text(indicator.baseline),
            "baseline_on": iso(indicator.baseline_on), "target_value": decimal_text(indicator.target_value),
            "target_on": iso(indicator.target_on), "direction": enum_value(indicator.direction),
            "note": indicator.note, "version": indicator.version,
            "progress": {"state": state.state, "current": decimal_text(state.current),
                         "current_period": state.current_period, "percent": state.percent,
                         "expected_today": decimal_text(state.expected_today),
                         "expected_percent": state.expected_percent, "achieved": state.achieved,
                         "behind": state.behind}}


# --- the 督办 loop (tracker.supervision) ----------------------------------------------------------------

def evidence_json(files) -> list[dict]:
    return [{"id": file.id, "original_name": file.original_name, "content_type": file.content_type,
             "size": file.size} for file in files]


def receipt_json(receipt) -> dict:
    """签收: one unit's receipt of a task assigned to it (newest first per task)."""
    return {"id": receipt.id, "task_id": receipt.task_id, "unit": unit_ref(receipt.unit), "role": receipt.role,
            "state": enum_value(receipt.state), "assigned_at": iso(receipt.assigned_at),
            "assigned_by": user_ref(receipt.assigned_by), "sign_by": iso(receipt.sign_by),
            "answered_at": iso(receipt.answered_at), "answered_by": user_ref(receipt.answered_by),
            "refusal_reason": receipt.refusal_reason, "suggested_unit": unit_ref(receipt.suggested_unit),
            "version": receipt.version}


def extension_json(extension) -> dict:
    """延期申请 and its decision."""
    return {"id": extension.id, "task_id": extension.task_id, "unit": unit_ref(extension.unit),
            "requested_by": user_ref(extension.requested_by), "requested_at": iso(extension.requested_at),
            "due_on_before": iso(extension.due_on_before), "requested_due_on": iso(extension.requested_due_on),
            "reason": extension.reason, "is_late": extension.is_late, "state": enum_value(extension.state),
            "decided_by": user_ref(extension.decided_by), "decided_at": iso(extension.decided_at),
            "approved_due_on": iso(extension.approved_due_on), "decision_comment": extension.decision_comment,
            "evidence": evidence_json(extension.evidence), "version": extension.version}


def closure_json(closure) -> dict:
    """办结申请 and its 核查 (verified = 销号, or returned)."""
    return {"id": closure.id, "task_id": closure.task_id, "unit": unit_ref(closure.unit),
            "requested_by": user_ref(closure.requested_by), "requested_at": iso(closure.requested_at),
            "due_on": iso(closure.due_on), "summary": closure.summary, "state": enum_value(closure.state),
            "decided_by": user_ref(closure.decided_by), "decided_at": iso(closure.decided_at),
            "decision_comment": closure.decision_comment, "evidence": evidence_json(closure.evidence),
            "version": closure.version}


def document_json(document) -> dict:
    """A 催办单 / 督办通知单 as issued, with its 反馈 (the Word file is on the task page)."""
    return {"id": document.id, "number": document.number, "kind": enum_value(document.kind),
            "task_id": document.task_id, "unit": unit_ref(document.unit), "level": document.level,
            "issued_on": iso(document.issued_on), "overdue_days": document.overdue_days,
            "reply_by": iso(document.reply_by), "replied_at": iso(document.replied_at),
            "replied_by": user_ref(document.replied_by), "reply_text": document.reply_text}


def ladder_step_json(step) -> dict:
    return {"id": step.id, "kind": step.kind, "due_on": iso(step.due_on), "period": step.period,
            "level": step.level, "reached_on": iso(step.reached_on), "overdue_days": step.overdue_days,
            "reason": step.reason,
            # a document waiting to be issued (待印发) has no number yet: not shown until it is issued
            "document": document_json(step.document) if step.document and not step.document.is_proposed else None}


def interview_json(interview) -> dict:
    return {"id": interview.id, "held_on": iso(interview.held_on), "attendees": interview.attendees,
            "agreed": interview.agreed, "follow_up_on": iso(interview.follow_up_on),
            "recorded_by": user_ref(interview.recorded_by), "recorded_at": iso(interview.recorded_at)}


# --- the handling steps of 建议提案 (tracker.proposals.contacts, cosign, clock, promises) ---------------------

def _user_by_id(user_id: int | None) -> dict | None:
    """A user named by id on rows that keep only the id (the identity map answers repeated ids)."""
    from tracker.extensions import db

    return user_ref(db.session.get(User, user_id)) if user_id else None


def proposal_contact_json(contact) -> dict:
    """沟通协商: one contact of a handling unit with the proposers."""
    return {"id": contact.id, "proposal_id": contact.proposal_id, "unit": unit_ref(contact.unit),
            "contact_on": iso(contact.contact_on), "way": contact.way, "stage": enum_value(contact.stage),
            "proposer_names": list(contact.proposer_names or []), "unit_people": contact.unit_people,
            "agreed": contact.agreed, "recorded_by": _user_by_id(contact.recorded_by_id),
            "created_at": iso(contact.created_at)}


def cosign_state_json(proposal, section, *, show_missing: bool) -> dict:
    """协办意见 and 会签 as the item's page shows them to the user (tracker.proposals.cosign.section)."""
    draft = section.draft
    return {
        "proposal_id": proposal.id, "own_role": section.own_role,
        "opinions": [{"unit": unit_ref(line.unit), "due_on": iso(line.due_on),
                      "opinion": None if line.opinion is None else {
                          "text": line.opinion.text, "sent_at": iso(line.opinion.sent_at),
                          "sent_by": _user_by_id(line.opinion.sent_by_id)}} for line in section.opinions],
        "draft": None if draft is None else {
            "id": draft.id, "round": draft.round, "text": draft.text, "sent_on": iso(draft.sent_on),
            "due_on": iso(draft.due_on), "sent_at": iso(draft.sent_at), "sent_by": _user_by_id(draft.sent_by_id),
            "cosigns": [{"unit": unit_ref(signed.unit), "agreed": signed.agreed, "reason": signed.reason,
                         "signed_at": iso(signed.signed_at), "signed_by": _user_by_id(signed.signed_by_id)}
                        for signed in draft.cosigns]},
        "missing": [unit_ref(unit) for unit in section.missing] if show_missing else [],
    }


def reply_extension_json(extension) -> dict:
    """延期申请 of an item's reply and its decision."""
    return {"id": extension.id, "proposal_id": extension.proposal_id, "state": enum_value(extension.state),
            "previous_due_on": iso(extension.previous_due_on), "requested_due_on": iso(extension.requested_due_on),
            "reason": extension.reason, "requested_at": iso(extension.requested_at),
            "requested_by": _user_by_id(extension.requested_by_id), "decided_at": iso(extension.decided_at),
            "decided_by": _user_by_id(extension.decided_by_id), "decision_note": extension.decision_note}


def promise_json(promise, today: date, task_id: int | None) -> dict:
    """承诺事项 and its 办结后再次答复; ``task_id`` is its follow-up task (promises.promise_tasks)."""
    state = enum_value(promise.state)
    return {"id": promise.id, "proposal_id": promise.proposal_id, "text": promise.text,
            "due_on": iso(promise.due_on), "state": state, "overdue": state == "open" and promise.due_on < today,
            "task_id": task_id, "answer_text": promise.answer_text, "answered_on": iso(promise.answered_on),
            "answered_by": promise.answered_by, "created_at": iso(promise.created_at)}


def supervision_note_json(note) -> dict:
    """督办意见: the supervising leader's note on a 重点提案."""
    return {"id": note.id, "proposal_id": note.proposal_id, "leader": user_ref(note.leader), "text": note.text,
            "written_at": iso(note.written_at)}
