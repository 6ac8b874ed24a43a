"""``flask backup create PATH`` / ``flask backup restore PATH``: the database and the evidence files.

PostgreSQL backups call ``pg_dump --format=custom`` and restores ``pg_restore --clean --if-exists
--no-owner --no-acl --single-transaction``; both must be on PATH (Debian: postgresql-client, of the
server's major version or newer). SQLite needs nothing outside Python. See tracker/ops/backup.py.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from tracker.ops.backup import BackupError, create_backup, restore_backup

backup_cli = AppGroup("backup", help="Back up and restore the database and the evidence files (佐证材料).")


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count} B"


@backup_cli.command("create")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def create(path: Path, force: bool) -> None:
    """Write a backup archive (.tar.gz) to PATH, or into PATH when it is a folder. Safe while the app runs."""
    try:
        result = create_backup(current_app._get_current_object(), path, overwrite=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = result.manifest
    evidence_bytes = sum(item["bytes"] for item in manifest["evidence"].values())
    click.echo(f"Backup written: {result.path} ({_size(result.path.stat().st_size)})")
    click.echo(f"  database: {manifest['dialect']}, revision {manifest['alembic_revision'] or '(none)'}, "
               f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows")
    click.echo(f"  evidence: {len(manifest['evidence'])} files, {_size(evidence_bytes)}")
    if not manifest["alembic_revision"]:
        click.echo("warning: the database has no Alembic revision (not created with `flask db upgrade`); "
                   "`flask backup restore` will refuse this archive.", err=True)


@backup_cli.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", "replace_existing", is_flag=True,
              help="Replace a database that already holds data (and the evidence folder).")
def restore(path: Path, replace_existing: bool) -> None:
    """Replace the database and the evidence folder with the backup at PATH.

    Stop the web workers and the scheduler first. The archive is checked completely (checksums,
    database revision equal to this code's) before anything changes; a failure leaves the data as it was."""
    try:
        result = restore_backup(current_app._get_current_object(), path, replace_existing=replace_existing)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = result.manifest
    click.echo(f"Restored {path} (made {manifest['created_at']}, revision {manifest['alembic_revision']}):")
    click.echo(f"  database: {len(result.tables)} tables, {sum(result.tables.values())} rows")
    click.echo(f"  evidence: {result.evidence_files} files")


def register(app: Flask) -> None:
    app.cli.add_command(backup_cli)
