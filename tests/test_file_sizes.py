"""Issue 21: an evidence file's size reads right on the task page (a 0.2 KB file read "0.0 KB")."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.common.filters import format_size
from tracker.extensions import db
from tracker.tasks.models import Task
from tracker.updates.models import EvidenceFile, StatusUpdate


def test_sizes_read_in_bytes_kilobytes_and_megabytes():
    assert [format_size(n) for n in (0, 200, 1023, 1024, 1536, 1024 * 1024 - 1, 5 * 1024 * 1024 + 300 * 1024)] == \
        ["0 B", "200 B", "1023 B", "1.0 KB", "1.5 KB", "1.0 MB", "5.3 MB"]


def test_the_task_page_shows_a_small_file_in_bytes(seeded, on_date, browser):
    on_date(date(2026, 6, 30))
    task = db.session.scalar(select(Task).where(Task.number == "12"))
    update = db.session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task.id).order_by(StatusUpdate.id))
    for name, size in (("签到表.pdf", 200), ("现场照片.jpg", 2_400_000)):
        db.session.add(EvidenceFile(update_id=update.id, original_name=name, stored_name=f"size-{size}.bin", size=size,
                                    sha256="0" * 64))
    db.session.commit()
    task_id = task.id
    page = browser("coordinator").get(f"/tasks/{task_id}").text
    assert "签到表.pdf</a> <span class=\"text-muted\">(200 B)</span>" in page
    assert "现场照片.jpg</a> <span class=\"text-muted\">(2.3 MB)</span>" in page
    assert "0.0 KB" not in page
