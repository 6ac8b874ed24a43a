"""``flask import plan|proposal-reply FILE [--dry-run] [--format json|text]``."""
from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select

from seeds.proposals import PROPOSALS
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.imports.cli import import_cli, register
from tracker.imports.models import DraftKind, DraftState, ImportDraft
from tracker.plans.models import Plan

DOCUMENTS = Path(__file__).resolve().parents[2] / "seeds" / "documents"
XICEN = DOCUMENTS / "xicen-action-plan-2025-2026.txt"
XICEN_TASKS = ["加强区级统筹", "优化协同机制", "完善运营机制", "集聚高能级创新平台", "强化关键核心技术攻关",
               "重点发展新一代信息技术主导产业", "打造高性能复合材料特色产业", "培育集聚优质企业", "提升中小企业创新能级",
               "培育发展研发服务", "优化公共配套服务", "加速科技成果落地转化", "建设多样化科技创新创业载体",
               "促进科技金融精准赋能", "汇聚高素质科创人才", "打造绿色智慧园区"]


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(import_cli, [str(arg) for arg in args])

    return invoke


def nothing_written() -> bool:
    return (db.session.scalar(select(func.count()).select_from(ImportDraft)) == 0
            and db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
            and db.session.scalar(select(func.count()).select_from(Plan)) == 0)


def test_plan_dry_run_prints_the_draft_as_json_and_writes_nothing(run):
    result = run("plan", XICEN, "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    draft = json.loads(result.output)
    assert (draft["title"], draft["doc_number"], draft["issued_on"]) == (
        "张江高新区西岑园改革创新发展行动方案（2025-2026年）", "青府发〔2025〕40号", "2025-10-17")
    assert [g["number"] + g["title"] for g in draft["groups"]] == [
        "（一）体制机制优化行动", "（二）创新策源奠基行动", "（三）产业创新引领行动", "（四）科创企业卓越行动",
        "（五）科技服务赋能行动", "（六）科创生态培育行动"]
    assert [t["number"] for t in draft["tasks"]] == [str(n) for n in range(1, 17)]
    assert [t["title"] for t in draft["tasks"]] == XICEN_TASKS
    assert draft["tasks"][11]["group"] == "（六）科创生态培育行动"
    assert draft["tasks"][0]["text"].startswith("加强区级统筹。")
    assert draft["tasks"][0]["suggested_units"] == ["青浦区区域协调发展领导小组", "青西办"]
    assert [(t["name"], t["value"], t["unit"]) for t in draft["targets"]][2] == ("规模以上工业总产值", 170.0, "亿元")
    assert len(draft["targets"]) == 6 and draft["unplaced"] == []
    assert "\\u" not in result.output  # ensure_ascii=False: readable Chinese
    assert nothing_written()


@pytest.mark.parametrize("expected", PROPOSALS, ids=[p["number"] for p in PROPOSALS])
def test_proposal_reply_dry_run_prints_the_reply_fields(run, expected):
    result = run("proposal-reply", DOCUMENTS / expected["source_document"], "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    draft = json.loads(result.output)
    assert (draft["reply_doc_number"], draft["meeting"], draft["proposal_number"], draft["proposers"],
            draft["result_category"], draft["publicity"], draft["reply_date"], draft["contact_name"],
            draft["contact_phone"], draft["contact_address"]) == (
        expected["reply_doc_number"], expected["meeting"], expected["number"], expected["proposers"],
        expected["result_category"], expected["publicity"], expected["reply_date"].isoformat(),
        expected["contact_name"], expected["contact_phone"], expected["contact_address"])
    assert draft["commitments"]
    assert nothing_written()


def test_text_format_is_a_readable_summary(run):
    result = run("plan", XICEN, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "行动 6 个，任务 16 项，目标 6 个，未归类 0 段" in result.output
    assert "  12. 加速科技成果落地转化" in result.output
    reply = run("proposal-reply", DOCUMENTS / "proposal-reply-huketifu-2025-53.txt", "--dry-run")
    assert "答复文号：沪科提复〔2025〕53号" in reply.output and "提案编号：第0746号" in reply.output


def test_gb18030_text_and_docx_give_the_same_draft(run, tmp_path):
    text = XICEN.read_text(encoding="utf-8")
    gb = tmp_path / "xicen-gb18030.txt"
    gb.write_bytes(text.encode("gb18030"))
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    word = tmp_path / "xicen.docx"
    document.save(word)
    for path in (gb, word):
        result = run("plan", path, "--dry-run", "--format", "json")
        assert result.exit_code == 0, result.output
        draft = json.loads(result.output)
        assert [t["title"] for t in draft["tasks"]] == XICEN_TASKS, path.name
        assert len(draft["groups"]) == 6 and len(draft["targets"]) == 6


def test_without_dry_run_a_draft_is_stored_for_review(run, app):
    result = run("plan", XICEN)
    assert result.exit_code == 0, result.output
    draft = db.session.scalar(select(ImportDraft))
    assert draft.kind == DraftKind.plan and draft.state == DraftState.draft and draft.created_by_id is None
    assert len(draft.payload["tasks"]) == 16 and draft.filename == XICEN.name
    assert f"#{draft.id}" in result.output and f"/imports/{draft.id}" in result.output
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0  # nothing but the draft
    reply = run("proposal-reply", DOCUMENTS / "proposal-reply-pukewei-2025-22.txt")
    assert reply.exit_code == 0, reply.output
    assert db.session.scalar(select(func.count()).select_from(ImportDraft)) == 2


@pytest.mark.parametrize("name, data, message", [
    ("empty.txt", b"", "文件为空。"),
    ("binary.txt", bytes(range(256)) * 64, "可能是二进制文件"),
    ("fake.docx", b"not a zip at all" * 10, "不是有效的 Word（.docx）文档"),
    ("notes.odt", b"hello", "不支持的文件类型 .odt"),
])
@pytest.mark.parametrize("dry_run", [True, False])
def test_bad_files_fail_with_the_message_and_write_nothing(run, tmp_path, name, data, message, dry_run):
    path = tmp_path / name
    path.write_bytes(data)
    result = run("plan", path, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 1
    assert message in result.output
    assert nothing_written()


def test_register_adds_the_group_once(app):
    register(app)
    register(app)
    assert app.cli.commands["import"] is import_cli
    assert set(import_cli.commands) == {"plan", "proposal-reply"}
