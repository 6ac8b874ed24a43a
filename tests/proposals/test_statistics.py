"""办理情况统计: 办复率, 按时办复率, 满意率, 见面率 and the A–D shares recomputed here from the rows (the
definitions written out again in ``expected``) equal the page and the Excel file opened with openpyxl."""
from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from tests.proposals.c2_helpers import answer, coordinator, item, unit_user, user_with
from tracker.auth.models import Role
from tracker.extensions import db
from tracker.proposals.contacts import record_contact
from tracker.proposals.documents import result_class
from tracker.proposals.models import Proposal, ProposalContact, ProposalKind, ProposalPromise
from tracker.proposals.promises import add_promise, answer_promise

MEETING_A, MEETING_B, NPC = "区政协十六届一次会议", "区政协十六届二次会议", "区十八届人大六次会议"


def build_rows():
    """Items of both kinds in three sessions and three units, in every state."""
    coordinator_user = coordinator()

    def met(proposal, way):
        record_contact(coordinator_user, proposal, contact_on=proposal.assigned_on, way=way, stage="before",
                       proposer_names=["张三"], unit_people="王科长", agreed="商定。", today=date(2026, 6, 30))

    a1 = answer(item("0301", meeting=MEETING_A), reply_on=date(2026, 4, 10), category="解决采纳", feedback="满意")
    met(a1, "见面")
    a2 = answer(item("0302", meeting=MEETING_A), reply_on=date(2026, 4, 30), category="部分采纳或解决",
                feedback="基本满意")  # late: due 2026-04-20
    met(a2, "电话")
    a3 = answer(item("0303", meeting=MEETING_A, unit="区发改委", co_units=()), reply_on=date(2026, 4, 1),
                category="列入计划")
    met(a3, "座谈")
    promise = add_promise(coordinator_user, a3, text="年底前完成。", due_on=date(2026, 12, 31), today=date(2026, 4, 2))
    add_promise(coordinator_user, a3, text="明年完成。", due_on=date(2027, 6, 30), today=date(2026, 4, 2))
    answer_promise(coordinator_user, a3, promise, text="已完成。", answered_on=date(2026, 6, 1), answered_by="李局长",
                   today=date(2026, 6, 30))
    a4 = answer(item("0304", meeting=MEETING_A, unit="区发改委", co_units=()), reply_on=date(2026, 4, 15),
                category="留作参考", feedback="不满意")
    a4.rehandling_count = 1
    item("0305", meeting=MEETING_A)  # assigned, not answered
    b1 = answer(item("0306", meeting=MEETING_B, assigned_on=date(2026, 2, 2)), reply_on=date(2026, 5, 1),
                category="因条件限制无法解决", feedback="满意")
    met(b1, "见面")
    rehandled = item("0307", meeting=MEETING_B, assigned_on=date(2026, 2, 2))
    rehandled.rehandling_count = 2
    n1 = answer(item("0401", kind=ProposalKind.npc, meeting=NPC, unit="区经委", co_units=()), reply_on=date(2026, 4, 20),
                category="正在解决")
    met(n1, "座谈")
    db.session.commit()


def expected() -> dict[tuple[str, str, str], dict]:
    """{(kind, "meeting"|"unit"|"total", label): measures} recomputed in Python from every item row."""
    proposals = list(db.session.scalars(select(Proposal)))
    face = {c.proposal_id for c in db.session.scalars(select(ProposalContact)) if c.way in ("见面", "座谈")}
    promises = list(db.session.scalars(select(ProposalPromise)))
    groups = defaultdict(list)
    for p in proposals:
        kind = p.kind.value
        groups[(kind, "meeting", p.meeting)].append(p)
        groups[(kind, "unit", p.main_unit.short_name)].append(p)
        groups[(kind, "total", "total")].append(p)
    result = {}
    for key, rows in groups.items():
        answered = [p for p in rows if p.state.value in ("replied", "feedback_received")]
        rated = [p for p in rows if p.feedback in ("满意", "基本满意", "不满意")]
        ids = {p.id for p in rows}

        def share(n, d):
            return n / d if d else None

        result[key] = {
            "items": len(rows),
            "answer_rate": share(len(answered), len(rows)),
            "on_time_rate": share(sum(1 for p in answered if p.reply_due_on is None or p.reply_on <= p.reply_due_on),
                                  len(rows)),
            "satisfaction_rate": share(sum(1 for p in rated if p.feedback in ("满意", "基本满意")), len(rated)),
            "meeting_rate": share(sum(1 for p in answered if p.id in face), len(answered)),
            **{f"class_{k}": share(sum(1 for p in answered if result_class(p.result_category) == k), len(answered))
               for k in "ABCD"},
            "rehandled": sum(p.rehandling_count for p in rows),
            "promises_open": sum(1 for x in promises if x.proposal_id in ids and x.state.value == "open"),
            "promises_kept": sum(1 for x in promises if x.proposal_id in ids and x.state.value == "kept"),
        }
    return result


