#!/usr/bin/env python
"""Reminder scan and email sending on a generated data set (bench/generate.py).

    python bench/reminders.py --database-url URL [--at 2026-06-29T09:30+08:00] [--emails 2000]

1. catch-up scan: one full ``run_scan(at)`` (task reminders, overdue digests, the weekly digest,
   escalations) on an empty outbox, as after a week's outage: it queues the reminders of the whole
   catch-up window (REMINDER_CATCHUP_DAYS working days) and escalates every overdue task for the first
   time. Wall time, rows queued by kind, process peak RSS (ru_maxrss); rolled back.
2. daily scans: the day's first scan on each working day of the catch-up window before ``at`` and on
   ``at``'s day, each at 09:30 and committed, as the scheduler runs them: what a normal day costs
   (the first of them still catches up on the days before it). Wall time and emails per day.
3. repeat scan: the same scan as of ``at`` again, with everything already queued (what every scheduler
   run after the day's first costs): wall time; rolled back. Then every row the bench added is deleted.
4. traced scan: the catch-up scan once more under tracemalloc for the peak Python heap; rolled back.
5. sender: ``--emails`` pending notifications (copies of 200 emails the daily scans queued, evenly
   spaced, so the day's mix of kinds and sizes) delivered by
   ``send_pending`` over SMTP to a local aiosmtpd server on 127.0.0.1: emails per second. Deleted
   afterwards, so the database is left as it was found.
"""
from __future__ import annotations

import argparse
import logging
import os
import resource
import socket
import sys
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import AS_OF  # noqa: E402

DEFAULT_AT = f"{AS_OF.isoformat()}T09:30:00+08:00"  # a Monday: daily digests, weekly digest, escalations
TARGET_SECONDS, TARGET_DAILY_SECONDS, TARGET_MB = 10.0, 5.0, 400.0  # issue 24: catch-up and first day; daily; RSS


def maxrss_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / 1024 / 1024


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except OSError:
        return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def max_ids():
    """The newest id of each table a scan adds rows to (the ladder's steps and documents among them), and
    the document sequences as they are: what ``delete_after`` restores."""
    from sqlalchemy import func, select

    from tracker.audit.models import AuditEvent
    from tracker.extensions import db
    from tracker.outbox.models import Notification
    from tracker.reminders.models import Escalation
    from tracker.supervision.models import DocumentSequence, LadderStep, SupervisionDocument

    ids = {model: db.session.scalar(select(func.max(model.id))) or 0
           for model in (Notification, Escalation, AuditEvent, LadderStep, SupervisionDocument)}
    ids["sequences"] = [tuple(row) for row in db.session.execute(
        select(DocumentSequence.prefix, DocumentSequence.year, DocumentSequence.last_serial))]
    return ids


def delete_after(ids) -> None:
    """Removes the rows a scan wrote, on the bench's throw-away database, and puts the document sequences
    back, so that the next run climbs the ladder over the same data again. Audit events are append-only
    through the app (tracker/audit/append_only.py refuses ORM deletes; on PostgreSQL a trigger refuses
    every DELETE): plain table statements here, with triggers off for this transaction on PostgreSQL."""
    from sqlalchemy import delete, insert, text

    from tracker.extensions import db
    from tracker.supervision.models import DocumentSequence

    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    for model, last in ids.items():  # steps before the documents they name
        if model != "sequences":
            table = model.__table__
            db.session.execute(delete(table).where(table.c.id > last))
    db.session.execute(delete(DocumentSequence.__table__))
    if ids["sequences"]:
        db.session.execute(insert(DocumentSequence.__table__), [
            dict(prefix=prefix, year=year, last_serial=last) for prefix, year, last in ids["sequences"]])
    db.session.commit()


def vacuum(app) -> None:
    """On PostgreSQL, VACUUM the tables a scan writes. A rolled-back scan and the bench's deletions leave
    dead rows in their unique indexes, which autovacuum removes in production (where scans are not rolled
    back) at a time of its choosing: vacuuming here keeps the scans that follow from depending on when it
    last ran."""
    from sqlalchemy import text

    from tracker.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM (ANALYZE) notifications, escalations, audit_events, ladder_steps, "
                                         "supervision_documents"))
        db.session.remove()


def scan(app, at: datetime, commit: bool):
    """One run_scan in a fresh app context; returns (seconds, ScanResult)."""
    from tracker.extensions import db
    from tracker.reminders.scan import run_scan

    with app.app_context():
        started = time.perf_counter()
        result = run_scan(at)
        db.session.flush()
        elapsed = time.perf_counter() - started
        if commit:
            db.session.commit()
        else:
            db.session.rollback()
        db.session.remove()
    return elapsed, result


