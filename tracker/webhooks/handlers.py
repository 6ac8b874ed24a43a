"""Webhooks' reactions to the proposal flow's events (tracker.common.events): each step of an item
(建议提案: 交办, 签收, 退回, 协办意见, 会签, 延期申请 and its decision, 答复, 评价, 重新办理, 承诺事项再次答复,
重点提案 marked or unmarked and the leader's 督办意见)
reaches the robots subscribed to it, queued in the outbox in the transaction of the step. Connected at
start-up (tracker.register_event_handlers)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.common import events
from tracker.extensions import db
from tracker.outbox.models import NotificationKind
from tracker.units.models import Unit
from tracker.webhooks.outbox import publish

TEMPLATE = "webhooks/proposal_step.txt"
ROLE_WORDS = {"main": _l("主办"), "co": _l("协办"), "split": _l("分办")}


def _publish(kind: NotificationKind, proposal, key: str, title, lines: list, unit_ids) -> None:
    path = f"/proposals/{proposal.id}"
    publish(kind, f"{kind.value}:{proposal.id}:{key}", unit_ids=unit_ids, path=path, template=TEMPLATE,
            title=title, lines=lines, link=path)


def _label(proposal) -> str:
    return f"{proposal.meeting}{proposal.number} {proposal.title}"


def on_assigned(proposal, *, actor=None, receipts=(), **_ignored) -> None:
    units = "、".join(f"{receipt.unit.short_name}（{ROLE_WORDS[receipt.role.value]}）" for receipt in receipts)
    first = min((receipt.id for receipt in receipts), default=0)
    _publish(NotificationKind.proposal_assigned, proposal, str(first),
             _l("【建议提案交办】%(item)s", item=_label(proposal)),
             [_l("承办单位：%(units)s", units=units),
              _l("签收/退回期限：%(day)s", day=receipts[0].sign_due_on if receipts else "—"),
              _l("答复期限：%(day)s", day=proposal.reply_due_on or "—")],
             [receipt.unit_id for receipt in receipts])


def on_received(proposal, *, receipt, **_ignored) -> None:
    _publish(NotificationKind.proposal_received, proposal, str(receipt.id),
             _l("【建议提案签收】%(item)s", item=_label(proposal)),
             [_l("%(unit)s（%(role)s）已签收。", unit=receipt.unit.name, role=ROLE_WORDS[receipt.role.value])],
             [receipt.unit_id])


def on_returned(proposal, *, receipt, **_ignored) -> None:
    _publish(NotificationKind.proposal_returned, proposal, str(receipt.id),
             _l("【建议提案退回】%(item)s", item=_label(proposal)),
             [_l("%(unit)s（%(role)s）退回：%(reason)s", unit=receipt.unit.name, role=ROLE_WORDS[receipt.role.value],
                 reason=receipt.return_reason)],
             [receipt.unit_id])


def on_answered(proposal, **_ignored) -> None:
    _publish(NotificationKind.proposal_answered, proposal, str(proposal.rehandling_count),
             _l("【建议提案答复】%(item)s", item=_label(proposal)),
             [_l("答复日期：%(day)s；办理结果：%(result)s", day=proposal.reply_on or "—",
                 result=proposal.result_category or "—")],
             [proposal.main_unit_id])


def on_rated(proposal, *, link, **_ignored) -> None:
    _publish(NotificationKind.proposal_rated, proposal, str(link.id),
             _l("【提案人评价】%(item)s", item=_label(proposal)),
             [_l("提案人评价为“%(rating)s”。", rating=link.rating)], [proposal.main_unit_id])


def on_rehandling(proposal, *, link, **_ignored) -> None:
    _publish(NotificationKind.proposal_rehandling, proposal, str(proposal.rehandling_count),
             _l("【建议提案重新办理】%(item)s", item=_label(proposal)),
             [_l("提案人不满意，退回重新办理（第%(count)s次），新的答复期限：%(day)s。", count=proposal.rehandling_count,
                 day=proposal.reply_due_on or "—")],
             [proposal.main_unit_id])


def _unit_name(unit_id: int) -> str:
    return db.session.get(Unit, unit_id).name


def on_co_opinion(proposal, *, opinion, **_ignored) -> None:
    _publish(NotificationKind.proposal_co_opinion, proposal, f"{opinion.unit_id}:{opinion.sent_at:%Y%m%d%H%M%S}",
             _l("【提案协办意见】%(item)s", item=_label(proposal)),
             [_l("%(unit)s已向主办单位提出协办意见。", unit=_unit_name(opinion.unit_id))],
             [proposal.main_unit_id, opinion.unit_id])


def on_cosigned(proposal, *, cosign, **_ignored) -> None:
    unit = _unit_name(cosign.unit_id)
    lines = [_l("%(unit)s已会签答复稿：同意。", unit=unit) if cosign.agreed else
             _l("%(unit)s已会签答复稿：不同意，理由：%(reason)s", unit=unit, reason=cosign.reason)]
    _publish(NotificationKind.proposal_cosigned, proposal, f"{cosign.draft.id}:{cosign.unit_id}",
             _l("【提案会签】%(item)s", item=_label(proposal)), lines, [proposal.main_unit_id, cosign.unit_id])


def on_extension_requested(proposal, *, extension, **_ignored) -> None:
    db.session.flush()  # the request's id names the message
    _publish(NotificationKind.proposal_extension_requested, proposal, str(extension.id),
             _l("【提案延期申请】%(item)s", item=_label(proposal)),
             [_l("主办单位申请将答复期限由%(before)s延至%(after)s，理由：%(reason)s",
                 before=extension.previous_due_on or "—", after=extension.requested_due_on, reason=extension.reason)],
             [proposal.main_unit_id])


def on_extension_decided(proposal, *, extension, **_ignored) -> None:
    line = (_l("已批准延期，新的答复期限：%(day)s。", day=extension.requested_due_on) if extension.state.value == "approved"
            else _l("不予批准延期，答复期限仍为%(day)s；理由：%(note)s", day=proposal.reply_due_on or "—",
                    note=extension.decision_note))
    _publish(NotificationKind.proposal_extension_decided, proposal, str(extension.id),
             _l("【提案延期审批】%(item)s", item=_label(proposal)), [line], [proposal.main_unit_id])


def on_promise_answered(proposal, *, promise, **_ignored) -> None:
    _publish(NotificationKind.promise_answered, proposal, str(promise.id),
             _l("【承诺事项再次答复】%(item)s", item=_label(proposal)),
             [_l("承诺事项：%(text)s", text=promise.text),
              _l("再次答复日期：%(day)s（%(who)s）", day=promise.answered_on, who=promise.answered_by)],
             [proposal.main_unit_id])


def _handling_units(proposal) -> list[int]:
    """The 主办 and 协办 units: a robot limited to one of them follows the item's 重点提案 steps."""
    return [proposal.main_unit_id, *(unit.id for unit in proposal.co_units)]


