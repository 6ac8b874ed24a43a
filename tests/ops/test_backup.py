"""Must show: backup then restore into an empty instance: every row and evidence file is back (compared
table by table, all columns in primary-key order, and evidence byte by byte). Restore refuses a missing,
damaged or altered archive, another schema revision, and a database holding data without --yes, each
with a clear message, exit code 1 and nothing changed; a restore failing midway leaves the data in place.
Runs on SQLite and, with TRACKER_TEST_DATABASE_URL, on PostgreSQL (pg_dump / pg_restore)."""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sqlite3
import tarfile
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from tests.conftest import DEMO_PASSWORD, csrf_token_from, is_postgres
from tracker import create_app
from tracker.config import TestConfig
from tracker.extensions import db
from tracker.ops import backup
from tracker.ops.cli import register as register_backup_cli
from tracker.tasks.models import Task
from tracker.updates.models import EvidenceFile, StatusUpdate

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


# ------------------------------------------------------------------------------------------------ helpers

def run_backup(application, *args: str):
    """``flask backup ...`` against ``application`` (its own app context, as the real CLI has)."""
    if "backup" not in application.cli.commands:  # until tracker/cli.py wires it in
        register_backup_cli(application)
    # The test's own session ends its transaction: a real `flask backup` is another process and would
    # not share it (on PostgreSQL its locks would make the restore wait).
    db.session.remove()
    with application.app_context():
        return application.test_cli_runner().invoke(args=["backup", *args])


def database_rows() -> dict[str, list[tuple]]:
    """Every table of the current database, every column, in primary-key order (all columns without one)."""
    db.session.remove()  # a fresh view, not the session's identity map
    rows = {}
    with db.engine.connect() as connection:
        reflected = MetaData()
        reflected.reflect(connection)
        for table in reflected.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(select(table).order_by(*order))]
    return rows


def evidence_bytes(folder) -> dict[str, bytes]:
    folder = Path(folder)
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()} if folder.is_dir() else {}


def submit_with_evidence(browser, task_number: str, login: str, files: list[tuple[bytes, str]], text_: str) -> int:
    """A lead unit reports on a task through the web form, with evidence files; returns the update id."""
    task_id = db.session.scalar(select(Task.id).where(Task.number == task_number))
    form_url = f"/tasks/{task_id}/updates/new"
    unit = browser(login)
    # The current reporting period: the form's first choice (monthly or quarterly, depending on the task).
    period = re.search(r'name="period"[^>]*>\s*<option[^>]*value="([^"]+)"', unit.get(form_url).text).group(1)
    response = unit.post(form_url, {
        "period": period, "progress_text": text_, "percent": "55", "problems": "", "next_steps": "",
        "evidence": [(io.BytesIO(data), name) for data, name in files],
    }, token_from=form_url, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    db.session.remove()
    return db.session.scalar(select(StatusUpdate.id).where(StatusUpdate.task_id == task_id)
                             .order_by(StatusUpdate.id.desc()).limit(1))


def repack(archive: Path, destination: Path, change) -> Path:
    """A copy of ``archive`` after ``change(folder)`` edited its unpacked members (a tampered archive)."""
    folder = destination.parent / f"unpacked-{uuid.uuid4().hex[:6]}"
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(folder, filter="data")
    change(folder)
    with tarfile.open(destination, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(folder).as_posix())
    return destination


def edit_manifest(folder: Path, **changes) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest), encoding="utf-8")


# ----------------------------------------------------------------------------------------------- fixtures

@pytest.fixture
def at_code_head(app):
    """Marks the test database as migrated to the code's head (the suite builds it with create_all,
    which makes the same schema: tests/test_migrations.py), as `flask db upgrade` would have."""
    heads = backup.code_heads(app)
    version = Table(backup.ALEMBIC_TABLE, MetaData(), Column("version_num", String(32), primary_key=True))
    db.session.remove()
    with db.engine.begin() as connection:
        version.drop(connection, checkfirst=True)  # left behind by an interrupted run
        version.create(connection)
        connection.execute(insert(version), [{"version_num": head} for head in heads])
    yield heads
    db.session.remove()
    with db.engine.begin() as connection:
        version.drop(connection, checkfirst=True)


@pytest.fixture
def instance(app, seeded, on_date, browser, at_code_head, tmp_path):
    """The demo seed, two updates with evidence files on disk (one with a Chinese file name), stamped."""
    on_date(date(2026, 6, 30))
    app.config["EVIDENCE_FOLDER"] = str(tmp_path / "evidence")  # this test's own folder; conftest restores it
    submit_with_evidence(browser, "7", "jingwei", [(PDF, "签约合同.pdf"), (b"budget 3.2", "预算.txt")],
                         "完成改性塑料项目签约2个。")
    submit_with_evidence(browser, "4", "kejiwei", [(PDF + b"% second", "scan.pdf")], "完成平台建设方案。")
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 3
    assert len(evidence_bytes(app.config["EVIDENCE_FOLDER"])) == 3
    return app


