"""The mapping step for prose (逐项识别方式): the review screen shows the reader's guess of what marks an item
(numbers, or the （一） headings) and what marks its units (label lines, a closing bracket); one choice re-reads
the draft, and the choice is remembered for the document's family (its issuer and title without the year), so
next year's document of the same office is read that way with no question.

The text here is typed for the test: each （一） heading is one task whose numbered lines are its steps and whose
责任单位 line follows them — which the reader, seeing numbered items, takes for tasks of their own.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.imports.test_import_flow import draft_id_from, upload
from tracker.extensions import db
from tracker.imports.models import ColumnMapping, ImportDraft
from tracker.imports.plan_parser import prose_signature
from tracker.imports.reader import parse_plan

TEXT = """{year}年街道为民办实事工作方案

一、重点任务

（一）完成老旧小区改造12个。
1.制定改造方案。
2.开展施工招标。
责任单位：街道城建办、各社区

（二）新建社区食堂3家。
1.选定食堂点位。
2.引入运营企业。
责任单位：街道民政办
"""


def test_the_guess_and_a_chosen_reading_without_http():
    auto = parse_plan(TEXT.format(year=2026))
    assert [t.number for t in auto.tasks] == ["1", "2", "1", "2"]  # the steps taken for tasks
    assert (auto.prose["items"], auto.prose["units"]) == ("numbers", "lines")
    signature = prose_signature(auto)
    assert signature == prose_signature(parse_plan(TEXT.format(year=2027)))  # next year: the same family
    chosen = parse_plan(TEXT.format(year=2026), {signature: ["headings", "auto"]})
    assert [t.number for t in chosen.tasks] == ["（一）", "（二）"]
    assert [t.title for t in chosen.tasks] == ["完成老旧小区改造12个", "新建社区食堂3家"]
    assert chosen.tasks[0].assignment.lead_unit == "街道城建办"
    assert [s.number for s in chosen.tasks[0].subitems] == ["1", "2"]
    assert chosen.prose["items"] == "headings" and chosen.prose["chosen_items"] == "headings"
    # "no units": the label lines are left in the text, no unit is read
    bare = parse_plan(TEXT.format(year=2026), {signature: ["headings", "none"]})
    assert all(t.assignment is None for t in bare.tasks)


def prose_form(html: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="/imports/\d+/prose".*?</form>', html, re.S).group(0)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    for name, body in re.findall(r'<select[^>]*name="(items|units)"[^>]*>(.*?)</select>', form, re.S):
        fields[name] = re.search(r'<option value="(\w+)" selected', body).group(1)
    return fields


def test_one_choice_rereads_the_draft_and_next_years_document_is_read_the_same_way(seeded, browser):
    coordinator = browser("coordinator")
    draft_id = draft_id_from(upload(coordinator, "plan", "方案.txt", TEXT.format(year=2026).encode("utf-8")))
    page = coordinator.get(f"/imports/{draft_id}")
    assert "识别到 2 个行动、4 项任务、0 个目标。" in page.text
    assert 'id="prose-guess" data-items="numbers" data-units="lines"' in page.text
    assert "识别结果：编号（1. （1））是任务，（一）是分组；单位：单独一行（牵头单位：…）。" in page.text
    fields = prose_form(page.text)
    assert (fields["items"], fields["units"]) == ("auto", "auto")
    fields["items"] = "headings"  # the one choice: the （一） headings are the tasks
    response = coordinator.post(f"/imports/{draft_id}/prose", data=fields)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/imports/{draft_id}")
    page = coordinator.get(f"/imports/{draft_id}")
    assert "已按指定的识别方式重新识别：2项任务。" in page.text
    tasks = db.session.get(ImportDraft, draft_id).payload["tasks"]
    assert [t["title"] for t in tasks] == ["完成老旧小区改造12个", "新建社区食堂3家"]
    assert [t["assignment"]["lead_unit"] for t in tasks] == ["街道城建办", "街道民政办"]
    # next year's document of the same office: read with the saved choice at once
    second = draft_id_from(upload(coordinator, "plan", "方案2027.txt", TEXT.format(year=2027).encode("utf-8")))
    page = coordinator.get(f"/imports/{second}")
    assert "按已保存的识别方式读取（同一发文单位的同类文件都这样读）。" in page.text
    assert "识别到 0 个行动、2 项任务、0 个目标。" in page.text
    assert [row.columns for row in db.session.scalars(select(ColumnMapping))] == [["headings", "auto"]]


def test_a_wrong_choice_is_refused_and_only_coordinators_choose(seeded, browser):
    coordinator = browser("coordinator")
    draft_id = draft_id_from(upload(coordinator, "plan", "方案.txt", TEXT.format(year=2026).encode("utf-8")))
    fields = prose_form(coordinator.get(f"/imports/{draft_id}").text)
    fields["items"] = "everything"
    response = coordinator.post(f"/imports/{draft_id}/prose", data=fields)
    assert response.status_code == 400 and "识别方式的选择无效" in response.text
    assert db.session.scalar(select(ColumnMapping)) is None
    fields["items"] = "headings"
    fields.pop("csrf_token")  # the unit's own session token is used
    assert browser("jingwei").post(f"/imports/{draft_id}/prose", data=fields).status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(ColumnMapping)) is None
