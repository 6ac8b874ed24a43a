"""Emails and webhook calls caused by a review event, queued in the same transaction as the review."""
from __future__ import annotations

from tracker.auth.models import Role
from tracker.outbox.models import NotificationKind
from tracker.outbox.services import queue
from tracker.reminders.scan import unit_recipients, user_recipient, users_with_role
from tracker.updates.models import StatusUpdate
from tracker.webhooks.outbox import publish


def _publish(kind: NotificationKind, update: StatusUpdate, path: str) -> None:
    publish(kind, f"{kind.value}:{update.id}", unit_ids=[update.unit_id, update.task.lead_unit_id], path=path,
            task_id=update.task_id, task=update.task, update=update)


def update_returned(update: StatusUpdate) -> None:
    """The unit hears at once that its update was returned (退回), with the reviewer's comment."""
    for recipient in unit_recipients(update.unit):
        queue(NotificationKind.update_returned, f"update_returned:{update.id}:{recipient.email}", recipient,
              task_id=update.task_id, task=update.task, update=update)
    author = update.author
    if author is not None and author.email and author.email not in update.unit.email_list:
        queue(NotificationKind.update_returned, f"update_returned:{update.id}:{author.email}",
              user_recipient(author), task_id=update.task_id, task=update.task, update=update)
    _publish(NotificationKind.update_returned, update, f"/updates/{update.id}/resubmit")


def update_resubmitted(update: StatusUpdate) -> None:
    """Coordinators hear when a returned update has been resubmitted."""
    for coordinator in users_with_role(Role.coordinator):
        queue(NotificationKind.update_resubmitted, f"update_resubmitted:{update.id}:{coordinator.id}",
              user_recipient(coordinator), task_id=update.task_id, task=update.task, update=update)
    _publish(NotificationKind.update_resubmitted, update, "/reviews")


def update_accepted(update: StatusUpdate) -> None:
    """Accepted updates (采纳) reach the webhooks that follow them; no email."""
    _publish(NotificationKind.update_accepted, update, f"/tasks/{update.task_id}")
