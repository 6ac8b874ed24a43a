"""The search box that replaces a long unit menu on the overdue list (tracker/static/picker.js): typing
part of a name offers the matching units, choosing one filters the list, and text that matches no
unit stops the form with a message instead of silently showing everything."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from tracker.extensions import db
from tracker.tasks.models import Task


def test_a_unit_is_found_by_part_of_its_name_and_filters_the_overdue_list(app, open_page, network_guard):
    app.config["PICKER_MENU_LIMIT"] = 3  # the demo's 20 units behave like a city's 2,000
    app.config["OVERDUE_STORE"] = True
    task = db.session.scalar(select(Task).where(Task.number == "11"))
    unit_id, unit_name = task.lead_unit_id, task.lead_unit.short_name
    db.session.remove()

    page = open_page("coordinator")
    page.goto("/overdue")
    expect(page.locator("select[name=unit_id]")).to_have_count(0)
    box = page.locator("input[data-picker=unit_id]")
    box.fill(unit_name[1:])  # part of the name
    expect(page.locator(f"#unit_id-choices option[value='{unit_name}']")).to_have_count(1)
    box.fill(unit_name)  # what choosing the suggestion puts into the box
    expect(page.locator("input[type=hidden][name=unit_id]")).to_have_value(str(unit_id))
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("networkidle")
    assert f"unit_id={unit_id}" in page.url
    numbers = set(page.locator("#overdue-table tbody tr[data-kind=task]").evaluate_all(
        "rows => rows.map(row => row.dataset.task)"))
    assert numbers == {"11"}
    expect(box).to_have_value(unit_name)  # the box shows the chosen unit

    box.fill("没有这个单位")
    url = page.url
    page.get_by_role("button", name="筛选").click()
    assert page.url == url  # not submitted
    message = box.evaluate("input => input.validationMessage")
    assert re.search("请从建议列表中选择", message)
    box.fill("")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("networkidle")
    assert "unit_id=&" in page.url or page.url.endswith("unit_id=")  # empty: every unit
    assert network_guard.page_errors == []
