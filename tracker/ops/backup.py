"""Backup and restore (备份与恢复) of the database and the evidence files (佐证材料).

A backup is one ``.tar.gz`` archive:

    database.sqlite3 | database.pgdump   the database: a SQLite file, or ``pg_dump --format=custom``
    evidence/<stored name>               every file of the evidence folder
    manifest.json                        created_at, app version, Alembic revision, dialect, row count of
                                         every table, sha256 and size of the database and of every evidence
                                         file (last member: it lists checksums computed while writing the rest)

Creating never leaves a half-written archive at PATH: the archive is written beside it and renamed.

Restoring checks everything it can before it changes anything (archive readable, every checksum, the
Alembic revision equal to the code's, same database kind, ``--yes`` for a database that holds data);
then it swaps in the evidence folder and replaces the database in one transaction: SQLite's backup API
writing into the database, or ``pg_restore --single-transaction``. When the database step fails the
previous evidence folder is put back, so a failed restore leaves the existing data as it was.

A backup runs while the app runs: it is a consistent snapshot (SQLite online backup; a pg_dump of an
exported snapshot, with the row counts read in that same snapshot). A restore should be run with the web
workers and the scheduler stopped; a session holding a lock the restore needs makes it give up after
``LOCK_WAIT_SECONDS`` without changing anything. (Should the restore process itself be killed between
the two swaps, the previous evidence folder is in ``.duban-restore-*/previous-evidence`` beside it.)
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask
from sqlalchemy import column, func, inspect, select, table, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db

FORMAT = "duban-backup/1"
MANIFEST_NAME = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
EVIDENCE_DIR = "evidence"
ALEMBIC_TABLE = "alembic_version"
# How long a backup or restore waits for a lock held by a running worker before it gives up (changing nothing).
LOCK_WAIT_SECONDS = 60
PROJECT_ROOT = Path(__file__).resolve().parents[2]
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """Backup or restore stopped; the message tells the operator why and what to do."""


@dataclass(frozen=True)
class DatabaseContents:
    tables: dict[str, int]  # every table of the database with its row count
    revision: str | None    # Alembic revision(s), comma-separated; None when never migrated


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    tables: dict[str, int]
    evidence_files: int


# ---------------------------------------------------------------------------------------------- create

def create_backup(app: Flask, destination: str | os.PathLike, *, overwrite: bool = False) -> BackupResult:
    """Writes the archive to ``destination`` (a file, or a folder to put a dated archive in)."""
    destination = Path(destination)
    if destination.is_dir():
        destination = destination / f"duban-backup-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.tar.gz"
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} already exists; choose another path or pass --force to replace it.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    evidence_folder = Path(app.config["EVIDENCE_FOLDER"]).resolve()
    if evidence_folder == destination.parent.resolve() or evidence_folder in destination.parent.resolve().parents:
        raise BackupError(f"Put the backup outside the evidence folder {evidence_folder}; it would back itself up.")
    dialect = _dialect()
    member = DATABASE_MEMBERS[dialect]
    # The work folder sits beside the destination so that the final rename is atomic (same filesystem).
    work = Path(tempfile.mkdtemp(prefix=".duban-backup-", dir=destination.parent))
    try:
        database_file = work / member
        # Database first, evidence second: evidence files are written before the row that names them is
        # committed and never changed afterwards, so every file the snapshot refers to is still there.
        contents = (_snapshot_sqlite(_sqlite_path(), database_file) if dialect == "sqlite"
                    else _snapshot_postgres(database_file))
        partial = work / "archive.tar.gz"
        with tarfile.open(partial, "w:gz", format=tarfile.PAX_FORMAT) as archive:
            with open(database_file, "rb") as handle:
                database_sha256, database_bytes = _add_stream(archive, member, handle)
            evidence = _add_evidence(archive, evidence_folder)
            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "app_version": _app_version(),
                "alembic_revision": contents.revision,
                "dialect": dialect,
                "database": {"member": member, "sha256": database_sha256, "bytes": database_bytes},
                "tables": contents.tables,
                "evidence": evidence,
            }
            _add_bytes(archive, MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, destination)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(destination, manifest)


def _snapshot_sqlite(source: Path, target: Path) -> DatabaseContents:
    if not source.is_file():
        raise BackupError(f"The SQLite database {source} does not exist.")
    origin = sqlite3.connect(source, timeout=1)
    try:
        copy = sqlite3.connect(target)
        try:
            # One step: a consistent read snapshot, while the app's writers go on (WAL mode).
            _copy_sqlite(origin, copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
            return _sqlite_contents(copy)
        finally:
            copy.close()
    except (sqlite3.Error, TimeoutError) as error:
        raise BackupError(f"Could not copy the SQLite database {source}: {error}") from error
    finally:
        origin.close()


def _copy_sqlite(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """SQLite's online backup API, all pages in one step, giving up after LOCK_WAIT_SECONDS.

    Python's ``backup`` retries a locked database for ever; raising from the progress callback is the
    way to stop it, and SQLite then rolls back whatever the step had written into ``target``."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS

    def give_up_when_locked(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise TimeoutError(f"the database stayed locked for {LOCK_WAIT_SECONDS} s")

    source.backup(target, pages=-1, progress=give_up_when_locked)


def _snapshot_postgres(target: Path) -> DatabaseContents:
    pg_dump = _client("pg_dump")
    engine = db.engine
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                # pg_dump reads the snapshot of this transaction, so the manifest's row counts and
                # revision describe exactly what the dump holds, even with the app writing meanwhile.
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                contents = _database_contents(connection)
                dsn, env = _libpq(engine.url)
                # --lock-wait-timeout: a schema change holding a table (a migration) fails the backup
                # instead of making it wait for ever.
                _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}",
                      f"--lock-wait-timeout={LOCK_WAIT_SECONDS}s", f"--dbname={dsn}"], env, "pg_dump")
    except SQLAlchemyError as error:
        raise BackupError(f"Could not read the database: {error}") from error
    return contents


