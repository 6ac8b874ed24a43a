"""The task page folds a long history past its latest entries (issue 24): a task with 25 reports shows the
latest 20 and says so, with a link to the whole history, which shows all 25."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select

from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.tasks.models import Task
from tracker.updates.models import StatusUpdate


def test_a_long_history_is_folded_and_shown_whole_on_request(seeded, browser):
    task = db.session.scalar(select(Task).where(Task.number == "12").order_by(Task.id))
    author = db.session.scalar(select(User.id).where(User.unit_id == task.lead_unit_id, User.role == Role.unit))
    start = datetime(2026, 1, 1, 2, tzinfo=timezone.utc)
    db.session.execute(insert(StatusUpdate), [
        dict(task_id=task.id, unit_id=task.lead_unit_id, author_id=author, period="2025-12",
             progress_text=f"第{k}次报送", percent=k, submitted_at=start + timedelta(days=k), review_state="returned",
             review_comment="请补充")
        for k in range(25)])
    db.session.commit()
    total = db.session.scalar(select(db.func.count()).select_from(StatusUpdate).where(StatusUpdate.task_id == task.id))
    coordinator = browser("coordinator")

    page = coordinator.get(f"/tasks/{task.id}").text
    assert page.count('id="update-') == 20
    assert "仅显示最近20条报送和操作留痕。" in page and f"/tasks/{task.id}?history=all" in page
    assert "第24次报送" in page and "第0次报送" not in page  # the latest ones

    whole = coordinator.get(f"/tasks/{task.id}?history=all").text
    assert whole.count('id="update-') == total and "第0次报送" in whole
    assert 'id="history-folded"' not in whole


def test_the_reassign_menu_is_a_search_box_when_the_register_is_long(seeded, browser, app):
    """A city has ~2,000 units: 重新交办 offers the filter menus' search box instead of 2,000 options on every
    task page, proposing the lead unit, and re-assigns as before."""
    from tracker.units.models import Unit

    task = db.session.scalar(select(Task).where(Task.number == "12").order_by(Task.id))
    task_id, lead_id = task.id, task.lead_unit_id
    other = db.session.scalar(select(Unit).where(Unit.id != lead_id).order_by(Unit.id))
    other_id = other.id
    coordinator = browser("coordinator")
    short = coordinator.get(f"/tasks/{task_id}").text
    assert 'data-picker="lead_unit_id"' not in short and 'name="lead_unit_id"' in short  # a menu while short

    app.config["PICKER_MENU_LIMIT"] = 3
    page = coordinator.get(f"/tasks/{task_id}").text
    assert 'data-picker="lead_unit_id"' in page
    assert f'<input type="hidden" name="lead_unit_id" value="{lead_id}">' in page
    response = coordinator.post(f"/tasks/{task_id}/reassign", {"lead_unit_id": str(other_id), "version": task.version},
                                token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task_id).lead_unit_id == other_id
