"""Reminders' reactions to other domains' events (tracker.common.events) and its steps of the scheduled
scan (tracker.common.scans), connected at start-up."""
from __future__ import annotations

from tracker.common import events
from tracker.reminders import events as review_messages
from tracker.reminders import scan


def connect() -> None:
    events.update_returned.connect(review_messages.update_returned, weak=False)
    events.update_resubmitted.connect(review_messages.update_resubmitted, weak=False)
    events.update_accepted.connect(review_messages.update_accepted, weak=False)
    scan.register_steps()