def on_key_marked(proposal, *, leader, before="", step, **_ignored) -> None:
    db.session.flush()  # the step's audit event names the message
    line = (_l("督办领导由%(before)s改为%(leader)s。", before=before, leader=leader.display_name) if before
            else _l("确定为重点提案，督办领导：%(leader)s。", leader=leader.display_name))
    _publish(NotificationKind.proposal_key_marked, proposal, str(step.id),
             _l("【重点提案】%(item)s", item=_label(proposal)), [line], _handling_units(proposal))


def on_key_unmarked(proposal, *, leader, step, **_ignored) -> None:
    db.session.flush()
    _publish(NotificationKind.proposal_key_unmarked, proposal, str(step.id),
             _l("【取消重点提案】%(item)s", item=_label(proposal)),
             [_l("已不再是重点提案（督办领导：%(leader)s）。", leader=leader)], _handling_units(proposal))


def on_supervision_note(proposal, *, actor, note, **_ignored) -> None:
    db.session.flush()  # the note's id names the message
    _publish(NotificationKind.proposal_supervision_note, proposal, str(note.id),
             _l("【重点提案督办意见】%(item)s", item=_label(proposal)),
             [_l("%(leader)s的督办意见：%(text)s", leader=actor.display_name, text=note.text)],
             _handling_units(proposal))


def connect() -> None:
    events.proposal_assigned.connect(on_assigned, weak=False)
    events.proposal_received.connect(on_received, weak=False)
    events.proposal_returned.connect(on_returned, weak=False)
    events.proposal_answered.connect(on_answered, weak=False)
    events.proposal_rated.connect(on_rated, weak=False)
    events.proposal_rehandling.connect(on_rehandling, weak=False)
    events.proposal_co_opinion.connect(on_co_opinion, weak=False)
    events.proposal_cosigned.connect(on_cosigned, weak=False)
    events.proposal_extension_requested.connect(on_extension_requested, weak=False)
    events.proposal_extension_decided.connect(on_extension_decided, weak=False)
    events.promise_answered.connect(on_promise_answered, weak=False)
    events.proposal_key_marked.connect(on_key_marked, weak=False)
    events.proposal_key_unmarked.connect(on_key_unmarked, weak=False)
    events.proposal_supervision_note.connect(on_supervision_note, weak=False)
