"""The overdue list read from stored rows (tracker/overdue/store.py) shows exactly what computing
it afresh shows, after every kind of change made through the app; only the changed tasks are
recomputed; and the searchable unit and plan filters (tracker/common/pickers.py) work when the menus
would be long."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.auth.models import User
from tests.loop_helpers import close_task
from tracker.extensions import db
from tracker.plans.models import Plan, PlanStatus
from tracker.plans.services import save_plan
from tracker.tasks.models import Task, TaskStatus
from tracker.overdue.store import OverdueEntry, refresh_overdue_entries
from tracker.overdue.queries import overdue_selects, _overdue_rows
from tracker.tasks.queries import OverdueFilters
from tracker.tasks.services import save_task
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate
from tracker.updates.services import review_update, submit_update
from tracker.updates.evidence import EvidenceStore

DAY = date(2026, 6, 30)


@pytest.fixture
def stored(app, seeded, on_date):
    on_date(DAY)
    app.config["OVERDUE_STORE"] = True
    return app


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def _task(number: str) -> Task:
    return db.session.scalar(select(Task).where(Task.number == number))


def _stored_rows() -> list[tuple]:
    entry = OverdueEntry
    return [tuple(row) for row in db.session.execute(
        select(entry.kind, entry.task_id, entry.due_on, entry.period)
        .order_by(entry.due_on, entry.plan_id, entry.sort_key, entry.kind, entry.task_id))]


def _computed_rows(day: date) -> list[tuple]:
    selects = overdue_selects(day, OverdueFilters())
    return [tuple(row) for row in db.session.execute(_overdue_rows(selects))] if selects else []


def _same_as_computed(day: date = DAY) -> bool:
    return _stored_rows() == _computed_rows(day)


def _edit_task(task: Task, **changes) -> None:
    values = dict(number=task.number, title=task.title, text=task.text, group_id=task.group_id,
                  parent_id=task.parent_id, lead_unit_id=task.lead_unit_id,
                  cooperating_unit_ids=[u.id for u in task.cooperating_units], start_on=task.start_on,
                  due_on=task.due_on, reporting_cycle=task.reporting_cycle, report_day=task.report_day,
                  status=task.status, progress=task.progress)
    save_task(_user("coordinator"), task.plan, task, **{**values, **changes}, today=DAY)
    db.session.commit()


def _file_report(task: Task, tmp_path) -> StatusUpdate:
    unit_user = db.session.scalar(select(User).where(User.unit_id == task.lead_unit_id))
    update = submit_update(unit_user, task, period="2026-06", progress_text="六月进展", percent=50, today=DAY,
                           store=EvidenceStore(tmp_path), allowed_extensions=("pdf",), max_bytes=1000)
    db.session.commit()
    return update


def test_every_change_through_the_app_is_in_the_stored_list(stored, tmp_path):
    assert refresh_overdue_entries(DAY).outcome == "rebuilt"  # the first view builds it
    assert _same_as_computed() and len(_stored_rows()) == 9
    assert refresh_overdue_entries(DAY).outcome == "fresh"

    close_task(_task("3"), DAY)  # a late task closed (办结销号)
    db.session.commit()
    assert refresh_overdue_entries(DAY).outcome == "incremental"
    assert _same_as_computed() and ("task", _task("3").id) not in {row[:2] for row in _stored_rows()}

    _edit_task(_task("12"), due_on=date(2026, 12, 31))  # a deadline moved
    assert refresh_overdue_entries(DAY).outcome == "incremental" and _same_as_computed()

    report = _file_report(_task("7"), tmp_path)  # a missing report filed …
    assert refresh_overdue_entries(DAY).outcome == "incremental" and _same_as_computed()
    assert ("report", _task("7").id) not in {row[:2] for row in _stored_rows()}
    review_update(_user("coordinator"), report, decision="return", comment="请补充数据", today=DAY)  # … returned
    db.session.commit()
    assert refresh_overdue_entries(DAY).outcome == "incremental" and _same_as_computed()
    assert ("report", _task("7").id) in {row[:2] for row in _stored_rows()}

    plan = _task("7").plan  # a plan archived: every one of its tasks leaves the list
    save_plan(_user("coordinator"), plan, title=plan.title, status=PlanStatus.archived)
    db.session.commit()
    assert refresh_overdue_entries(DAY).outcome == "rebuilt" and _stored_rows() == [] and _same_as_computed()
    save_plan(_user("coordinator"), plan, title=plan.title, status=PlanStatus.active)
    db.session.commit()

    later = date(2026, 7, 31)  # another day
    assert refresh_overdue_entries(later).outcome == "rebuilt" and _same_as_computed(later)


def _lead_unit_shown(html: str, number: str) -> str:
    row = re.search(rf'<tr data-task="{number}" data-kind="task">(.*?)</tr>', html, re.S).group(1)
    return re.search(r'<td data-label="牵头单位">([^<]*)</td>', row).group(1)


def test_a_unit_renamed_changes_no_row_but_is_shown(stored, browser):
    from tracker.units.services import save_unit

    coordinator = browser("coordinator")
    shown = _lead_unit_shown(coordinator.get("/overdue").text, "3")
    unit = _task("3").lead_unit  # loaded after the request: a request ends the test's session
    assert shown == unit.short_name
    save_unit(_user("coordinator"), unit, name=unit.name, short_name="新名称委", kind=unit.kind,
              parent_id=unit.parent_id, contact_person=unit.contact_person,
              notification_emails=unit.notification_emails, phone=unit.phone)
    db.session.commit()
    assert refresh_overdue_entries(DAY).outcome == "incremental"  # no task changed: nothing recomputed
    # The rendered rows are not reused after any change.
    assert _lead_unit_shown(coordinator.get("/overdue").text, "3") == "新名称委"


def test_menus_and_overdue_replies_follow_changes_made_after_the_page_was_shown(stored, browser):
    from tracker.proposals.services import save_proposal

    coordinator = browser("coordinator")
    first = coordinator.get("/overdue").text
    assert "数字经济专项行动" not in first and "第0999号" not in first
    save_plan(_user("coordinator"), None, title="数字经济专项行动", status=PlanStatus.active)
    unit = db.session.scalar(select(Unit).order_by(Unit.id))
    save_proposal(_user("coordinator"), None, meeting="区政协一届五次会议", number="0999", title="关于夜间经济的提案",
                  main_unit_id=unit.id, assigned_on=date(2026, 3, 1), reply_due_on=date(2026, 6, 1))
    db.session.commit()
    later = coordinator.get("/overdue").text
    assert re.search(r'<option value="\d+"[^>]*>数字经济专项行动</option>', later)  # the plan menu
    overdue_replies = later.split('id="overdue-proposals"')[1]
    assert 'data-proposal="第0999号"' in overdue_replies and "关于夜间经济的提案" in overdue_replies


def test_a_change_behind_the_apps_back_waits_for_a_rebuild(stored, browser, app):
    coordinator = browser("coordinator")
    assert 'data-task="12" data-kind="task"' in coordinator.get("/overdue").text
    db.session.execute(Task.__table__.update().where(Task.number == "12").values(status="completed"))
    db.session.commit()  # typed into the database: no audit event
    assert 'data-task="12" data-kind="task"' in coordinator.get("/overdue").text
    result = app.test_cli_runner().invoke(args=["overdue", "rebuild"])
    assert result.exit_code == 0 and "8 rows" in result.output
    assert 'data-task="12" data-kind="task"' not in coordinator.get("/overdue").text


def test_the_page_from_the_store_matches_the_computed_page(stored, browser, app):
    coordinator = browser("coordinator")
    unit_id = _task("11").lead_unit_id
    for url in ("/overdue", f"/overdue?unit_id={unit_id}", f"/overdue?plan_id={_task('3').plan_id}"):
        stored_page = coordinator.get(url).text
        app.config["OVERDUE_STORE"] = False
        computed_page = coordinator.get(url).text
        app.config["OVERDUE_STORE"] = True
        rows = lambda html: re.findall(r'<tr data-task="[^"]+" data-kind="\w+">.*?</tr>', html, re.S)  # noqa: E731
        assert rows(stored_page) == rows(computed_page) and rows(stored_page)
    assert db.session.scalar(select(func.count(OverdueEntry.id))) == 9


def test_rendered_rows_follow_the_language(stored, browser):
    coordinator = browser("coordinator")
    assert "逾期工作日数" in coordinator.get("/overdue").text
    coordinator.post("/language/en", data={}, token_from="/overdue")
    page = coordinator.get("/overdue").text
    assert "Working days overdue" in page and "逾期工作日数" not in page


# --------------------------------------------------------------------------------------------------
# Searchable filters for long menus

def test_long_menus_become_search_boxes_that_still_filter(stored, browser, app):
    coordinator = browser("coordinator")
    unit = _task("11").lead_unit
    assert re.search(r'<select[^>]*name="unit_id"', coordinator.get("/overdue").text)  # the demo: short menus
    app.config["PICKER_MENU_LIMIT"] = 3
    page = coordinator.get(f"/overdue?unit_id={unit.id}").text
    assert not re.search(r'<select[^>]*name="unit_id"', page)
    assert f'<input type="hidden" name="unit_id" value="{unit.id}">' in page
    assert f'value="{unit.short_name}"' in page and 'data-lookup="/units/lookup"' in page
    assert set(re.findall(r'<tr data-task="([^"]+)" data-kind="task"', page)) == {"11"}
    assert page.count("<option") < 10  # not 40 units and every plan on every view


def test_lookups_find_units_and_plans_by_part_of_their_name(stored, browser):
    coordinator = browser("coordinator")
    items = coordinator.get("/units/lookup?q=科委").json["items"]
    assert {item["label"] for item in items} >= {"区科委"} and all("科委" in i["label"] + i["note"] for i in items)
    assert coordinator.get("/units/lookup?q=%25_%00").json["items"] == []  # wildcards are text; NUL dropped
    plan = db.session.scalar(select(Plan))
    assert [item["id"] for item in coordinator.get("/plans/lookup?q=西岑园&active=1").json["items"]] == [plan.id]
    draft = Plan(title="西岑园草案", status=PlanStatus.draft)
    db.session.add(draft)
    db.session.commit()
    assert draft.id in [item["id"] for item in coordinator.get("/plans/lookup?q=西岑园").json["items"]]
    unit_user = browser("jingwei")
    assert draft.id not in [item["id"] for item in unit_user.get("/plans/lookup?q=西岑园").json["items"]]
    assert browser().get("/units/lookup?q=区").status_code in (302, 401)


def test_lookup_is_limited_to_twenty_suggestions(stored, browser):
    for number in range(30):
        db.session.add(Unit(name=f"测试街道{number:02d}", short_name=f"测试{number:02d}"))
    db.session.commit()
    items = browser("coordinator").get("/units/lookup?q=测试").json["items"]
    assert len(items) == 20 and items[0]["label"] == "测试00"


def test_digests_and_exports_read_the_same_list(stored, app):
    from tracker.overdue.queries import overdue_list

    unit_id = _task("11").lead_unit_id
    for filters, kinds in ((OverdueFilters(), ("task", "report")), (OverdueFilters(unit_id=unit_id), ("task", "report")),
                           (OverdueFilters(), ("report",))):
        from_store = [(r.kind, r.task.number, r.due_on, r.period, r.overdue_days) for r in overdue_list(DAY, filters, kinds)]
        app.config["OVERDUE_STORE"] = False
        computed = [(r.kind, r.task.number, r.due_on, r.period, r.overdue_days) for r in overdue_list(DAY, filters, kinds)]
        app.config["OVERDUE_STORE"] = True
        assert from_store == computed and from_store


def test_the_reminder_scan_queues_the_same_emails_from_the_stored_list(stored, app):
    from datetime import datetime

    from tracker.common.workdays import BEIJING
    from tracker.outbox.models import Notification
    from tracker.reminders.scan import run_scan

    at = datetime(2026, 6, 30, 9, 30, tzinfo=BEIJING)

    def queued() -> list[tuple[str, str]]:
        run_scan(at)
        db.session.flush()
        rows = [tuple(row) for row in db.session.execute(
            select(Notification.idempotency_key, Notification.body_text).order_by(Notification.idempotency_key))]
        db.session.rollback()
        return rows

    from_store = queued()
    app.config["OVERDUE_STORE"] = False
    computed = queued()
    assert from_store == computed
    assert any(key.startswith("overdue_digest:") for key, _body in from_store)
    assert any(key.startswith("document_issued:") for key, _body in from_store)  # the ladder's 督办