def shown(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def page_row(page: str, kind: str, part: str, label: str) -> str:
    table = page.split(f'id="stat-{kind}-{part}"', 1)[1].split("</table>", 1)[0]
    return table.split(f'data-label="{label}"', 1)[1].split("</tr>", 1)[0]


def cell(row_html: str, css: str) -> str:
    match = re.search(rf'<td class="{css}">(.*?)</td>', row_html, re.S)
    assert match, css
    return re.sub(r"<div.*", "", re.sub(r"</?span[^>]*>", "", match.group(1)), flags=re.S).strip()


RATES = {"answer_rate": "answer-rate", "on_time_rate": "on-time-rate", "satisfaction_rate": "satisfaction-rate",
         "meeting_rate": "meeting-rate", **{f"class_{k}": f"class-{k}" for k in "ABCD"}}
COUNTS = {"items": "items", "rehandled": "rehandled", "promises_open": "promises-open",
          "promises_kept": "promises-kept"}
XLSX_COLUMNS = {"items": 3, "answer_rate": 5, "on_time_rate": 7, "satisfaction_rate": 10, "meeting_rate": 12,
                "class_A": 14, "class_B": 16, "class_C": 18, "class_D": 20, "rehandled": 21, "promises_open": 22,
                "promises_kept": 23}


def test_the_page_and_the_excel_equal_the_measures_recomputed_from_the_rows(seeded, browser, on_date):
    build_rows()
    on_date(date(2026, 6, 30))
    want = expected()
    # the rows really exercise every measure
    cppcc = want[("cppcc", "meeting", MEETING_A)]
    assert cppcc["items"] == 5 and cppcc["answer_rate"] == pytest.approx(0.8)
    assert cppcc["on_time_rate"] == pytest.approx(0.6) and cppcc["satisfaction_rate"] == pytest.approx(2 / 3)
    assert cppcc["meeting_rate"] == pytest.approx(0.5) and cppcc["class_C"] == pytest.approx(0.25)
    assert want[("cppcc", "meeting", MEETING_B)]["rehandled"] == 2
    assert (cppcc["promises_open"], cppcc["promises_kept"]) == (1, 1)

    leader = browser(user_with(Role.leader).login)
    page = leader.get("/proposals/statistics").text
    assert "见面率" in page and "已答复件中与提案人至少有一次“见面”或“座谈”沟通" in page  # the definitions
    labels = {"meeting": {}, "unit": {}, "total": {}}
    for (kind, part, label), measures in want.items():
        row = page_row(page, kind, "meeting" if part == "total" else part, label)
        for name, css in RATES.items():
            assert cell(row, css) == shown(measures[name]), (kind, part, label, name)
        for name, css in COUNTS.items():
            assert cell(row, css) == str(measures[name]), (kind, part, label, name)
        labels[part][(kind, label)] = measures

    response = leader.get("/proposals/statistics.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    kind_names = {"政协提案": "cppcc", "人大建议": "npc"}
    seen = 0
    for sheet_name, part in (("按届次会议", "meeting"), ("按承办单位", "unit")):
        sheet = book[sheet_name]
        for values in sheet.iter_rows(min_row=3, values_only=True):
            kind, label = kind_names[values[0]], values[1]
            key = (kind, "total", "total") if label == "合计" else (kind, part, label)
            for name, column in XLSX_COLUMNS.items():
                assert values[column - 1] == pytest.approx(want[key][name]) if want[key][name] is not None \
                    else values[column - 1] is None, (sheet_name, label, name)
            seen += 1
    assert seen == len([k for k in want if k[1] != "total"]) + 2 * len([k for k in want if k[1] == "total"])
    assert [book["口径说明"].cell(row=1, column=1).value, book["按届次会议"]["E2"].value] == ["件数", "办复率"]


@pytest.mark.parametrize("login, status", [("coordinator", 200), ("admin", 200), (None, 302)])
def test_who_opens_the_statistics(seeded, browser, login, status):
    client = browser(login) if login else browser()
    assert client.get("/proposals/statistics").status_code == status
    assert client.get("/proposals/statistics.xlsx").status_code == status


def test_a_unit_user_gets_403(seeded, browser):
    unit = browser(unit_user("区人社局").login)
    assert unit.get("/proposals/statistics").status_code == 403
    assert unit.get("/proposals/statistics.xlsx").status_code == 403


def test_long_unit_tables_are_folded_and_shown_whole_on_request(seeded, browser, on_date, monkeypatch):
    """A city's hundreds of 主办 units: the page shows the first rows of each kind's unit table (the total still
    counts every unit), ?units=all the whole table; the Excel file always has every unit (issue 24)."""
    from tracker.pages import proposals as proposal_pages

    build_rows()
    on_date(date(2026, 6, 30))
    want = expected()
    units = sorted(label for kind, part, label in want if kind == "cppcc" and part == "unit")
    assert len(units) >= 3
    monkeypatch.setattr(proposal_pages, "STATISTICS_UNITS_SHOWN", 2)
    leader = browser(user_with(Role.leader).login)
    page = leader.get("/proposals/statistics").text
    table = page.split('id="stat-cppcc-unit"', 1)[1].split("</table>", 1)[0]
    shown_units = re.findall(r'data-label="([^"]+)"', table)
    assert len(shown_units) == 3 and shown_units[-1] == "total" and set(shown_units[:2]) < set(units)
    assert cell(page_row(page, "cppcc", "unit", "total"), "items") == str(want[("cppcc", "total", "total")]["items"])
    assert f"仅显示前2个主办单位（共{len(units)}个）" in page and "units=all" in page
    npc = page.split('id="stat-npc-unit"', 1)[1].split("</table>", 1)[0]  # one unit: nothing folded
    assert page.count("units-folded") == 1 and len(re.findall(r'data-label="', npc)) == 2

    whole = leader.get("/proposals/statistics?units=all").text
    for label in units:
        row = page_row(whole, "cppcc", "unit", label)
        assert cell(row, "items") == str(want[("cppcc", "unit", label)]["items"])
    assert "units-folded" not in whole
    book = openpyxl.load_workbook(io.BytesIO(leader.get("/proposals/statistics.xlsx").data))
    assert {values[1] for values in book["按承办单位"].iter_rows(min_row=3, values_only=True)
            if values[0] == "政协提案"} == {*units, "合计"}