@pytest.fixture
def empty_instance(app, tmp_path):
    """A second app with an empty database (a SQLite file, or a fresh PostgreSQL database) and an empty
    evidence folder."""
    base = os.environ.get("TRACKER_TEST_DATABASE_URL")
    admin = None
    if base:
        name = f"tracker_restore_{uuid.uuid4().hex[:8]}"
        admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
    else:
        (tmp_path / "restored").mkdir()  # the new instance's folder; the database file is not there yet
        url = f"sqlite:///{tmp_path / 'restored' / 'tracker.db'}"
    overrides = {key: value for key, value in vars(TestConfig).items() if key.isupper()}
    other = create_app({**overrides, "SQLALCHEMY_DATABASE_URI": url,
                        "EVIDENCE_FOLDER": str(tmp_path / "restored" / "evidence")})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def archive(instance, tmp_path) -> Path:
    result = run_backup(instance, "create", str(tmp_path / "duban.tar.gz"))
    assert result.exit_code == 0, result.output
    return tmp_path / "duban.tar.gz"


# ---------------------------------------------------------------------------------------------- must show

def test_backup_then_restore_into_an_empty_instance_brings_back_every_row_and_evidence_file(
        instance, empty_instance, tmp_path):
    rows_before = database_rows()
    files_before = evidence_bytes(instance.config["EVIDENCE_FOLDER"])

    result = run_backup(instance, "create", str(tmp_path / "duban.tar.gz"))
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output and "evidence: 3 files" in result.output

    # The manifest describes the archive: revision, dialect, every table's row count, every file's sha256.
    with tarfile.open(tmp_path / "duban.tar.gz", "r:gz") as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    dialect = "postgresql" if is_postgres(instance) else "sqlite"
    assert manifest["dialect"] == dialect and manifest["created_at"]
    assert manifest["alembic_revision"] == ",".join(backup.code_heads(instance))
    assert manifest["tables"] == {name: len(rows) for name, rows in rows_before.items()}
    assert manifest["tables"]["status_updates"] > 0 and manifest["tables"]["evidence_files"] == 3
    assert manifest["evidence"] == {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                                    for name, data in files_before.items()}
    assert names == {"manifest.json", backup.DATABASE_MEMBERS[dialect],
                     *(f"evidence/{name}" for name in files_before)}

    with empty_instance.app_context():
        assert database_rows() == {}
    assert evidence_bytes(empty_instance.config["EVIDENCE_FOLDER"]) == {}

    result = run_backup(empty_instance, "restore", str(tmp_path / "duban.tar.gz"))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output and "evidence: 3 files" in result.output

    with empty_instance.app_context():
        rows_after = database_rows()
        db.engine.dispose()
    assert rows_after.keys() == rows_before.keys()
    for table_name, rows in rows_before.items():
        assert rows_after[table_name] == rows, f"table {table_name} differs after restore"
    assert evidence_bytes(empty_instance.config["EVIDENCE_FOLDER"]) == files_before
    # The restored instance serves the restored evidence file to its unit.
    with empty_instance.app_context():
        evidence = db.session.scalar(select(EvidenceFile).where(EvidenceFile.original_name == "签约合同.pdf"))
        evidence_id = evidence.id
        db.session.remove()
    empty_instance.config["TODAY"] = "2026-06-30"
    client = empty_instance.test_client()
    login_page = client.get("/login").text
    client.post("/login", data={"login": "jingwei", "password": DEMO_PASSWORD,
                                "csrf_token": csrf_token_from(login_page)})
    download = client.get(f"/evidence/{evidence_id}")
    assert download.status_code == 200 and download.data == PDF
    with empty_instance.app_context():
        db.session.remove()


def test_restore_with_yes_replaces_a_database_that_holds_data(instance, archive, browser):
    rows_at_backup = database_rows()
    files_at_backup = evidence_bytes(instance.config["EVIDENCE_FOLDER"])
    # After the backup: another update with another evidence file.
    later = submit_with_evidence(browser, "12", "kejiwei", [(b"later evidence", "later.txt")], "后来的报送。")
    assert later and len(evidence_bytes(instance.config["EVIDENCE_FOLDER"])) == 4

    refused = run_backup(instance, "restore", str(archive))
    assert refused.exit_code == 1
    assert "already holds data" in refused.output and "--yes" in refused.output
    assert "Nothing was changed" in refused.output
    assert db.session.get(StatusUpdate, later) is not None

    result = run_backup(instance, "restore", str(archive), "--yes")
    assert result.exit_code == 0, result.output
    assert database_rows() == rows_at_backup
    assert evidence_bytes(instance.config["EVIDENCE_FOLDER"]) == files_at_backup
    assert db.session.get(StatusUpdate, later) is None


# ------------------------------------------------------------------------------------------------ refusals

def _refused(application, archive_path, *expected_phrases):
    """Restore (even with --yes) is refused with exit code 1 and a message, and nothing changes."""
    rows = database_rows()
    files = evidence_bytes(application.config["EVIDENCE_FOLDER"])
    result = run_backup(application, "restore", str(archive_path), "--yes")
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and "Nothing was changed" in result.output, result.output
    for phrase in expected_phrases:
        assert phrase in result.output, result.output
    assert database_rows() == rows
    assert evidence_bytes(application.config["EVIDENCE_FOLDER"]) == files
    leftovers = [p.name for p in Path(application.config["EVIDENCE_FOLDER"]).parent.iterdir()
                 if p.name.startswith(".duban-restore-")]
    assert leftovers == [], "the unpacked archive was not cleaned up"
    return result


