"""The overdue list's exports carry what the page shows of proposals (issue 25): below the tasks and reports,
the replies overdue (答复逾期) and the 协办意见 and 会签 past their deadline, in the CSV and in the Excel file
alike, with the same filters (a unit, a plan, one kind of row)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timezone

from openpyxl import load_workbook
from sqlalchemy import select

from tests.proposals.c2_helpers import item, unit_id, unit_user
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.proposals.cosign import send_draft
from tracker.proposals.handling import sign

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)
KIND_WORDS = {"co_opinion": "协办意见逾期", "cosign": "会签逾期"}


def overdue_items() -> tuple[str, str]:
    """On 2026-04-03: item 0501's 协办意见 (区发改委, due 04-02) is 1 working day late and its 会签 (due 03-31)
    3; item 0502's reply (区人社局, due 04-02) 1."""
    cosigned = item("0501", co_units=("区发改委",), assigned_on=date(2026, 3, 2))
    for unit in ("区人社局", "区发改委"):
        sign(unit_user(unit), cosigned, now=NOW)
    send_draft(unit_user("区人社局"), cosigned, "答复稿……", today=date(2026, 3, 24), now=NOW)
    item("0502", co_units=(), assigned_on=date(2026, 1, 2))
    db.session.commit()
    return cosigned.number, "第0502号"


def page_rows(html: str) -> set[tuple]:
    """(类型, 提案号, 单位, 逾期工作日数) of the page's tables of proposals."""
    rows = set()
    if 'id="overdue-proposals"' in html:
        table = html.split('id="overdue-proposals"', 1)[1].split("</table>", 1)[0]
        for number, unit, days in re.findall(r'<tr data-proposal="([^"]+)"><td>[^<]*</td><td>[^<]*</td>\s*<td>.*?</td>'
                                             r'\s*<td>([^<]+)</td><td>[^<]*</td><td class="fw-bold text-danger">(\d+)<',
                                             table, re.S):
            rows.add(("答复逾期", number, unit, int(days)))
    if 'id="overdue-obligations"' in html:
        table = html.split('id="overdue-obligations"', 1)[1].split("</table>", 1)[0]
        for number, kind, unit, days in re.findall(
                r'<tr data-proposal="([^"]+)" data-kind="(\w+)">.*?</td>\s*<td>[^<]*</td><td>([^<]+)</td><td>[^<]*</td>'
                r'<td class="fw-bold text-danger">(\d+)<', table, re.S):
            rows.add((KIND_WORDS[kind], number, unit, int(days)))
    return rows


def xlsx_rows(response) -> set[tuple]:
    assert response.status_code == 200, response.text[:300]
    sheet = load_workbook(io.BytesIO(response.data)).active
    return {(row[0], str(row[2]), row[4], row[7]) for row in sheet.iter_rows(min_row=4, values_only=True)
            if row[0] in ("答复逾期", *KIND_WORDS.values())}


def csv_rows(response) -> set[tuple]:
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    return {(row[0], row[2], row[4], int(row[7])) for row in rows[1:] if row[0] in ("答复逾期", *KIND_WORDS.values())}


def test_the_exports_carry_the_overdue_opinions_cosigns_and_replies_the_page_shows(seeded, browser, on_date):
    cosigned, replied = overdue_items()
    on_date(date(2026, 4, 3))
    leader = browser("leader")
    expected = {("协办意见逾期", cosigned, "区发改委", 1), ("会签逾期", cosigned, "区发改委", 3),
                ("答复逾期", replied, "区人社局", 1)}
    assert page_rows(leader.get("/overdue").text) == expected
    assert xlsx_rows(leader.get("/overdue.xlsx")) == expected
    assert csv_rows(leader.get("/overdue.csv")) == expected
    # The Excel file opened: the 协办意见 row in full, the unit that owes it where the tasks have their lead unit.
    sheet = load_workbook(io.BytesIO(leader.get("/overdue.xlsx").data)).active
    row = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == "协办意见逾期")
    assert row[:5] == ("协办意见逾期", "区政协十六届一次会议", cosigned, "关于第0501号事项的提案", "区发改委")
    assert row[6].date() == date(2026, 4, 2) and row[7] == 1

    plan_id = db.session.scalar(select(Plan.id).order_by(Plan.id))
    for query, shown in ((f"unit_id={unit_id('区发改委')}", expected - {("答复逾期", replied, "区人社局", 1)}),
                         (f"unit_id={unit_id('区人社局')}", {("答复逾期", replied, "区人社局", 1)}),
                         (f"plan_id={plan_id}", set()), ("kind=task", set()), ("kind=receipt", set())):
        assert page_rows(leader.get(f"/overdue?{query}").text) == shown, query
        assert xlsx_rows(leader.get(f"/overdue.xlsx?{query}")) == shown, query
        assert csv_rows(leader.get(f"/overdue.csv?{query}")) == shown, query
