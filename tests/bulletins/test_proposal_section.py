"""The 督查通报's part on overdue proposal replies (建议提案答复逾期): level 4 (通报) of the item's ladder
(tracker/supervision/proposal_ladder.py) leads into the month's bulletin.

By the tasks' rule (tracker/bulletins/queries.py): a reply is listed when it reached level 4 in the month,
whatever happened after (an item replied between reaching 通报 and the drafting is still listed, as a task
closed after reaching 通报 is); an item whose reply was recorded before it reached level 4 is not listed, only
counted at the levels it reached. The row gives the item's 届次, number, title, the unit owing the reply and
its part (主办/分办), the reply deadline, the working days overdue, the level and the documents issued; the
page, the draft's text and the Word file show it, unit names and titles escaped / cleaned; the issued
bulletin keeps the figures it was issued with.
"""
from __future__ import annotations

import io
from datetime import date

import docx
from sqlalchemy import select

from tests.proposals.test_flow import coordinator, unit_id, unit_user
from tests.supervision.test_proposal_ladder import DUE, NOW, _documents, _item, _late, _levels, _scan
from tracker.bulletins import services
from tracker.bulletins.models import Bulletin
from tracker.extensions import db
from tracker.proposals.handling import assign, sign
from tracker.proposals.models import Proposal, ProposalKind
from tracker.proposals.services import record_reply, result_categories, save_proposal
from tracker.supervision.models import DocumentKind, SupervisionDocument
from tracker.supervision.register import void_document
from tracker.units.models import Unit

DRAFTED = date(2026, 7, 1)
HOSTILE_TITLE = '关于<script>alert("x")</script>人才公寓\x07的建议'
HOSTILE_UNIT = '人社<b>局&"'


def _second_item() -> int:
    """Another item, 主办 区发改委, assigned the same day as ``_item`` (so due on ``DUE`` too)."""
    proposal = save_proposal(None, None, kind=ProposalKind.npc, meeting="区十八届人大六次会议", number="0013",
                             title="关于完善社区养老服务的建议", main_unit_id=unit_id("区发改委"),
                             assigned_on=date(2026, 1, 20))
    db.session.flush()
    assign(coordinator(), proposal, today=date(2026, 3, 2), main_unit_id=unit_id("区发改委"))
    sign(unit_user("区发改委"), proposal, now=NOW)
    db.session.commit()
    assert proposal.reply_due_on == DUE
    return proposal.id


def _reply(pid: int, on: date) -> None:
    record_reply(coordinator(), db.session.get(Proposal, pid), reply_on=on, result_category=result_categories()[0],
                 reply_doc_number="沪提复〔2026〕8号")
    db.session.commit()


def _climb() -> tuple[int, int]:
    """Item A climbs to level 4 in June and is replied the next working day; item B is replied at level 2."""
    late, early = _item(co=False), _second_item()
    for days in (1, 5):
        _scan(_late(days))
    _reply(early, _late(6))
    for days in (10, 15):
        _scan(_late(days))
    assert _late(15).month == DUE.month == 6
    assert _levels(late) == [1, 2, 3, 4] and _levels(early) == [1, 2]
    _reply(late, _late(16))  # before the drafting: by the tasks' rule, still listed (it reached 通报 in June)
    # Hostile text in the stored title and the unit's name: escaped on the page, cleaned in Word.
    db.session.get(Proposal, late).title = HOSTILE_TITLE
    db.session.get(Unit, unit_id("区人社局")).short_name = HOSTILE_UNIT
    db.session.commit()
    return late, early


