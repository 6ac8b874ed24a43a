"""Webhooks' reactions to the proposal flow's events (tracker.common.events): each step of an item
(建议提案: 交办, 签收, 退回, 答复, 评价, 重新办理) reaches the robots subscribed to it, queued in the outbox in
the transaction of the step. Connected at start-up (tracker.register_event_handlers)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.common import events
from tracker.outbox.models import NotificationKind
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


def connect() -> None:
    events.proposal_assigned.connect(on_assigned, weak=False)
    events.proposal_received.connect(on_received, weak=False)
    events.proposal_returned.connect(on_returned, weak=False)
    events.proposal_answered.connect(on_answered, weak=False)
    events.proposal_rated.connect(on_rated, weak=False)
    events.proposal_rehandling.connect(on_rehandling, weak=False)
