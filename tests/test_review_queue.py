"""The review queue (审核): filters by plan, reporting unit and period; the last accepted percentage next to
the new one; 批量采纳 of the checked updates in one transaction, each audited and version-checked."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.updates.models import ReviewState, StatusUpdate

DAY = date(2026, 6, 30)


@dataclass
class Pending:
    """A submitted update, read as plain values (a request ends the test's database session)."""
    id: int
    task_id: int
    unit_id: int
    period: str
    plan_id: int
    version: int
    percent: int
    label: str


def _pending() -> list[Pending]:
    updates = db.session.scalars(select(StatusUpdate).where(StatusUpdate.review_state == ReviewState.submitted)
                                 .order_by(StatusUpdate.id))
    return [Pending(u.id, u.task_id, u.unit_id, u.period, u.task.plan_id, u.version, u.percent, u.task.label)
            for u in updates]


def _state(update: Pending) -> ReviewState:
    db.session.remove()
    return db.session.get(StatusUpdate, update.id).review_state


def _cards(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'id="review-(\d+)"', html)}


def test_the_queue_filters_by_unit_and_period_and_shows_the_last_accepted_percentage(seeded, on_date, browser):
    on_date(DAY)
    pending = _pending()
    assert len({u.unit_id for u in pending}) > 1  # the seed has reports of several units waiting
    coordinator = browser("coordinator")
    assert _cards(coordinator.get("/reviews").text) == {u.id for u in pending}

    unit_id = pending[0].unit_id
    shown = _cards(coordinator.get(f"/reviews?unit_id={unit_id}").text)
    assert shown == {u.id for u in pending if u.unit_id == unit_id} and shown != {u.id for u in pending}
    period = pending[0].period
    assert _cards(coordinator.get(f"/reviews?period={period}").text) == {u.id for u in pending if u.period == period}
    plan_id = pending[0].plan_id
    assert _cards(coordinator.get(f"/reviews?plan_id={plan_id}").text) == {u.id for u in pending}
    assert _cards(coordinator.get("/reviews?plan_id=999999").text) == set()
    assert coordinator.get("/reviews?unit_id=x&period=<b>").status_code == 200  # ignored, not an error

    html = coordinator.get("/reviews").text
    with_history = [u for u in pending if db.session.scalar(
        select(StatusUpdate.percent).where(StatusUpdate.task_id == u.task_id, StatusUpdate.unit_id == u.unit_id,
                                           StatusUpdate.review_state == ReviewState.accepted)
        .order_by(StatusUpdate.reviewed_at.desc(), StatusUpdate.id.desc()).limit(1)) is not None]
    assert with_history  # the seed has earlier accepted reports for some of them
    for update in with_history:
        last = db.session.scalar(
            select(StatusUpdate.percent).where(StatusUpdate.task_id == update.task_id,
                                               StatusUpdate.unit_id == update.unit_id,
                                               StatusUpdate.review_state == ReviewState.accepted)
            .order_by(StatusUpdate.reviewed_at.desc(), StatusUpdate.id.desc()).limit(1))
        card = html.split(f'id="review-{update.id}"')[1].split('class="card-body')[0]
        assert re.search(rf"上次采纳 {last}% → <strong[^>]*>本次 {update.percent}%", card), card


def test_batch_accept_takes_every_checked_update_or_none(seeded, on_date, browser):
    on_date(DAY)
    pending = _pending()
    first, second = pending[0], pending[1]
    coordinator = browser("coordinator")
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                      .where(AuditEvent.action == "update.accepted"))

    # A stale version on the second one: nothing is accepted, and the message names it.
    response = coordinator.post("/reviews/accept", {
        "update_id": [str(first.id), str(second.id)], f"version_{first.id}": str(first.version),
        f"version_{second.id}": str(second.version + 1)}, token_from="/reviews")
    assert response.status_code == 302
    assert [_state(u) for u in (first, second)] == [ReviewState.submitted] * 2
    page = coordinator.get(response.headers["Location"]).text
    assert "本次批量采纳未执行" in page and second.label in page

    # Nothing ticked: a clear message, nothing changed.
    response = coordinator.post("/reviews/accept", {}, token_from="/reviews")
    assert "请先勾选要采纳的报送" in coordinator.get(response.headers["Location"]).text

    # Both with their versions, from the queue filtered by their unit: both accepted, each audited.
    unit_id = first.unit_id
    response = coordinator.post("/reviews/accept", {
        "update_id": [str(first.id), str(second.id)], f"version_{first.id}": str(first.version),
        f"version_{second.id}": str(second.version), "unit_id": str(unit_id)}, token_from="/reviews")
    assert response.headers["Location"].endswith(f"/reviews?unit_id={unit_id}")  # back to the same filter
    assert [_state(u) for u in (first, second)] == [ReviewState.accepted] * 2
    assert "已采纳2条报送" in coordinator.get(response.headers["Location"]).text
    events_after = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.action == "update.accepted"))
    assert events_after == events_before + 2

    # Accepting them again (a second tab) is refused with a message, nothing else changes.
    third = pending[2]
    response = coordinator.post("/reviews/accept", {
        "update_id": [str(third.id), str(first.id)], f"version_{third.id}": str(third.version),
        f"version_{first.id}": str(first.version)}, token_from="/reviews")
    assert _state(third) == ReviewState.submitted
    assert "本次批量采纳未执行" in coordinator.get(response.headers["Location"]).text


def test_units_and_leaders_cannot_batch_accept(seeded, on_date, browser):
    on_date(DAY)
    update = _pending()[0]
    for login in ("leader", "kejiwei"):
        response = browser(login).post("/reviews/accept", {"update_id": str(update.id),
                                                           f"version_{update.id}": str(update.version)})
        assert response.status_code == 403
    assert _state(update) == ReviewState.submitted
