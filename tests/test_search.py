"""Search (/search?q=): tasks by number, title, text and unit name, only those the user may see,
Chinese substrings matched, ranked (number and title hits above text hits) and paged."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from seeds import xicen_plan
from tracker.auth.models import User
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.search.queries import parse_query, search_ids
from tracker.tasks.models import Task

DAY = date(2026, 6, 30)
RESULT = re.compile(r'class="list-group-item list-group-item-action search-result" href="/tasks/(\d+)"')


def _result_ids(html: str) -> list[int]:
    return [int(task_id) for task_id in RESULT.findall(html)]


def _xicen_tasks() -> dict[str, Task]:
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == xicen_plan.PLAN["doc_number"]))
    return {task.number: task for task in db.session.scalars(select(Task).where(Task.plan_id == plan.id))}


def _mentioning(word: str) -> set[int]:
    """The Xicen tasks with ``word`` in their title, text, or a lead or cooperating unit's name."""
    def fields(task: Task) -> list[str]:
        units = [task.lead_unit, *task.cooperating_units]
        return [task.title, task.text, *(unit.name for unit in units), *(unit.short_name for unit in units)]

    return {task.id for task in _xicen_tasks().values() if any(word in value for value in fields(task))}


def test_a_coordinator_finds_every_seeded_task_that_mentions_suanli(seeded, on_date, browser):
    on_date(DAY)
    expected = _mentioning("算力")
    assert len(expected) >= 2  # the seed's tasks 4 and 6 mention 算力 (computing power)
    page = browser("coordinator").get("/search?q=算力")
    assert page.status_code == 200
    assert set(_result_ids(page.text)) == expected
    assert "<mark>算力</mark>" in page.text
    assert f"共{len(expected)}项任务" in page.text


def test_a_unit_finds_only_its_own_tasks(seeded, on_date, browser):
    on_date(DAY)
    tasks = _xicen_tasks()
    unit_user = db.session.scalar(select(User).where(User.login == "kejiwei"))
    own = {task.id for task in tasks.values()
           if unit_user.unit_id in {task.lead_unit_id, *(unit.id for unit in task.cooperating_units)}}
    everybody = _mentioning("科创")
    assert everybody - own and everybody & own  # 科创 is in tasks of 区科委 and in others' tasks
    found = set(_result_ids(browser("kejiwei").get("/search?q=科创").text))
    assert found == everybody & own
    assert set(_result_ids(browser("coordinator").get("/search?q=科创").text)) == everybody


def test_number_and_title_hits_rank_above_text_hits(seeded, on_date, browser):
    on_date(DAY)
    tasks = _xicen_tasks()
    in_title = {t.id for t in tasks.values() if "科创" in t.title}
    in_text_only = {t.id for t in tasks.values() if "科创" in t.text and "科创" not in t.title}
    in_text_only -= {t.id for t in tasks.values() if "科创" in t.lead_unit.short_name}  # ranked by unit
    assert in_title and in_text_only
    ids = _result_ids(browser("coordinator").get("/search?q=科创").text)
    assert set(ids[:len(in_title)]) == in_title  # title hits first
    # A task's number puts it first, though other tasks mention "12" nowhere but in their numbers.
    assert _result_ids(browser("coordinator").get("/search?q=12").text)[0] == tasks["12"].id


def test_unit_names_and_several_terms(seeded, on_date, browser):
    on_date(DAY)
    tasks = _xicen_tasks()
    led_by = {t.id for t in tasks.values() if t.lead_unit.short_name == "区科委"
              or "区科委" in {u.short_name for u in t.cooperating_units}}
    found = set(_result_ids(browser("coordinator").get("/search?q=区科委").text))
    assert led_by <= found
    # Two terms: both must be found (in any field).
    both = _mentioning("算力") & _mentioning("芯片")
    assert set(_result_ids(browser("coordinator").get("/search?q=算力 芯片").text)) == both


def test_results_are_paged(app, seeded, on_date, browser):
    on_date(DAY)
    app.config["PAGE_SIZE"] = 2
    coordinator = browser("coordinator")
    expected = _mentioning("科创")
    seen = []
    for number in range(1, -(-len(expected) // 2) + 1):
        ids = _result_ids(coordinator.get(f"/search?q=科创&page={number}").text)
        assert len(ids) <= 2
        seen += ids
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))