def test_an_item_at_level_4_is_in_the_month_bulletin_with_its_documents(seeded, smtp, browser):
    late, early = _climb()
    urge, notice = _documents(late)  # read before the pages (a request ends the session): the numbers stay loaded
    assert (urge.kind, notice.kind) == (DocumentKind.urge_notice, DocumentKind.supervision_notice)

    bulletin = services.draft_bulletin(coordinator(), month_key="2026-06", today=DRAFTED)
    db.session.commit()
    part = bulletin.figures["proposals"]
    assert part["levels"] == {"1": 2, "2": 2, "3": 1, "4": 1}
    (row,) = part["level4"]  # B, replied at level 2, is not listed
    assert row == {"proposal_id": late, "meeting": "区十八届人大六次会议", "number": "第0012号", "title": HOSTILE_TITLE,
                   "unit_id": unit_id(HOSTILE_UNIT), "unit": HOSTILE_UNIT, "role": "main",
                   "due_on": DUE.isoformat(), "overdue_days": 15, "level": 4, "reached_on": _late(15).isoformat(),
                   "documents": [{"id": urge.id, "number": urge.number, "level": 2},
                                 {"id": notice.id, "number": notice.number, "level": 3}]}
    assert "建议提案答复逾期：本月提醒2件、催办2件、督办1件、通报1件。" in bulletin.body
    assert f"已发{urge.number}、{notice.number}" in bulletin.body and "逾期15个工作日" in bulletin.body
    assert "关于完善社区养老服务的建议" not in bulletin.body

    # The draft's page (its preview): the row, escaped, with links to the item and its documents.
    coordinator_browser = browser("coordinator")
    page = coordinator_browser.get(f"/bulletins/{bulletin.id}").text
    assert f'data-proposal="{late}"' in page and f'data-proposal="{early}"' not in page
    assert '<script>alert' not in page and "&lt;script&gt;alert" in page
    assert "人社&lt;b&gt;局&amp;" in page and "人社<b>局" not in page
    assert f"/documents/{urge.id}" in page and f"/documents/{notice.id}" in page
    assert urge.number in page and notice.number in page and f"/proposals/{late}#ladder" in page

    # The Word file: 附表3 with the row, the title's control character gone.
    table = _proposal_table(coordinator_browser.get(f"/bulletins/{bulletin.id}.docx"))
    assert [cell.text for cell in table.rows[0].cells] == ["届次", "编号", "标题", "承办单位", "答复期限", "逾期工作日",
                                                           "督办等级", "督办文书"]
    (cells,) = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert cells == ["区十八届人大六次会议", "第0012号", HOSTILE_TITLE.replace("\x07", ""), f"{HOSTILE_UNIT}（主办）",
                     "2026-06-02", "15", "第4级（通报）", f"{urge.number}、{notice.number}"]

    # Issued, the bulletin keeps its figures: a document voided later is still listed, as issued.
    services.issue_bulletin(coordinator(), bulletin, today=DRAFTED)
    db.session.commit()
    void_document(coordinator(), db.session.get(SupervisionDocument, urge.id), reason="登记有误。")
    db.session.commit()
    issued = db.session.get(Bulletin, bulletin.id)
    assert issued.figures["proposals"]["level4"][0]["documents"][0]["number"] == urge.number
    assert urge.number in coordinator_browser.get(f"/bulletins/{bulletin.id}").text
    table = _proposal_table(coordinator_browser.get(f"/bulletins/{bulletin.id}.docx"))
    assert urge.number in table.rows[1].cells[7].text
    # Counted again now (a draft's 重新统计), the void document is left out.
    from tracker.bulletins.queries import month_figures

    (again,) = month_figures(date(2026, 6, 1), DRAFTED)["proposals"]["level4"]
    assert [document["number"] for document in again["documents"]] == [notice.number]


def test_a_month_without_level_4_and_a_bulletin_drafted_before_the_part(seeded, smtp, browser):
    pid = _item(co=False)
    _scan(_late(5))
    _reply(pid, _late(6))
    bulletin = services.draft_bulletin(coordinator(), month_key="2026-06", today=DRAFTED)
    db.session.commit()
    assert bulletin.figures["proposals"] == {"levels": {"1": 1, "2": 1, "3": 0, "4": 0}, "level4": []}
    assert "本月无建议提案答复达到通报等级。" in bulletin.body
    coordinator_browser = browser("coordinator")
    page = coordinator_browser.get(f"/bulletins/{bulletin.id}").text
    assert 'id="figures-proposals"' in page and "本月无建议提案答复达到通报等级。" in page
    document = docx.Document(io.BytesIO(coordinator_browser.get(f"/bulletins/{bulletin.id}.docx").data))
    assert len(document.tables) == 2 and "附表3：通报的建议提案答复" in [p.text for p in document.paragraphs]

    # A bulletin whose frozen figures predate the part: shown and exported as it was, without it.
    bulletin = db.session.get(Bulletin, bulletin.id)
    figures = dict(bulletin.figures)
    figures.pop("proposals")
    bulletin.figures = figures
    db.session.commit()
    page = coordinator_browser.get(f"/bulletins/{bulletin.id}")
    assert page.status_code == 200 and 'id="figures-proposals"' not in page.text
    document = docx.Document(io.BytesIO(coordinator_browser.get(f"/bulletins/{bulletin.id}.docx").data))
    assert "附表3：通报的建议提案答复" not in [p.text for p in document.paragraphs]


def _proposal_table(response):
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    (table,) = [table for table in document.tables if table.rows[0].cells[0].text == "届次"]
    return table
