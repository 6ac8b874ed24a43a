"""Must show 3: the June 2026 督查通报 drafted on the seeded Xicen plan with the loop's rows (延期, 办结,
督办等级, 退回) shows figures that an independent computation from the rows in this test gives (no code
shared with tracker.bulletins or tracker.reports); it is edited under optimistic locking, issued with its
number from the per-year sequence, kept read-only, audited, and opens as a Word document."""
from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import date

import docx
from sqlalchemy import select

from tests.bulletins.loop_seed import seed_june_loop
from tests.reports.test_dashboard import Facts
from tracker.audit.models import AuditEvent
from tracker.bulletins.models import Bulletin
from tracker.common.clock import to_beijing
from tracker.extensions import db
from tracker.supervision.models import ClosureRequest, ExtensionRequest, LadderStep
from tracker.tasks.models import Task
from tracker.units.models import Unit
from tracker.updates.models import StatusUpdate

DAY = date(2026, 7, 3)  # the June bulletin is drafted early in July
JUNE = (date(2026, 6, 1), date(2026, 6, 30))


def in_june(day: date) -> bool:
    return JUNE[0] <= day <= JUNE[1]


def expected_figures() -> dict:
    """The June figures, from the rows, written out longhand."""
    facts = Facts(DAY)
    units = {u.id: u.short_name for u in db.session.scalars(select(Unit))}
    active = {t.id: t for t in facts.tasks}
    reporting = defaultdict(lambda: [0, 0])
    for t in facts.tasks:
        for key, due in facts.periods_due(t):
            if in_june(due):
                reporting[t.lead_unit.short_name][0] += 1
                reporting[t.lead_unit.short_name][1] += facts.on_time(t, key, due)
    steps = [s for s in db.session.scalars(select(LadderStep)) if in_june(s.reached_on) and s.task_id in active]
    levels = {str(level): len({s.task_id for s in steps if s.level == level}) for level in (1, 2, 3, 4)}
    level4 = {}
    for s in steps:
        if s.level == 4:
            level4[s.task_id] = max(level4.get(s.task_id, 0), s.overdue_days)
    returns = defaultdict(int)
    for u in db.session.scalars(select(StatusUpdate)):
        if u.review_state.value == "returned" and u.task_id in active and in_june(to_beijing(u.reviewed_at).date()):
            returns[units[u.unit_id]] += 1
    extensions = sorted(e.task_id for e in db.session.scalars(select(ExtensionRequest))
                        if e.state.value == "approved" and in_june(to_beijing(e.decided_at).date()))
    closures = {c.task_id: to_beijing(c.decided_at).date() <= c.due_on for c in db.session.scalars(select(ClosureRequest))
                if c.state.value == "verified" and in_june(to_beijing(c.decided_at).date())}
    return {"reporting": {unit: tuple(v) for unit, v in reporting.items()}, "levels": levels, "level4": level4,
            "returns": {unit: n for unit, n in returns.items() if n >= 2}, "extensions": extensions,
            "closures": closures}


def shown_figures(figures: dict) -> dict:
    return {"reporting": {row["unit"]: (row["due"], row["on_time"]) for row in figures["reporting"]["units"]},
            "levels": figures["levels"], "level4": {row["task_id"]: row["overdue_days"] for row in figures["level4"]},
            "returns": {row["unit"]: row["count"] for row in figures["returns"]},
            "extensions": sorted(row["task_id"] for row in figures["extensions"]),
            "closures": {row["task_id"]: row["on_time"] for row in figures["closures"]}}