def _add_evidence(archive: tarfile.TarFile, folder: Path) -> dict[str, dict]:
    files: dict[str, dict] = {}
    if not folder.is_dir():
        return files
    for path in sorted(folder.rglob("*")):
        # *.part: an upload still being written (EvidenceStore renames it when complete).
        if path.is_symlink() or not path.is_file() or path.name.endswith(".part"):
            continue
        relative = path.relative_to(folder).as_posix()
        try:
            handle = open(path, "rb")
        except FileNotFoundError:  # removed since listing: a discarded upload no row refers to
            continue
        with handle:
            sha256, size = _add_stream(archive, f"{EVIDENCE_DIR}/{relative}", handle)
        files[relative] = {"sha256": sha256, "bytes": size}
    return files


class _HashingReader:
    """Hands a file to tarfile while computing its sha256, so every file is read once."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_stream(archive: tarfile.TarFile, name: str, handle) -> tuple[str, int]:
    stat = os.fstat(handle.fileno())
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o644
    reader = _HashingReader(handle)
    archive.addfile(info, reader)
    return reader.digest.hexdigest(), info.size


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(timezone.utc).timestamp()), 0o644
    archive.addfile(info, io.BytesIO(data))


def _app_version() -> str | None:
    """The code's git commit when deployed from a checkout; None otherwise (the revision names the schema)."""
    try:
        completed = subprocess.run(["git", "-C", str(PROJECT_ROOT), "describe", "--always", "--dirty"],
                                   capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return (completed.stdout.strip() or None) if completed.returncode == 0 else None


# --------------------------------------------------------------------------------------------- restore

def restore_backup(app: Flask, archive_path: str | os.PathLike, *, replace_existing: bool = False) -> RestoreResult:
    """Replaces the database and the evidence folder with the archive's; refuses rather than half-restore."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"There is no backup archive at {archive_path}. Nothing was changed.")
    dialect = _dialect()
    evidence_folder = Path(app.config["EVIDENCE_FOLDER"]).resolve()
    evidence_folder.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked beside the evidence folder, so that swapping the folders is a rename on one filesystem.
    staging = Path(tempfile.mkdtemp(prefix=".duban-restore-", dir=evidence_folder.parent))
    try:
        manifest = unpack_archive(archive_path, staging)
        check_revision(app, manifest)
        if manifest["dialect"] != dialect:
            raise BackupError(f"The archive holds a {manifest['dialect']} database but this instance uses "
                              f"{dialect}; restore it into an instance of the same kind. Nothing was changed.")
        database_file = staging / manifest["database"]["member"]
        if dialect == "sqlite":
            target = _sqlite_path()
            _check_sqlite_copy(database_file, manifest)
        else:
            _check_postgres_dump(database_file)
        occupied = occupied_tables()
        if occupied and not replace_existing:
            rows = sum(occupied.values())
            raise BackupError(f"The database already holds data ({rows} rows in {len(occupied)} tables, e.g. "
                              f"{', '.join(sorted(occupied)[:3])}); restoring replaces all of it, and the evidence "
                              "folder too. Run again with --yes to do that. Nothing was changed.")
        db.session.remove()
        db.engine.dispose()  # no pooled connection of ours keeps a stale view (or a lock) across the swap
        previous = _swap_in_evidence(staging / EVIDENCE_DIR, evidence_folder, staging)
        try:
            if dialect == "sqlite":
                _restore_sqlite(database_file, target)
            else:
                _restore_postgres(database_file)
        except BaseException:
            _put_back_evidence(evidence_folder, previous, staging)
            raise
        db.engine.dispose()
        restored = _current_contents()
        differing = {name: (count, restored.tables.get(name)) for name, count in manifest["tables"].items()
                     if restored.tables.get(name) != count}
        if differing:
            raise BackupError(f"The restore finished but these tables do not hold the archive's row counts "
                              f"(archive, database): {differing}. Check the database before using it.")
        return RestoreResult(manifest, restored.tables, len(manifest["evidence"]))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def unpack_archive(archive_path: Path, into: Path) -> dict:
    """Extracts the archive into ``into`` and returns its manifest once every checksum matches."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            members = archive.getmembers()  # reads to the end: a truncated or damaged archive fails here
            _check_member_names(archive_path, members)
            archive.extractall(into, members=members, filter="data")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{archive_path} is not a readable backup archive ({error}). Nothing was changed.") from error
    manifest = _read_manifest(archive_path, into / MANIFEST_NAME)
    database = manifest["database"]
    database_file = into / database["member"]
    if not database_file.is_file():
        raise BackupError(f"{archive_path} has no {database['member']}. Nothing was changed.")
    if _sha256(database_file) != database["sha256"]:
        raise BackupError(f"The database in {archive_path} does not match its checksum in the manifest: the "
                          "archive is damaged or was altered. Nothing was changed.")
    folder = into / EVIDENCE_DIR
    present = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()} \
        if folder.is_dir() else set()
    listed = set(manifest["evidence"])
    if present != listed:
        missing, extra = sorted(listed - present), sorted(present - listed)
        raise BackupError(f"The evidence files in {archive_path} differ from its manifest (missing: {missing[:5]}, "
                          f"not listed: {extra[:5]}): the archive is damaged or was altered. Nothing was changed.")
    for name, expected in sorted(manifest["evidence"].items()):
        if _sha256(folder / name) != expected.get("sha256"):
            raise BackupError(f"The evidence file {name} in {archive_path} does not match its checksum in the "
                              "manifest: the archive is damaged or was altered. Nothing was changed.")
    return manifest


