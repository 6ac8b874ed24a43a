"""The benchmark scripts (bench/) run end to end on a small generated data set, so they cannot rot.

generate.py --scale small into a temporary SQLite file, then pages.py (test client only, 3 requests
per page) and reminders.py (a few emails to a local SMTP server) on it: each exits 0 and prints
its table.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, timeout: int = 120) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACKER_")}
    completed = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=timeout)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"{args[0]} exited {completed.returncode}:\n{output[-3000:]}"
    return completed.stdout


@pytest.fixture(scope="module")
def small_database(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'small.db'}"
    out = _run("bench/generate.py", "--database-url", url, "--scale", "small", "--recreate")
    assert "status_updates" in out and "total" in out
    for table in ("units", "users", "plans", "tasks", "task_cooperating_units", "audit_events", "task_receipts",
                  "extension_requests", "closure_requests", "ladder_steps", "supervision_documents",
                  "document_sequences", "bulletins", "proposals", "proposal_receipts"):
        assert table in out
    return url


def test_generate_is_deterministic_and_loads_the_demo_logins(small_database, tmp_path):
    from sqlalchemy import create_engine, text

    def fingerprint(url: str):
        engine = create_engine(url)
        with engine.connect() as conn:
            result = (conn.execute(text("SELECT count(*), sum(lead_unit_id), max(due_on) FROM tasks")).one(),
                      conn.execute(text("SELECT count(*), sum(percent), sum(task_id) FROM status_updates")).one(),
                      conn.execute(text("SELECT count(*) FROM users WHERE login IN ('admin', 'coordinator', "
                                        "'leader', 'kejiwei')")).scalar(),
                      conn.execute(text("SELECT count(*), sum(unit_id), sum(answered_by_id) FROM task_receipts")).one(),
                      conn.execute(text("SELECT count(*), sum(serial), sum(task_id) FROM supervision_documents")).one(),
                      conn.execute(text("SELECT count(*), sum(main_unit_id) FROM proposals")).one())
        engine.dispose()
        return result

    again = f"sqlite:///{tmp_path / 'again.db'}"
    _run("bench/generate.py", "--database-url", again, "--scale", "small", "--no-audit")
    assert fingerprint(again) == fingerprint(small_database)
    assert fingerprint(small_database)[2] == 4


def test_generate_writes_the_loop_as_the_app_would(small_database):
    """签收 for every task of the active plans, the ladder's documents numbered with the sequences at their last
    serial, one level per step up to the task's level, an issued 2026-05 通报, a session of proposals."""
    from sqlalchemy import create_engine, text

    engine = create_engine(small_database)
    with engine.connect() as conn:
        def scalar(sql):
            return conn.execute(text(sql)).scalar()

        assert scalar("SELECT count(*) FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE p.status = 'active' "
                      "AND NOT EXISTS (SELECT 1 FROM task_receipts r WHERE r.task_id = t.id "
                      "AND r.unit_id = t.lead_unit_id AND r.role = 'lead')") == 0
        states = dict(conn.execute(text("SELECT state, count(*) FROM task_receipts GROUP BY state")).all())
        assert states["signed"] > 10 * states.get("pending", 0) > 0
        assert scalar("SELECT count(*) FROM task_receipts WHERE state = 'signed' AND (answered_at IS NULL "
                      "OR answered_by_id IS NULL)") == 0
        assert scalar("SELECT count(*) FROM ladder_steps") > 0
        assert scalar("SELECT count(*) FROM ladder_steps WHERE level IN (2, 3) AND document_id IS NULL") == 0
        assert scalar("SELECT count(*) FROM ladder_steps s JOIN tasks t ON t.id = s.task_id "
                      "WHERE t.status NOT IN ('not_started', 'in_progress') OR s.due_on <> t.due_on") == 0
        for prefix, year, last in conn.execute(text("SELECT prefix, year, last_serial FROM document_sequences")).all():
            assert scalar(f"SELECT max(serial) FROM supervision_documents WHERE prefix = '{prefix}' "
                          f"AND year = {year}") == last
        assert scalar("SELECT count(*) FROM bulletins WHERE month = '2026-05' AND state = 'issued' "
                      "AND serial IS NOT NULL") == 1
        assert scalar("SELECT count(*) FROM proposals WHERE meeting = '区政协十五届二次会议'") == 30
        assert scalar("SELECT count(*) FROM proposal_receipts r JOIN proposals p ON p.id = r.proposal_id "
                      "WHERE p.meeting = '区政协十五届二次会议' AND r.role = 'main'") == 30
    engine.dispose()


def test_pages_prints_its_table(small_database):
    out = _run("bench/pages.py", "--database-url", small_database, "--requests", "3", "--no-gunicorn")
    assert "median ms" in out and "statements" in out
    for path in ("/overdue", "/tasks/mine", "/reviews", "/documents", "/requests", "/proposals",
                 "/proposals/statistics", "/indicators", "/public/proposals"):
        assert path in out
    assert "target: overdue list p95" in out


def test_reminders_prints_its_figures(small_database):
    out = _run("bench/reminders.py", "--database-url", small_database, "--emails", "20", "--no-tracemalloc")
    assert "catch-up scan wall time" in out and "daily first scans" in out and "emails per second" in out
    assert "first scheduler day" in out and "peak RSS of the whole run" in out
    assert "target: catch-up and first scheduler day <= 10 s" in out and "target: daily scans <= 5 s" in out
    assert "target: peak RSS <= 400 MB" in out


def test_search_prints_its_p95(small_database):
    out = _run("bench/search.py", "--database-url", small_database, "--requests", "2")
    assert "search p95" in out and "target < 100 ms" in out
    for query in ("数字化转型", "算力"):
        assert query in out