def scan_moments(app, at: datetime) -> list[datetime]:
    """09:30 on each working day of the catch-up window before ``at``, then ``at``: the scheduler's first
    run of each day."""
    from tracker.reminders.scan import days_to_consider

    with app.app_context():
        days = [day for day in days_to_consider(at) if day < at.date()]
    return [at.replace(year=day.year, month=day.month, day=day.day, hour=9, minute=30) for day in days] + [at]


def sample_emails(app, before, size: int = 200) -> list[dict]:
    """``size`` of the emails the daily scans queued, evenly spaced: the day's mix of kinds and sizes
    (a reminder is 1 KB, a unit's digest a few KB, the weekly digest ~12 KB), for the sender benchmark."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.outbox.models import DeliveryChannel, Notification

    with app.app_context():
        ids = list(db.session.scalars(select(Notification.id).where(
            Notification.id > before[Notification], Notification.channel == DeliveryChannel.email)
            .order_by(Notification.id)))
        chosen = ids[::max(1, len(ids) // size)][:size]
        samples = [dict(kind=row.kind.value, recipient_email=row.recipient_email, subject=row.subject,
                        body_text=row.body_text, body_html=row.body_html)
                   for row in db.session.scalars(select(Notification).where(Notification.id.in_(chosen)))]
        db.session.remove()
    return samples


class Counting:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += len(envelope.rcpt_tos)
        return "250 OK"


def bench_sender(app, at: datetime, emails: int, samples: list[dict]) -> tuple[float, int, int]:
    """Queues ``emails`` copies of the sample emails, sends them to aiosmtpd; (seconds, sent, received)."""
    from aiosmtpd.controller import Controller
    from sqlalchemy import delete, insert

    from tracker.extensions import db
    from tracker.outbox.models import Notification
    from tracker.reminders.sender import send_pending

    if not samples:
        samples = [dict(kind="report_due", recipient_email="bench@example.gov.cn", subject="【督办提醒】基准测试",
                        body_text="基准测试邮件正文。\n" * 20, body_html="<p>基准测试邮件正文。</p>" * 20)]
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SECURITY="none",
                      MAIL_SENDER="duban@example.gov.cn")
    try:
        with app.app_context():
            queued_at = at - timedelta(minutes=1)
            rows = [dict(idempotency_key=f"bench-send:{k}", kind=samples[k % len(samples)]["kind"],
                         recipient_email=samples[k % len(samples)]["recipient_email"], locale="zh_CN",
                         subject=samples[k % len(samples)]["subject"], body_text=samples[k % len(samples)]["body_text"],
                         body_html=samples[k % len(samples)]["body_html"], created_at=queued_at, state="pending",
                         attempts=0, next_attempt_at=queued_at, last_error="") for k in range(emails)]
            db.session.execute(insert(Notification), rows)
            db.session.commit()
            try:
                started = time.perf_counter()
                result = send_pending(at)
                elapsed = time.perf_counter() - started
            finally:
                db.session.execute(delete(Notification).where(Notification.idempotency_key.like("bench-send:%")))
                db.session.commit()
                db.session.remove()
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER="")
    return elapsed, result.sent, handler.received


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--at", default=DEFAULT_AT, help=f"scan moment, ISO with zone (default {DEFAULT_AT})")
    parser.add_argument("--emails", type=int, default=2000, help="emails for the sender benchmark (default 2000)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the daily scans' outbox rows and escalations (the traced scan then repeats)")
    parser.add_argument("--no-repeat", action="store_true", help="skip the repeat scan")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced scan")
    args = parser.parse_args(argv)

    at = datetime.fromisoformat(args.at)
    if at.tzinfo is None:
        raise SystemExit("--at needs a time zone, e.g. 2026-06-29T09:30:00+08:00")

    from tracker import create_app
    from tracker.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "TODAY": at.date().isoformat(),
                      "SCHEDULER_ENABLED": False, "MAIL_SERVER": ""})
    # Without an SMTP server the outbox logs every queued email at INFO; production (with SMTP) does not.
    logging.getLogger("tracker").setLevel(logging.WARNING)
    with app.app_context():
        before = max_ids()
        db.session.remove()
    try:
        loadavg = " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        loadavg = "n/a"
    print(f"database {args.database_url.split('@')[-1]}; scan at {at.isoformat()}; load average {loadavg}", flush=True)
    rss_before = current_rss_mb()

    vacuum(app)
    catchup_seconds, catchup = scan(app, at, commit=False)
    rss_peak = maxrss_mb()
    print(f"catch-up scan: {catchup_seconds:.1f} s, {catchup.total} emails queued, peak RSS {rss_peak:.0f} MB",
          flush=True)
    vacuum(app)

    daily: list[tuple[datetime, float, int]] = []
    for day_at in scan_moments(app, at):
        seconds, result = scan(app, day_at, commit=True)
        daily.append((day_at, seconds, result.total))
        print(f"day's first scan {day_at.date()}: {seconds:.1f} s, {result.total} emails queued", flush=True)
    first_seconds, first = daily[-1][1], result
    samples = sample_emails(app, before)

    repeat_seconds = repeat_total = None
    if not args.no_repeat:
        repeat_seconds, repeat = scan(app, at, commit=False)
        repeat_total = repeat.total
        print(f"repeat scan: {repeat_seconds:.1f} s, {repeat.total} new emails", flush=True)
    if not args.keep:
        with app.app_context():
            delete_after(before)
            db.session.remove()
        vacuum(app)

    traced_peak = None
    if not args.no_tracemalloc:
        tracemalloc.start()
        traced_seconds, _traced = scan(app, at, commit=False)
        traced_peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
        print(f"traced scan: {traced_seconds:.1f} s under tracemalloc, peak {traced_peak:.0f} MB", flush=True)

    send_seconds, sent, received = bench_sender(app, at, args.emails, samples)
    rate = sent / send_seconds if send_seconds else 0.0
    print(f"sender: {sent} sent, {received} received by the SMTP server in {send_seconds:.1f} s", flush=True)

    print()
    print(f"{'measure':<34}{'value':>14}")
    print("-" * 48)
    print(f"{'catch-up scan wall time (s)':<34}{catchup_seconds:>14.1f}")
    for kind, count in sorted(catchup.queued.items()):
        print(f"{'  queued ' + kind:<34}{count:>14,}")
    print(f"{'  queued total':<34}{catchup.total:>14,}")
    steady = [seconds for _day, seconds, _total in daily[1:]] or [first_seconds]
    print(f"{'daily first scans (s, max)':<34}{max(steady):>14.1f}")
    print(f"{'  emails per day (max)':<34}{max(total for *_rest, total in daily[1:] or daily):>14,}")
    print(f"{'first scan of ' + str(at.date()) + ' (s)':<34}{first_seconds:>14.1f}")
    for kind, count in sorted(first.queued.items()):
        print(f"{'  queued ' + kind:<34}{count:>14,}")
    print(f"{'  queued total':<34}{first.total:>14,}")
    first_day_at, first_day_seconds, first_day_total = daily[0]
    print(f"{'first scheduler day ' + str(first_day_at.date()) + ' (s)':<34}{first_day_seconds:>14.1f}")
    print(f"{'  queued total':<34}{first_day_total:>14,}")
    if repeat_seconds is not None:
        print(f"{'repeat scan wall time (s)':<34}{repeat_seconds:>14.1f}")
        print(f"{'  new emails on repeat':<34}{repeat_total:>14,}")
    rss_end = maxrss_mb()
    print(f"{'RSS before scans (MB)':<34}{rss_before:>14.0f}")
    print(f"{'peak RSS after first scan (MB)':<34}{rss_peak:>14.0f}")
    print(f"{'peak RSS of the whole run (MB)':<34}{rss_end:>14.0f}")
    if traced_peak is not None:
        print(f"{'tracemalloc peak of a scan (MB)':<34}{traced_peak:>14.0f}")
    print(f"{'emails sent':<34}{sent:>14,}")
    print(f"{'emails per second':<34}{rate:>14.1f}")
    print()
    heavy = max(catchup_seconds, first_day_seconds)
    verdict = "meets" if heavy <= TARGET_SECONDS else "MISSES"
    print(f"target: catch-up and first scheduler day <= {TARGET_SECONDS:.0f} s: {verdict} (catch-up after an outage "
          f"{catchup_seconds:.1f} s, first day {first_day_seconds:.1f} s)")
    verdict = "meets" if max(steady) <= TARGET_DAILY_SECONDS else "MISSES"
    print(f"target: daily scans <= {TARGET_DAILY_SECONDS:.0f} s: {verdict} (daily first scans after the first day up to "
          f"{max(steady):.1f} s)")
    verdict = "meets" if rss_end <= TARGET_MB else "MISSES"
    print(f"target: peak RSS <= {TARGET_MB:.0f} MB: {verdict} (peak RSS {rss_end:.0f} MB"
          + (f"; Python heap under tracemalloc {traced_peak:.0f} MB)" if traced_peak is not None else ")"))
    if sent != args.emails or received != sent:
        print(f"ERROR: {args.emails} queued, {sent} sent, {received} received")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
