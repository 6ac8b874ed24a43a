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


def _cells(table: str, label: str) -> list[tuple[dict, str]]:
    """(the row's data- attributes, the text of its cell labelled ``label``) for each row of a table."""
    found = []
    for attributes, row in re.findall(r"<tr ((?:data-[\w-]+=\"[^\"]*\"\s*)+)>(.*?)</tr>", table, re.S):
        data = dict(re.findall(r'data-([\w-]+)="([^"]*)"', attributes))
        cell = re.search(r'<td data-label="' + label + r'"[^>]*>(.*?)</td>', row, re.S)
        found.append((data, re.sub(r"<[^>]+>", "", cell.group(1)).strip() if cell else ""))
    return found


def page_rows(html: str) -> set[tuple]:
    """(类型, 提案号, 单位, 逾期工作日数) of the page's tables of proposals, read by their cells' labels."""
    rows = set()
    for table_id, unit_label, kind_of in (("overdue-proposals", "主办单位", lambda data: "答复逾期"),
                                          ("overdue-obligations", "协办单位", lambda data: KIND_WORDS[data["kind"]])):
        if f'id="{table_id}"' not in html:
            continue
        table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
        units, days = _cells(table, unit_label), _cells(table, "逾期工作日数")
        for (data, unit), (_data, day) in zip(units, days):
            rows.add((kind_of(data), data["proposal"], unit, int(day)))
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
