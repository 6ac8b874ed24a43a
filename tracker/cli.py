"""Command-line interface: ``flask seed demo`` and friends."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask import Flask
from flask.cli import AppGroup

from tracker.common.workdays import BEIJING

seed_cli = AppGroup("seed", help="Load seed data.")


@seed_cli.command("demo")
def seed_demo() -> None:
    """Load the demo seed (units, users, the Xicen plan). Idempotent."""
    from seeds.demo import DEMO_PASSWORD, demo_logins, load_demo

    counts = load_demo()
    click.echo(f"Demo seed loaded: {counts['units']} units, {counts['users']} users.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login, role, unit in demo_logins():
        click.echo(f"  {login:<18} {role:<14} {unit}")  # security_admin is 14 characters


reminders_cli = AppGroup("reminders", help="Reminder scan and email sending.")
scheduler_cli = AppGroup("scheduler", help="The reminder scheduler process.")


def _parse_moment(value: str | None) -> datetime:
    """An ISO moment; without a zone it is Beijing time. None means now."""
    if not value:
        from tracker.common.clock import utcnow

        return utcnow()
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(timezone.utc)


@reminders_cli.command("run")
@click.option("--at", "at", default=None, help="As of this moment, e.g. 2026-09-28T09:00 (Beijing time).")
def reminders_run(at: str | None) -> None:
    """One reminder scan and one send pass (the code the scheduled job runs)."""
    from tracker.reminders.jobs import run_reminders

    try:
        moment = _parse_moment(at)
    except ValueError:
        raise click.BadParameter(f"not an ISO date-time: {at}", param_hint="--at") from None
    result = run_reminders(moment)
    click.echo(f"as of {moment.astimezone(BEIJING):%Y-%m-%d %H:%M} (Beijing)")
    click.echo(f"queued: {result.scan.total} " + " ".join(f"{k}={v}" for k, v in sorted(result.scan.queued.items()))
               + f"; webhook calls: {result.scan.webhook_calls}")
    click.echo(f"sent: {result.send.sent}, to retry: {result.send.retried}, failed: {result.send.failed}")
    for error in result.send.errors[-3:]:
        click.echo(f"  error: {error}")


@scheduler_cli.command("run")
def scheduler_run() -> None:
    """Run the scheduler in the foreground (one per deployment; others wait on the lock)."""
    from flask import current_app

    from tracker.reminders.scheduler import build_scheduler

    app = current_app._get_current_object()
    click.echo(f"scheduler: every {app.config['SCHEDULER_INTERVAL_SECONDS']} s, Asia/Shanghai")
    scheduler = build_scheduler(app, blocking=True)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        scheduler.duban_lock.release()


overdue_cli = AppGroup("overdue", help="The stored overdue list (tracker/overdue/store.py).")


@overdue_cli.command("rebuild")
def overdue_rebuild() -> None:
    """Rebuild the stored overdue list from scratch (after changing rows in the database directly)."""
    from tracker.common.clock import today
    from tracker.overdue.store import OverdueEntry, refresh_overdue_entries
    from tracker.extensions import db
    from sqlalchemy import func, select

    refresh_overdue_entries(today(), rebuild=True)
    click.echo(f"overdue list rebuilt for {today()}: {db.session.scalar(select(func.count(OverdueEntry.id)))} rows")


def register(app: Flask) -> None:
    from tracker.imports.cli import register as register_import
    from tracker.ops.cli import register as register_backup
    from tracker.proposals import cli as _proposals_cli  # noqa: F401 (adds ``proposal-reply`` to ``flask import``)

    register_import(app)
    register_backup(app)
    app.cli.add_command(seed_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(overdue_cli)
