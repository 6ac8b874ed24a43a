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
    for table in ("units", "users", "plans", "tasks", "task_cooperating_units", "audit_events"):
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
                                        "'leader', 'kejiwei')")).scalar())
        engine.dispose()
        return result

    again = f"sqlite:///{tmp_path / 'again.db'}"
    _run("bench/generate.py", "--database-url", again, "--scale", "small", "--no-audit")
    assert fingerprint(again) == fingerprint(small_database)
    assert fingerprint(small_database)[2] == 4


def test_pages_prints_its_table(small_database):
    out = _run("bench/pages.py", "--database-url", small_database, "--requests", "3", "--no-gunicorn")
    assert "median ms" in out and "statements" in out
    for path in ("/overdue", "/tasks/mine", "/reviews"):
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