def test_june_bulletin_matches_the_rows_and_opens_in_word(seeded, on_date, browser):
    on_date(DAY)
    seed_june_loop()
    expected = expected_figures()
    number = {t.id: t.number for t in db.session.scalars(select(Task))}
    # The seeded story is what the figures should show (so this test cannot pass on empty figures).
    assert {number[i] for i in expected["level4"]} == {"12", "15"} and expected["level4"][task_id("12")] == 30
    assert expected["levels"] == {"1": 2, "2": 2, "3": 1, "4": 2}
    assert {number[i] for i in expected["extensions"]} == {"8", "11"}
    assert {number[i]: on_time for i, on_time in expected["closures"].items()} == {"5": True, "3": False, "7": True}
    assert expected["returns"].get("区经委") == 2 and "区科委" not in expected["returns"]
    assert sum(due for due, _ in expected["reporting"].values()) > 10

    coordinator, leader, unit = browser("coordinator"), browser("leader"), browser("kejiwei")
    assert unit.get("/bulletins").status_code == 403
    response = coordinator.post("/bulletins", {"month": "2026-06"}, token_from="/bulletins")
    assert response.status_code == 302
    bulletin = db.session.scalar(select(Bulletin).where(Bulletin.month == "2026-06"))
    assert response.headers["Location"].endswith(f"/bulletins/{bulletin.id}")
    assert shown_figures(bulletin.figures) == expected
    total_due = sum(due for due, _ in expected["reporting"].values())
    total_on_time = sum(on_time for _, on_time in expected["reporting"].values())
    assert (bulletin.figures["reporting"]["due"], bulletin.figures["reporting"]["on_time"]) == (total_due, total_on_time)
    assert f"应报送进展{total_due}项，按期报送{total_on_time}项" in bulletin.body
    assert "提醒2项、催办2项、督办1项、通报2项" in bulletin.body and "区经委（2次）" in bulletin.body
    assert unit.get(f"/bulletins/{bulletin.id}").status_code == 403

    # The page shows the same figures; a second draft of June is refused.
    page = leader.get(f"/bulletins/{bulletin.id}").text
    for unit_name, (due, on_time) in expected["reporting"].items():
        assert re.search(rf'<tr data-unit="{unit_name}"><td>{unit_name}</td><td class="text-end">{due}</td>'
                         rf'<td class="text-end">{on_time}</td>', page)
    assert 'id="bulletin-form"' not in page  # leaders read
    assert leader.post(f"/bulletins/{bulletin.id}/edit", {"title": "x", "body": "y"},
                       token_from=f"/bulletins/{bulletin.id}").status_code == 403
    again = coordinator.post("/bulletins", {"month": "2026-06"}, token_from="/bulletins")
    assert again.status_code == 400 and "已经起草" in again.text

    # Edit, then a stale edit: refused with the other person's text shown, nothing saved.
    text = bulletin.body + "\n\n五、其他。请各单位于7月10日前反馈整改情况。"
    version = bulletin.version
    response = coordinator.post(f"/bulletins/{bulletin.id}/edit", {"title": "2026年6月督查通报", "body": text,
                                                                   "version": version},
                                token_from=f"/bulletins/{bulletin.id}")
    assert response.status_code == 302, response.text
    shown = coordinator.get(response.headers["Location"]).text
    assert "通报已保存" in shown, shown
    bulletin = fresh(bulletin.id)
    assert bulletin.body == text and bulletin.version == version + 1
    stale = coordinator.post(f"/bulletins/{bulletin.id}/edit", {"title": "旧标题", "body": "旧正文", "version": version},
                             token_from=f"/bulletins/{bulletin.id}")
    assert stale.status_code == 409 and "已被他人修改" in stale.text and "旧正文" in stale.text
    bulletin = fresh(bulletin.id)
    assert bulletin.title == "2026年6月督查通报" and bulletin.body == text

    # Issue: numbered from the per-year sequence; read-only afterwards.
    response = coordinator.post(f"/bulletins/{bulletin.id}/issue", {"version": bulletin.version},
                                token_from=f"/bulletins/{bulletin.id}")
    assert response.status_code == 302
    bulletin = fresh(bulletin.id)
    assert bulletin.number == "督查通报〔2026〕1号" and bulletin.issued_on == DAY
    refused = coordinator.post(f"/bulletins/{bulletin.id}/edit", {"title": "改", "body": "改", "version": bulletin.version},
                               token_from=f"/bulletins/{bulletin.id}")
    assert refused.status_code == 400 and "已印发" in refused.text
    bulletin = fresh(bulletin.id)
    assert bulletin.body == text
    assert 'id="bulletin-form"' not in coordinator.get(f"/bulletins/{bulletin.id}").text
    actions = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "bulletins")
                                                    .order_by(AuditEvent.id))]
    assert actions == ["bulletin.drafted", "bulletin.edited", "bulletin.issued"]
    assert all(e.task_id is None for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.like("bulletin.%"))))

    # The Word file: title, number, the final text, the 附表 with every unit's figures.
    response = leader.get(f"/bulletins/{bulletin.id}.docx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "2026年6月督查通报" and paragraphs[1] == "督查通报〔2026〕1号"
    assert "五、其他。请各单位于7月10日前反馈整改情况。" in paragraphs
    assert any(f"应报送进展{total_due}项" in p for p in paragraphs)
    reporting_table, level4_table = document.tables
    rows = [[cell.text for cell in row.cells] for row in reporting_table.rows]
    assert {row[0]: (int(row[1]), int(row[2])) for row in rows[1:-1]} == expected["reporting"]
    assert rows[-1][:3] == ["合计", str(total_due), str(total_on_time)]
    tasks_listed = [row.cells[0].text for row in level4_table.rows[1:]]
    assert [t.split(" ", 1)[1].split(".")[0] for t in tasks_listed] == ["12", "15"]  # longest overdue first

    # The next bulletin of the year gets the next number.
    coordinator.post("/bulletins", {"month": "2026-05"}, token_from="/bulletins")
    may = db.session.scalar(select(Bulletin).where(Bulletin.month == "2026-05"))
    coordinator.post(f"/bulletins/{may.id}/issue", {"version": may.version}, token_from=f"/bulletins/{may.id}")
    assert fresh(may.id).number == "督查通报〔2026〕2号"


def fresh(bulletin_id: int) -> Bulletin:
    """The bulletin as the requests left it (each request ends with its own session removed)."""
    db.session.remove()
    return db.session.get(Bulletin, bulletin_id)


def task_id(number: str) -> int:
    return db.session.scalar(select(Task.id).where(Task.number == number))


def test_a_city_bulletins_unit_rows_are_paged_and_the_word_file_has_them_all(seeded, on_date, browser, app):
    """A city bulletin has a row per unit (~2,000): the page shows a page of them with the pager, the Word
    file every one (issue 24)."""
    on_date(DAY)
    seed_june_loop()
    expected = expected_figures()["reporting"]
    assert len(expected) >= 3
    coordinator = browser("coordinator")
    coordinator.post("/bulletins", {"month": "2026-06"}, token_from="/bulletins")
    bulletin = db.session.scalar(select(Bulletin).where(Bulletin.month == "2026-06"))
    order = [row["unit"] for row in bulletin.figures["reporting"]["units"]]
    app.config["PAGE_SIZE"] = 2
    seen = []
    pages = -(-len(order) // 2)
    for number in range(1, pages + 1):
        page = coordinator.get(f"/bulletins/{bulletin.id}?page={number}").text
        table = page.split('id="figures-reporting"', 1)[1].split("</table>", 1)[0]
        shown = re.findall(r'<tr data-unit="([^"]+)">', table)
        assert len(shown) == (2 if number < pages else len(order) - 2 * (pages - 1))
        assert f"{number} / {pages}" in page and f"共{len(order)}条" in page  # the pager
        seen += shown
    assert seen == order and set(seen) == set(expected)
    document = docx.Document(io.BytesIO(coordinator.get(f"/bulletins/{bulletin.id}.docx").data))
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert {row[0]: (int(row[1]), int(row[2])) for row in rows[1:-1]} == expected
