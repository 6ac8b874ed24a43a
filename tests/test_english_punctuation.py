"""English pages use English punctuation: no full-width （），：；。、 in interface text ("As of 2026-06-30，25 in
total", "Work progress：" were). Stored data (a task's title, a unit's name, a report's text) may hold
them and is taken out first (tests/test_i18n.py ``stored_text``)."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from tests.test_i18n import LABEL_ATTRIBUTE, TEXT_NODE, _without_cut_value, stored_text, switch_language
from tracker.extensions import db
from tracker.tasks.models import Task

FULL_WIDTH = re.compile(r"[（），：；。、]")


def _full_width_in_interface(page: str, data: list[str]) -> list[str]:
    found = []
    for node in TEXT_NODE.findall(page) + LABEL_ATTRIBUTE.findall(page):
        text = html.unescape(node)
        if not FULL_WIDTH.search(text):
            continue
        if text.rstrip().endswith(("...", "…")):  # a stored value cut short by |truncate
            text = _without_cut_value(text.rstrip().rstrip(".…"), data)
        for value in data:
            if value in text:
                text = text.replace(value, " ")
        if FULL_WIDTH.search(text):
            found.append(text.strip())
    return found


def _pages(login: str) -> list[str]:
    task_ids = [str(i) for i in db.session.scalars(select(Task.id).order_by(Task.id))]
    common = ["/plans/", "/plans/1", "/notifications", "/account/tokens", "/indicators", "/proposals/",
              "/account/password"] + [f"/tasks/{task_id}" for task_id in task_ids]
    by_role = {
        "coordinator": ["/overdue", "/reviews", "/dashboard", "/units/", "/admin/outbox", "/admin/calendar",
                        "/admin/webhooks", "/imports/", "/scoreboard", "/plans/1/ledger"],
        "admin": ["/units/"],
        "kejiwei": ["/tasks/mine"] + [f"/tasks/{task_id}/updates/new" for task_id in task_ids[:3]],
        "leader": ["/overdue", "/dashboard"],
    }
    return common + by_role[login]


@pytest.mark.parametrize("login", ["coordinator", "admin", "kejiwei", "leader"])
def test_english_pages_have_no_full_width_punctuation(seeded, browser, on_date, login):
    from datetime import date

    on_date(date(2026, 6, 30))
    data = stored_text()
    user = browser(login)
    switch_language(user.client, "en", page="/plans/")
    problems = []
    for path in _pages(login):
        response = user.get(path)
        if response.status_code != 200:
            continue  # not this role's page
        assert '<html lang="en">' in response.text
        problems += [f"{path}: {text!r}" for text in _full_width_in_interface(response.text, data)]
    assert problems == [], "\n".join(problems)
