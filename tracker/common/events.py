"""Domain events (领域事件): what happened in one domain, for the domains that react to it.

A domain that acts publishes an event here; the domain that owns the reaction connects a receiver in its
own ``handlers`` module, which ``tracker.register_event_handlers`` imports at start-up. The acting domain
never imports the reacting one, so dependencies keep pointing down (ARCHITECTURE.md).

One blinker namespace per area (as Indico's ``indico.core.signals``). Receivers run synchronously,
inside the caller's transaction: what they add is committed with the change that fired the event (the
outbox guarantee), and a receiver that raises rolls the whole change back.
"""
from __future__ import annotations

import weakref

from blinker import Namespace

plans = Namespace()
tasks = Namespace()

plan_activated = plans.signal("plan-activated", doc="""A plan made active (立项 → 交办).

Sender: the ``Plan``. Keywords: ``actor``, ``today``. Handled by supervision (every open task's units
wait for their 签收).""")

task_assigned = tasks.signal("task-assigned", doc="""A task saved: created, or its units changed (交办).

Sender: the ``Task``. Keywords: ``actor``, ``today``, ``before`` ({unit id: role} before the save, None
for a new task). Handled by supervision (receipts made for the new units, withdrawn for the removed).""")

updates = Namespace()

update_returned = updates.signal("update-returned", doc="""A progress update returned (退回) by a reviewer.

Sender: the ``StatusUpdate``. Handled by reminders (the unit and the author hear at once; webhooks).""")

update_resubmitted = updates.signal("update-resubmitted", doc="""A returned update resubmitted (重新提交).

Sender: the ``StatusUpdate``. Handled by reminders (coordinators hear; webhooks).""")

update_accepted = updates.signal("update-accepted", doc="""A progress update accepted (采纳).

Sender: the ``StatusUpdate``. Handled by reminders (the webhooks that follow accepted updates).""")

proposals = Namespace()

proposal_assigned = proposals.signal("proposal-assigned", doc="""An item (建议提案) assigned (交办) to its units.

Sender: the ``Proposal``. Keywords: ``actor``, ``receipts`` (one per unit: 主办, 协办 or 分办). Handled by
webhooks (proposal_assigned).""")

proposal_received = proposals.signal("proposal-received", doc="""An assigned item signed for (签收) by a unit.

Sender: the ``Proposal``. Keywords: ``actor``, ``receipt``. Handled by webhooks (proposal_received).""")

proposal_returned = proposals.signal("proposal-returned", doc="""An assigned item returned (退回) by a unit,
with its reason.

Sender: the ``Proposal``. Keywords: ``actor``, ``receipt``. Handled by webhooks (proposal_returned).""")

proposal_answered = proposals.signal("proposal-answered", doc="""An item's reply (答复函) recorded: it is now
已答复, with its result class (办理结果).

Sender: the ``Proposal``. Keywords: ``actor``. Handled by webhooks (proposal_answered).""")

proposal_rated = proposals.signal("proposal-rated", doc="""A proposer rated the reply (满意/基本满意/不满意)
through their personal link.

Sender: the ``Proposal``. Keywords: ``link`` (the used ``RatingLink``). Handled by webhooks
(proposal_rated).""")

proposal_rehandling = proposals.signal("proposal-rehandling", doc="""An item sent back for 重新办理 after a
不满意 rating, with a new reply deadline.

Sender: the ``Proposal``. Keywords: ``link``. Handled by webhooks (proposal_rehandling).""")

proposal_co_opinion = proposals.signal("proposal-co-opinion", doc="""A 协办 unit sent (or sent again) its written
opinion (协办意见) to the 主办.

Sender: the ``Proposal``. Keywords: ``actor``, ``opinion`` (the ``CoOpinion``). Handled by webhooks
(proposal_co_opinion).""")

proposal_cosigned = proposals.signal("proposal-cosigned", doc="""A 协办 unit signed (会签) the 主办's draft reply,
agreeing or not (with its reason).

Sender: the ``Proposal``. Keywords: ``actor``, ``cosign`` (the ``Cosign``). Handled by webhooks
(proposal_cosigned).""")

proposal_extension_requested = proposals.signal("proposal-extension-requested", doc="""The 主办 asked for a later
reply deadline (延期申请), with its reason.

Sender: the ``Proposal``. Keywords: ``actor``, ``extension``. Handled by webhooks
(proposal_extension_requested).""")

proposal_extension_decided = proposals.signal("proposal-extension-decided", doc="""A coordinator approved or
refused an extension (延期审批); approved, the item's reply deadline moved.

Sender: the ``Proposal``. Keywords: ``actor``, ``extension``. Handled by webhooks
(proposal_extension_decided).""")

promise_answered = proposals.signal("promise-answered", doc="""A promise of a B or C reply kept: the unit's second
reply (承诺事项再次答复) recorded.

Sender: the ``Proposal``. Keywords: ``actor``, ``promise``. Handled by webhooks (promise_answered).""")

proposal_key_marked = proposals.signal("proposal-key-marked", doc="""A coordinator marked the item 重点提案 with its
supervising leader (督办领导), or named another leader.

Sender: the ``Proposal``. Keywords: ``actor``, ``leader`` (the ``User``), ``before`` (the previous leader's name,
empty when newly marked), ``step`` (the step's ``AuditEvent``). Handled by webhooks (proposal_key_marked).""")

proposal_key_unmarked = proposals.signal("proposal-key-unmarked", doc="""A coordinator unmarked a 重点提案.

Sender: the ``Proposal``. Keywords: ``actor``, ``leader`` (the leader's name), ``step`` (the ``AuditEvent``).
Handled by webhooks (proposal_key_unmarked).""")

proposal_supervision_note = proposals.signal("proposal-supervision-note", doc="""The supervising leader recorded a
督办意见 on a key item.

Sender: the ``Proposal``. Keywords: ``actor``, ``note`` (the ``SupervisionNote``). Handled by webhooks
(proposal_supervision_note).""")

supervision = Namespace()

document_voided = supervision.signal("document-voided", doc="""A numbered document voided (作废) in the register.

Sender: the ``SupervisionDocument``. Keywords: ``actor``. Handled by bulletins (a 督查通报 whose number was
voided goes back to draft).""")

NAMESPACES = {"plans": plans, "tasks": tasks, "updates": updates, "supervision": supervision, "proposals": proposals}


def handlers(signal) -> list[str]:
    """The dotted names of the receivers connected to ``signal`` (for ARCHITECTURE.md and its test)."""
    receivers = [receiver() if isinstance(receiver, weakref.ref) else receiver
                 for receiver in signal.receivers.values()]
    return sorted(f"{receiver.__module__}.{receiver.__qualname__}" for receiver in receivers if receiver)