def test_odd_input_is_harmless(seeded, on_date, browser):
    on_date(DAY)
    coordinator = browser("coordinator")
    for raw in ("", "   ", "%", "_", "\\", "'; DROP TABLE tasks;--", "<script>alert(1)</script>", "x" * 500, "a\x00b"):
        page = coordinator.get("/search", query_string={"q": raw})
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in page.text
    assert _result_ids(coordinator.get("/search?q=%25").text) == []  # a literal %, not a wildcard
    assert parse_query("a  b a").terms == ("a", "b")
    assert search_ids(db.session.scalar(select(User).where(User.login == "coordinator")), parse_query(" ")) is None


def test_search_needs_a_login(client):
    response = client.get("/search?q=算力")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_ascii_letters_match_in_any_case(seeded, on_date, browser):
    on_date(DAY)
    tasks = _xicen_tasks()
    with_ai = {t.id for t in tasks.values() if "AI" in t.text or "AI" in t.title}
    assert with_ai  # task 7: AI芯片
    for spelling in ("AI", "ai", "Ai", "ai芯片", "AI芯片"):
        assert set(_result_ids(browser("coordinator").get(f"/search?q={spelling}").text)) >= with_ai, spelling


def test_the_index_follows_edits_a_renamed_task_is_found_by_its_new_words_not_its_old(seeded, on_date, browser):
    """On SQLite the search reads an index of task words kept by triggers (tracker/tasks/search_grams.py):
    a renamed task is found by its new title, not by its old one; a new task at once; a deleted one no more."""
    on_date(DAY)
    coordinator = browser("coordinator")
    task = _xicen_tasks()["1"]
    old_title, task_id = task.title, task.id
    assert task_id in _result_ids(coordinator.get("/search", query_string={"q": old_title}).text)
    assert _result_ids(coordinator.get("/search?q=量子").text) == []
    task = db.session.get(Task, task_id)  # the requests ended the session the task was read in
    task.title, task.text = "量子通信试点", "建设量子通信城域网"
    db.session.commit()
    assert _result_ids(coordinator.get("/search?q=量子").text) == [task_id]
    assert _result_ids(coordinator.get("/search?q=子通").text) == [task_id]  # a bigram inside the title
    assert _result_ids(coordinator.get("/search?q=城域网").text) == [task_id]  # a word of the new text
    assert task_id not in _result_ids(coordinator.get("/search", query_string={"q": old_title}).text)
    task = db.session.get(Task, task_id)
    copy = Task(plan_id=task.plan_id, number="99", sort_key="000099", title="量子计算中心",
                text="", lead_unit_id=task.lead_unit_id)
    db.session.add(copy)
    db.session.commit()
    copy_id = copy.id
    assert set(_result_ids(coordinator.get("/search?q=量子").text)) == {task_id, copy_id}
    db.session.delete(db.session.get(Task, copy_id))
    db.session.commit()
    assert _result_ids(coordinator.get("/search?q=量子").text) == [task_id]


def test_a_two_character_term_is_read_from_the_bigram_index_on_postgresql(seeded, on_date, browser):
    """PostgreSQL: 科创 (no trigram) is found through the bigram expression index ``ix_tasks_bigrams``
    (tracker/tasks/search_grams.py), which ``create_all`` builds as the migration does; SQLite: its FTS5
    table. Either way the coordinator gets every task that mentions it."""
    on_date(DAY)
    from sqlalchemy import text

    from tracker.tasks import search_grams

    coordinator_user = db.session.scalar(select(User).where(User.login == "coordinator"))
    statement = search_ids(coordinator_user, parse_query("科创"))
    compiled = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a seed's few tasks would be scanned
        plan = "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
        db.session.rollback()
        assert search_grams.PG_INDEX in plan
    else:
        assert search_grams.TABLE in compiled
    assert set(_result_ids(browser("coordinator").get("/search?q=科创").text)) == _mentioning("科创")