def _check_member_names(archive_path: Path, members: list[tarfile.TarInfo]) -> None:
    allowed_files = {MANIFEST_NAME, *DATABASE_MEMBERS.values()}
    seen: set[str] = set()
    for member in members:
        parts = PurePosixPath(member.name).parts
        in_evidence = len(parts) >= 2 and parts[0] == EVIDENCE_DIR and ".." not in parts
        expected = (member.isfile() and (member.name in allowed_files or in_evidence)) or \
                   (member.isdir() and (member.name == EVIDENCE_DIR or in_evidence))
        if not expected or member.name in seen:
            raise BackupError(f"{archive_path} is not a Duban backup: unexpected member {member.name!r}. "
                              "Nothing was changed.")
        seen.add(member.name)
    if MANIFEST_NAME not in seen:
        raise BackupError(f"{archive_path} has no {MANIFEST_NAME}: it is not a Duban backup, or it is "
                          "incomplete. Nothing was changed.")


def _read_manifest(archive_path: Path, path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        valid = (manifest.get("format") == FORMAT and manifest.get("dialect") in DATABASE_MEMBERS
                 and manifest["database"]["member"] == DATABASE_MEMBERS[manifest["dialect"]]
                 and isinstance(manifest["database"]["sha256"], str) and isinstance(manifest["tables"], dict)
                 and isinstance(manifest["evidence"], dict))
    except (ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise BackupError(f"The {MANIFEST_NAME} of {archive_path} is damaged or not of format {FORMAT}. "
                          "Nothing was changed.")
    return manifest


def check_revision(app: Flask, manifest: dict) -> None:
    """The archive's schema must be the code's: Alembic cannot migrate an archive, only a database."""
    heads = code_heads(app)
    archived = manifest.get("alembic_revision")
    if archived and set(archived.split(",")) == set(heads):
        return
    head = ",".join(heads)
    if not archived:
        raise BackupError(f"The archive's database has no Alembic revision (it was not created with `flask db "
                          f"upgrade`), so it cannot be matched to this code's schema ({head}). Run `flask db "
                          "upgrade` on the instance it came from and back up again. Nothing was changed.")
    script = _script_directory(app)
    try:
        known = all(script.get_revision(revision) is not None for revision in archived.split(","))
    except CommandError:
        known = False
    if known:
        raise BackupError(f"The archive was made at database revision {archived}, this code's schema is at "
                          f"{head}. Restore it with the release that made it, then run `flask db upgrade` "
                          "(or back up again after `flask db upgrade` on the source). Nothing was changed.")
    raise BackupError(f"The archive was made at database revision {archived}, which this code does not know "
                      f"(its schema is at {head}): it comes from a newer release. Deploy that release first, "
                      "run `flask db upgrade`, then restore. Nothing was changed.")


def code_heads(app: Flask) -> tuple[str, ...]:
    return tuple(sorted(_script_directory(app).get_heads()))


def _script_directory(app: Flask) -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", str(app.extensions["migrate"].directory))
    return ScriptDirectory.from_config(config)


def occupied_tables() -> dict[str, int]:
    """Tables of the current database that hold rows (the Alembic bookkeeping table aside)."""
    return {name: count for name, count in _current_contents().tables.items() if count and name != ALEMBIC_TABLE}


def _check_sqlite_copy(path: Path, manifest: dict) -> None:
    try:
        copy = sqlite3.connect(path)
        try:
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            contents = _sqlite_contents(copy)
        finally:
            copy.close()
    except sqlite3.Error as error:
        verdict, contents = str(error), None
    if verdict != "ok" or contents.tables != manifest["tables"] or contents.revision != manifest["alembic_revision"]:
        raise BackupError(f"The SQLite database in the archive is damaged or does not match its manifest "
                          f"({verdict if verdict != 'ok' else 'row counts or revision differ'}). Nothing was changed.")


def _check_postgres_dump(path: Path) -> None:
    _run([_client("pg_restore"), "--list", str(path)], dict(os.environ), "pg_restore --list",
         after="The PostgreSQL dump in the archive is unreadable. Nothing was changed.")


def _swap_in_evidence(incoming: Path, folder: Path, holding: Path) -> Path | None:
    incoming.mkdir(exist_ok=True)  # an archive of an instance without evidence files
    previous = None
    if folder.exists():
        previous = holding / "previous-evidence"
        os.rename(folder, previous)
    try:
        os.rename(incoming, folder)
    except BaseException:
        if previous is not None:
            os.rename(previous, folder)
        raise
    return previous


def _put_back_evidence(folder: Path, previous: Path | None, holding: Path) -> None:
    os.rename(folder, holding / "unused-evidence")
    if previous is not None:
        os.rename(previous, folder)


def _restore_sqlite(copy_path: Path, target: Path) -> None:
    """Writes the copy into the database through SQLite's backup API.

    Not a file rename: a rename would leave the old database's -wal file beside the new one (SQLite
    would replay it onto the wrong file), and open connections would keep reading the old file. The
    backup API replaces every page inside one write transaction of the target: if it fails the
    transaction is rolled back and the database is as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    copy = sqlite3.connect(copy_path)
    try:
        database = sqlite3.connect(target, timeout=1)
        try:
            _copy_sqlite(copy, database)
        finally:
            database.close()
    except (sqlite3.Error, TimeoutError) as error:
        raise BackupError(f"Restoring the SQLite database {target} failed ({error}); it was left as it was. If the "
                          "app is running, stop the web workers and the scheduler and try again.") from error
    finally:
        copy.close()


def _restore_postgres(dump: Path) -> None:
    pg_restore = _client("pg_restore")
    dsn, env = _libpq(db.engine.url)
    env["PGAPPNAME"] = session_name = f"duban-restore-{uuid.uuid4().hex[:12]}"
    # --single-transaction: all or nothing (it implies --exit-on-error). --no-owner/--no-acl: the roles
    # of the source server need not exist here; the restoring login owns what it creates.
    command = [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
               f"--dbname={dsn}", str(dump)]
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: a chatty pg_restore never blocks on it
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            blockers = _cancel_when_blocked(process, session_name)
        except BaseException:
            process.kill()
            process.wait()
            raise
        stderr.seek(0)
        detail = stderr.read().decode("utf-8", "replace").strip()[-2000:]
    advice = ("The database was left as it was (the restore runs in one transaction). If the app is running, "
              "stop the web workers and the scheduler and try again.")
    if blockers is not None:
        raise BackupError(f"pg_restore waited more than {LOCK_WAIT_SECONDS} s for a table lock held by "
                          f"other sessions ({blockers or 'gone meanwhile'}) and was cancelled.\n{advice}")
    if process.returncode != 0:
        raise BackupError(f"pg_restore failed: {detail or f'exit status {process.returncode}'}\n{advice}")


def _cancel_when_blocked(process: subprocess.Popen, session_name: str) -> str | None:
    """Waits for pg_restore; cancels it when one of its statements waits on a lock for too long.

    A session of a running worker that has read a table (even idle in its transaction) makes DROP TABLE
    wait for ever, and lock_timeout cannot bound it: the dump itself sets ``lock_timeout = 0``. Cancelling
    the statement aborts the restore's transaction, so nothing is changed. Returns the blocking sessions
    when it cancelled, None otherwise."""
    waiting_too_long = text("""
        SELECT waiting.pid,
               (SELECT string_agg(format('pid %s %s, %s', other.pid,
                                         coalesce(nullif(other.application_name, ''), '(no name)'), other.state), '; ')
                  FROM pg_stat_activity AS other WHERE other.pid = ANY (pg_blocking_pids(waiting.pid))) AS blockers
          FROM pg_stat_activity AS waiting
         WHERE waiting.application_name = :name AND waiting.wait_event_type = 'Lock'
           AND now() - waiting.query_start > :limit * interval '1 second'""")
    with db.engine.connect() as watcher:
        watcher = watcher.execution_options(isolation_level="AUTOCOMMIT")  # holds no snapshot, no lock
        while process.poll() is None:
            stuck = watcher.execute(waiting_too_long, {"name": session_name,
                                                       "limit": LOCK_WAIT_SECONDS}).first()
            if stuck is not None:
                watcher.execute(text("SELECT pg_cancel_backend(:pid)"), {"pid": stuck.pid})
                process.wait()
                return stuck.blockers or ""
            time.sleep(0.2)
    return None


# ------------------------------------------------------------------------------------------ shared helpers

def _dialect() -> str:
    dialect = db.engine.dialect.name
    if dialect not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {dialect}.")
    return dialect


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:" or db.engine.url.query.get("mode") == "memory":
        raise BackupError("The database is in memory; there is nothing durable to back up or restore into.")
    return Path(database)


def _current_contents() -> DatabaseContents:
    try:
        with db.engine.connect() as connection:
            return _database_contents(connection)
    except SQLAlchemyError as error:
        raise BackupError(f"Cannot read the database ({error.__class__.__name__}: {getattr(error, 'orig', None) or error}). "
                          "Nothing was changed.") from error


def _database_contents(connection: Connection) -> DatabaseContents:
    names = sorted(inspect(connection).get_table_names())
    tables = {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}
    revision = None
    if ALEMBIC_TABLE in names:
        versions = connection.execute(select(column("version_num")).select_from(table(ALEMBIC_TABLE))).scalars()
        revision = ",".join(sorted(versions)) or None
    return DatabaseContents(tables, revision)


def _sqlite_contents(connection: sqlite3.Connection) -> DatabaseContents:
    names = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")]
    tables = {name: connection.execute(f'SELECT count(*) FROM "{name.replace(chr(34), chr(34) * 2)}"').fetchone()[0]
              for name in names}
    revision = None
    if ALEMBIC_TABLE in names:
        versions = [row[0] for row in connection.execute(f"SELECT version_num FROM {ALEMBIC_TABLE}")]
        revision = ",".join(sorted(versions)) or None
    return DatabaseContents(tables, revision)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump / pg_restore; the password goes in the environment, not on the
    command line, where ``ps`` would show it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _client(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; it is needed to back up and restore a PostgreSQL database "
                          f"(Debian: apt-get install postgresql-client, of the server's major version or newer).")
    return path


def _run(command: list[str], env: dict[str, str], what: str, after: str = "") -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        detail = completed.stderr.strip()[-2000:] or f"exit status {completed.returncode}"
        raise BackupError(f"{what} failed: {detail}" + (f"\n{after}" if after else ""))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