def test_restore_refuses_a_missing_archive(instance, tmp_path):
    _refused(instance, tmp_path / "no-such-backup.tar.gz", "There is no backup archive at")


@pytest.mark.parametrize("damage", ["truncated", "not an archive", "no manifest"])
def test_restore_refuses_a_damaged_archive(instance, archive, tmp_path, damage):
    damaged = tmp_path / "damaged.tar.gz"
    if damage == "truncated":
        data = archive.read_bytes()
        damaged.write_bytes(data[: len(data) // 2])
        phrases = ["is not a readable backup archive"]
    elif damage == "not an archive":
        damaged.write_bytes(b"this is not a backup")
        phrases = ["is not a readable backup archive"]
    else:
        repack(archive, damaged, lambda folder: (folder / "manifest.json").unlink())
        phrases = ["has no manifest.json"]
    _refused(instance, damaged, *phrases)


def test_restore_refuses_an_evidence_file_that_does_not_match_the_manifest(instance, archive, tmp_path):
    def alter_one_evidence_file(folder: Path) -> None:
        victim = sorted((folder / "evidence").iterdir())[0]
        victim.write_bytes(victim.read_bytes() + b" altered")

    altered = repack(archive, tmp_path / "altered.tar.gz", alter_one_evidence_file)
    _refused(instance, altered, "does not match its checksum in the manifest")


def test_restore_refuses_an_archive_of_another_schema_revision(instance, archive, tmp_path):
    script = backup._script_directory(instance)
    older = next(revision.revision for revision in script.walk_revisions()
                 if revision.revision not in backup.code_heads(instance))
    # The manifest's revision is what is compared; the database member is left as it is.
    old = repack(archive, tmp_path / "old.tar.gz", lambda folder: edit_manifest(folder, alembic_revision=older))
    _refused(instance, old, f"revision {older}", "flask db upgrade")
    newer = repack(archive, tmp_path / "newer.tar.gz",
                   lambda folder: edit_manifest(folder, alembic_revision="ffffffffffff"))
    _refused(instance, newer, "which this code does not know")
    unstamped = repack(archive, tmp_path / "unstamped.tar.gz",
                       lambda folder: edit_manifest(folder, alembic_revision=None))
    _refused(instance, unstamped, "has no Alembic revision")


def test_backup_refuses_to_overwrite_a_file_or_to_write_into_the_evidence_folder(instance, archive):
    before = archive.read_bytes()
    result = run_backup(instance, "create", str(archive))
    assert result.exit_code == 1 and "already exists" in result.output and "--force" in result.output
    assert archive.read_bytes() == before
    assert run_backup(instance, "create", str(archive), "--force").exit_code == 0

    evidence = Path(instance.config["EVIDENCE_FOLDER"])
    files = evidence_bytes(evidence)
    result = run_backup(instance, "create", str(evidence))
    assert result.exit_code == 1 and "outside the evidence folder" in result.output
    assert evidence_bytes(evidence) == files and not list(evidence.glob(".duban-backup-*"))

    # A folder as PATH: a dated archive inside it.
    folder = archive.parent / "backups"
    folder.mkdir()
    result = run_backup(instance, "create", str(folder))
    assert result.exit_code == 0, result.output
    assert [path.name.startswith("duban-backup-") and path.name.endswith(".tar.gz")
            for path in folder.iterdir()] == [True]


def test_a_restore_failing_midway_leaves_the_existing_data_in_place(instance, archive, browser, monkeypatch):
    """A running worker holds a lock the restore needs: it gives up after the lock timeout, inside its
    transaction, and puts the previous evidence folder back."""
    submit_with_evidence(browser, "12", "kejiwei", [(b"kept evidence", "kept.txt")], "恢复失败后仍在。")
    rows = database_rows()
    files = evidence_bytes(instance.config["EVIDENCE_FOLDER"])
    monkeypatch.setattr(backup, "LOCK_WAIT_SECONDS", 1)
    if is_postgres(instance):
        # An open transaction that read a table: DROP TABLE (pg_restore --clean) waits for it.
        with db.engine.connect() as worker:
            worker.execute(text("SELECT * FROM units LIMIT 1"))
            result = run_backup(instance, "restore", str(archive), "--yes")
            worker.rollback()
    else:
        # A writer in the middle of its transaction: SQLite's backup API cannot take the write lock.
        worker = sqlite3.connect(db.engine.url.database, isolation_level=None)
        worker.execute("BEGIN IMMEDIATE")
        try:
            result = run_backup(instance, "restore", str(archive), "--yes")
        finally:
            worker.execute("ROLLBACK")
            worker.close()
    assert result.exit_code == 1, result.output
    assert "left as it was" in result.output and "stop the web workers" in result.output
    assert database_rows() == rows
    assert evidence_bytes(instance.config["EVIDENCE_FOLDER"]) == files
