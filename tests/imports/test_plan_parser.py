"""parse_plan on the real Xicen plan, on synthetic layouts, and on anything hypothesis can make up."""

from __future__ import annotations

import io
import json
import re
import time
from datetime import date
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.imports import reader
from tracker.imports.documents import CJK, clean_paragraphs, extract_text
from tracker.imports.plan_parser import PlanDraft, read_plan, split_units, suggest_units
from tracker.imports.reader import parse_plan

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "documents"
PLAN_TEXT = (SEEDS / "xicen-action-plan-2025-2026.txt").read_text(encoding="utf-8")
REPLY_TEXTS = [
    (SEEDS / name).read_text(encoding="utf-8")
    for name in ("proposal-reply-huketifu-2025-53.txt", "proposal-reply-pukewei-2025-22.txt")
]

XICEN_GROUPS = [
    ("（一）", "体制机制优化行动"),
    ("（二）", "创新策源奠基行动"),
    ("（三）", "产业创新引领行动"),
    ("（四）", "科创企业卓越行动"),
    ("（五）", "科技服务赋能行动"),
    ("（六）", "科创生态培育行动"),
]
XICEN_TASKS = [
    ("1", "加强区级统筹", 0),
    ("2", "优化协同机制", 0),
    ("3", "完善运营机制", 0),
    ("4", "集聚高能级创新平台", 1),
    ("5", "强化关键核心技术攻关", 1),
    ("6", "重点发展新一代信息技术主导产业", 2),
    ("7", "打造高性能复合材料特色产业", 2),
    ("8", "培育集聚优质企业", 3),
    ("9", "提升中小企业创新能级", 3),
    ("10", "培育发展研发服务", 4),
    ("11", "优化公共配套服务", 4),
    ("12", "加速科技成果落地转化", 5),
    ("13", "建设多样化科技创新创业载体", 5),
    ("14", "促进科技金融精准赋能", 5),
    ("15", "汇聚高素质科创人才", 5),
    ("16", "打造绿色智慧园区", 5),
]
XICEN_TARGETS = [
    ("创新平台（应用场景）", 2.0, "个", "≥", 2026),
    ("新增上下游企业及创新创业企业", 20.0, "家", "=", 2026),
    ("规模以上工业总产值", 170.0, "亿元", "=", 2026),
    ("三大先导产业（集成电路、生物医药、人工智能）总规模", 600.0, "亿元", "=", 2026),
    ("新一代信息技术产业营收占园区总营收的比重", 50.0, "%", "=", 2026),
    ("企业研发经费支出占营收的比重", 9.0, "%", "=", 2026),
]
STRAY_SPACE = re.compile(f"[{CJK}] +[{CJK}]")


@pytest.fixture(scope="module")
def xicen() -> PlanDraft:
    return parse_plan(PLAN_TEXT)



@pytest.fixture(autouse=True)
def _isolated():
    """Overrides the project-wide database fixture: these modules are pure and must run without an app."""
    yield

# --------------------------------------------------------------------------- the real plan


def test_xicen_header(xicen):
    assert xicen.title == "张江高新区西岑园改革创新发展行动方案（2025-2026年）"
    assert xicen.doc_number == "青府发〔2025〕40号"
    assert xicen.issuer == "上海市青浦区人民政府"
    assert xicen.issued_on == date(2025, 10, 17)
    assert xicen.period_start == date(2025, 10, 17)
    assert xicen.period_end == date(2026, 12, 31)


def test_xicen_groups(xicen):
    assert [(g.number, g.title, g.text) for g in xicen.groups] == [(n, t, "") for n, t in XICEN_GROUPS]


def test_xicen_tasks_have_the_documents_numbers_titles_and_groups(xicen):
    assert [(t.number, t.title, t.group_index) for t in xicen.tasks] == XICEN_TASKS


def test_xicen_task_text_is_cleaned_and_complete(xicen):
    first = xicen.tasks[0]
    assert first.text == (
        "加强区级统筹。设立青浦区区域协调发展领导小组，由区委区政府主要领导任组长，加强对西岑园的统筹管理，"
        "促进西岑园与张江高新区青浦园联动发展。领导小组下设青西协同发展专项办公室（简称“青西办”），"
        "由分管副区长兼任主任，负责园区总体规划、开发建设、统筹协调、项目推进等工作。"
    )
    assert xicen.tasks[1].text.startswith("优化协同机制。在一体化示范区理事会的领导下，充分依托长三角")
    assert xicen.tasks[6].text.endswith("打造具有国内竞争力和国际影响力的高性能复合材料产业集聚区。")
    assert "人才需求，立足人才全生命周期" in xicen.tasks[14].text
    assert "无线网络 SoC、物联网 RFID、车联网 MCU、存储器、AI 芯片" in xicen.tasks[5].text
    assert "“摸底挖掘—入库培育—精准扶持”" in xicen.tasks[8].text
    for task in xicen.tasks:
        assert not STRAY_SPACE.search(task.text), task.text
        assert not task.text.startswith(("-", " ")) and "\n" not in task.text
        assert task.assignment is None and task.subitems == [] and task.due_hint is None


def test_xicen_suggested_units(xicen):
    assert xicen.tasks[0].suggested_units == ["青浦区区域协调发展领导小组", "青西办"]
    assert xicen.tasks[2].suggested_units == ["青浦科创集团"]


def test_xicen_targets(xicen):
    assert [(t.name, t.value, t.unit, t.comparator, t.year) for t in xicen.targets] == XICEN_TARGETS
    assert xicen.targets[2].source == "规模以上工业总产值达170亿元"


def test_xicen_sections_hold_everything_that_is_not_a_task(xicen):
    assert [(s.kind, s.title, len(s.paragraphs)) for s in xicen.sections] == [
        ("header", None, 6),
        ("preamble", None, 1),
        ("goals", "主要目标", 5),
        ("tasks", "重点任务", 0),
        ("safeguards", "保障措施", 4),
        ("footer", None, 3),
    ]
    footer = xicen.sections[-1].paragraphs
    assert footer == ["抄送：区委各部门、区人大办、区政协办、区纪委监委、区法院、区检察院。", "青浦区人民政府办公室", "2025年10月20日印发"]
    assert xicen.sections[4].paragraphs[0] == "（一）强化政策支持"
    assert xicen.unplaced == [] and xicen.warnings == [] and xicen.reporting is None


def test_xicen_no_task_comes_from_goals_or_safeguards(xicen):
    all_task_text = "".join(t.text for t in xicen.tasks)
    for phrase in ("承接企业技术溢出效应", "规模以上工业总产值", "区财政每年安排专项资金", "强化宣传推广", "抄送"):
        assert phrase not in all_task_text


def test_xicen_never_drops_text(xicen):
    """Every paragraph of the source shows up in the draft, as a task, group, section or unplaced."""
    placed = json.dumps(xicen.to_dict(), ensure_ascii=False)
    for paragraph in clean_paragraphs(PLAN_TEXT):
        body = re.sub(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.\s*)", "", paragraph)
        assert body in placed, paragraph


def test_to_dict_is_json_ready(xicen):
    data = xicen.to_dict()
    assert data["issued_on"] == "2025-10-17" and data["period_end"] == "2026-12-31"
    assert data["tasks"][0]["number"] == "1" and data["groups"][0]["number"] == "（一）"
    assert json.loads(json.dumps(data)) == data


# --------------------------------------------------------------------------- synthetic layouts

BREAKDOWN = """某区人民政府办公室文件
某府办发[2025]7号
某区人民政府办公室关于印发《某区2025年优化营商环境工作要点》的通知
各街镇、区政府各部门：
现将《某区2025年优化营商环境工作要点》印发给你们，请认真贯彻执行。请各单位于每月25日前报送工作进展。
某区人民政府办公室
二〇二五年三月五日
某区2025年优化营商环境工作要点
为持续优化营商环境，制定本要点。

一、工作目标
到2025年底，新增市场主体不少于5000户，政务服务好评率达到99%以上，企业开办时间控制在1个工作日以内。

二、重点任务
（一）提升政务服务效能
1. 推进一网通办。全面推行线上办理，
提升办件效率。
牵头单位：区政务服务办
配合单位：区数据局、各街镇
完成时限：2025年12月底
2、深化证照分离改革。扩大告知承诺范围。（牵头单位：区市场监管局；配合单位：区司法局、区税务局）
3．优化涉企服务。建立企业服务专员制度。（区商务委牵头，区经委、各镇按职责分工负责）
(二)强化要素保障
(1)保障用地需求。盘活存量工业用地。
(2)降低融资成本。设立中小企业转贷基金。（区金融办负责）
（三）加强监管创新
①推行包容审慎监管。
②探索信用分级分类监管。
（四）营造法治环境
坚持依法行政。一是规范涉企执法；二是健全投诉机制；三是加强产权保护。
（五）打造服务品牌。由区委宣传部、区融媒体中心统筹宣传推广。

三、保障措施
（一）加强组织领导。建立工作推进机制。
（二）强化督查考核。各牵头单位每季度最后一个月的30日前报送进展情况。

抄送：区委办、区人大办。
某区人民政府办公室
2025年3月6日印发
"""


@pytest.fixture(scope="module")
def breakdown() -> PlanDraft:
    return parse_plan(BREAKDOWN)


def test_breakdown_header(breakdown):
    assert breakdown.title == "某区2025年优化营商环境工作要点"
    assert breakdown.doc_number == "某府办发〔2025〕7号"
    assert breakdown.issuer == "某区人民政府办公室"
    assert breakdown.issued_on == date(2025, 3, 5)
    assert (breakdown.period_start, breakdown.period_end) == (date(2025, 3, 5), date(2025, 12, 31))


def test_breakdown_numbering_styles(breakdown):
    assert [(t.number, t.title, t.group_index) for t in breakdown.tasks] == [
        ("1", "推进一网通办", 0),
        ("2", "深化证照分离改革", 0),
        ("3", "优化涉企服务", 0),
        ("（1）", "保障用地需求", 1),
        ("（2）", "降低融资成本", 1),
        ("①", "推行包容审慎监管", 2),
        ("②", "探索信用分级分类监管", 2),
        ("一是", "规范涉企执法", 3),
        ("二是", "健全投诉机制", 3),
        ("三是", "加强产权保护", 3),
        ("（五）", "打造服务品牌", 4),
    ]
    assert [g.number for g in breakdown.groups] == ["（一）", "（二）", "（三）", "（四）", "（五）"]
    assert breakdown.groups[3].text == ""


def test_assignment_lines_are_read_and_stripped(breakdown):
    task = breakdown.tasks[0]
    assert task.text == "推进一网通办。全面推行线上办理，提升办件效率。"
    assert (task.assignment.lead_unit, task.assignment.cooperating_units) == ("区政务服务办", ["区数据局", "各街镇"])
    assert task.assignment.source == "lines"
    assert task.due_hint == "2025年12月底"
    assert task.suggested_units == []


def test_bracketed_assignments_are_read_and_stripped(breakdown):
    labelled, phrased, sole = breakdown.tasks[1], breakdown.tasks[2], breakdown.tasks[4]
    assert labelled.text == "深化证照分离改革。扩大告知承诺范围。"
    assert (labelled.assignment.lead_unit, labelled.assignment.cooperating_units) == ("区市场监管局", ["区司法局", "区税务局"])
    assert labelled.assignment.source == "bracket"
    assert phrased.text == "优化涉企服务。建立企业服务专员制度。"
    assert (phrased.assignment.lead_unit, phrased.assignment.cooperating_units) == ("区商务委", ["区经委", "各镇"])
    assert phrased.assignment.raw == "区商务委牵头，区经委、各镇按职责分工负责"
    assert (sole.assignment.lead_unit, sole.assignment.cooperating_units) == ("区金融办", [])


def test_group_without_items_becomes_one_task_with_suggestions(breakdown):
    task = breakdown.tasks[-1]
    assert task.text == "打造服务品牌。由区委宣传部、区融媒体中心统筹宣传推广。"
    assert task.assignment is None
    assert task.suggested_units == ["区委宣传部", "区融媒体中心"]


def test_breakdown_targets_and_reporting(breakdown):
    assert [(t.name, t.value, t.unit, t.comparator, t.year) for t in breakdown.targets] == [
        ("新增市场主体", 5000.0, "户", "≥", 2025),
        ("政务服务好评率", 99.0, "%", "≥", 2025),
        ("企业开办时间", 1.0, "个", "≤", 2025),
    ]
    assert breakdown.reporting is not None
    assert (breakdown.reporting.cycle, breakdown.reporting.day) == ("monthly", 25)


def test_breakdown_places_everything(breakdown):
    kinds = [s.kind for s in breakdown.sections]
    assert kinds == ["header", "preamble", "goals", "tasks", "safeguards", "footer"]
    assert breakdown.sections[-1].paragraphs == ["抄送：区委办、区人大办。", "某区人民政府办公室", "2025年3月6日印发"]
    assert breakdown.unplaced == []


def test_quarterly_reporting_rule():
    rule = parse_plan("三、工作要求\n各单位每季度最后一个月的30日前报送进展。").reporting
    assert (rule.cycle, rule.day, rule.month_in_quarter) == ("quarterly", 30, 3)
    assert rule.source == "各单位每季度最后一个月的30日前报送进展。"
    monthly = parse_plan("请于每月二十日前报送工作进展情况。").reporting
    assert (monthly.cycle, monthly.day) == ("monthly", 20)
    assert parse_plan("每月25日召开例会。").reporting is None


def test_sub_items_under_numbered_items():
    draft = parse_plan(
        "二、主要任务\n1.加强统筹协调。建立联席会议制度。\n（1）制定工作规则。\n（2）定期召开会议。\n"
        "2.完善配套政策。一是出台扶持办法；二是设立专项资金。\n3.强化人才支撑。\n①引进高端人才。\n②培育本土人才。"
    )
    assert [(t.number, t.title) for t in draft.tasks] == [("1", "加强统筹协调"), ("2", "完善配套政策"), ("3", "强化人才支撑")]
    assert [(s.number, s.text) for s in draft.tasks[0].subitems] == [("（1）", "制定工作规则。"), ("（2）", "定期召开会议。")]
    assert draft.tasks[0].text == "加强统筹协调。建立联席会议制度。\n（1）制定工作规则。\n（2）定期召开会议。"
    assert [(s.number, s.text) for s in draft.tasks[1].subitems] == [("一是", "出台扶持办法"), ("二是", "设立专项资金。")]
    assert [s.number for s in draft.tasks[2].subitems] == ["①", "②"]
    assert all(t.group_index is None for t in draft.tasks)


def test_plan_signed_at_the_end_with_half_width_groups_and_numbers():
    draft = parse_plan(
        "某镇2026年乡村振兴工作方案\n一、重点任务\n(一)产业振兴\n1、发展特色农业。(镇农业中心牵头)\n"
        "2、培育农业合作社(镇经济服务中心负责)\n(二)人才振兴\n3、实施乡村人才计划。\n二、保障措施\n加强组织领导。\n某镇人民政府\n2026年2月1日"
    )
    assert draft.title == "某镇2026年乡村振兴工作方案"
    assert (draft.issuer, draft.issued_on) == ("某镇人民政府", date(2026, 2, 1))
    assert (draft.period_start, draft.period_end) == (date(2026, 2, 1), date(2026, 12, 31))
    assert [(g.number, g.title) for g in draft.groups] == [("（一）", "产业振兴"), ("（二）", "人才振兴")]
    assert [(t.number, t.group_index) for t in draft.tasks] == [("1", 0), ("2", 0), ("3", 1)]
    assert draft.tasks[0].assignment.lead_unit == "镇农业中心"
    assert draft.tasks[0].text == "发展特色农业。"
    assert (draft.tasks[1].text, draft.tasks[1].assignment.lead_unit) == ("培育农业合作社。", "镇经济服务中心")


def test_goals_and_safeguards_as_groups_when_there_are_no_parts():
    draft = parse_plan(
        "某街道2025年工作计划\n（一）工作目标\n全年完成改造项目不少于3个。\n（二）主要任务\n1.推进旧区改造。\n"
        "2.提升物业管理。\n（三）保障措施\n1.加强领导。"
    )
    assert [t.title for t in draft.tasks] == ["推进旧区改造", "提升物业管理"]
    assert [(t.name, t.value) for t in draft.targets] == [("完成改造项目", 3.0)]
    assert [s.kind for s in draft.sections] == ["header", "goals", "tasks", "safeguards"]


def test_labels_under_a_group_heading_apply_to_its_tasks():
    draft = parse_plan(
        "一、总体要求。坚持问题导向，统筹推进改革。\n二、重点任务\n围绕三个方面实施以下任务。\n"
        "（一）加强统筹协调\n牵头单位：区发改委\n"
        "（二）推进改革。一是简化流程；二是压缩时限。\n责任单位：区政务服务办、区司法局\n"
        "（三）完善机制\n1.建立制度。"
    )
    assert [(t.number, t.title, t.group_index) for t in draft.tasks] == [
        ("（一）", "加强统筹协调", 0),
        ("一是", "简化流程", 1),
        ("二是", "压缩时限", 1),
        ("1", "建立制度", 2),
    ]
    assert draft.tasks[0].assignment.lead_unit == "区发改委"
    for task in draft.tasks[1:3]:
        assert (task.assignment.lead_unit, task.assignment.cooperating_units) == ("区政务服务办", ["区司法局"])
    assert [(s.kind, s.title, s.paragraphs) for s in draft.sections] == [
        ("principles", "总体要求", ["坚持问题导向，统筹推进改革。"]),
        ("tasks", "重点任务", []),
        ("intro", "重点任务", ["围绕三个方面实施以下任务。"]),
    ]
    assert draft.unplaced == []


def test_task_breakdown_table_from_docx():
    document = docx.Document()
    document.add_paragraph("某区2025年重点工作任务分解表")
    document.add_paragraph("一、重点任务")
    table = document.add_table(rows=4, cols=5)
    rows = [
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        ["（一）体制机制优化", "", "", "", ""],
        ["1", "加强区级统筹", "区发改委", "区财政局、区科委", "2025年6月"],
        ["2", "完善运营机制。组建科创集团。", "区国资委", "", "2025年底"],
    ]
    for row, values in zip(table.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    table.cell(1, 0).merge(table.cell(1, 4)).text = "（一）体制机制优化"
    buffer = io.BytesIO()
    document.save(buffer)
    draft = parse_plan(extract_text("分解表.docx", buffer.getvalue()))
    assert [(g.number, g.title) for g in draft.groups] == [("（一）", "体制机制优化")]
    assert [(t.number, t.title, t.text) for t in draft.tasks] == [
        ("1", "加强区级统筹", "加强区级统筹。"),
        ("2", "完善运营机制", "完善运营机制。组建科创集团。"),
    ]
    first, second = draft.tasks
    assert (first.assignment.lead_unit, first.assignment.cooperating_units, first.due_hint) == (
        "区发改委",
        ["区财政局", "区科委"],
        "2025年6月",
    )
    assert (second.assignment.lead_unit, second.due_hint) == ("区国资委", "2025年底")


def test_unrecognised_task_part_is_left_unplaced():
    draft = parse_plan("二、重点任务\n全面加强各项工作。")
    assert draft.tasks == [] and draft.unplaced == ["全面加强各项工作。"]
    assert any("未识别到任何任务" in w for w in draft.warnings)


def test_units_helpers():
    assert split_units("区发改委、区科委等单位") == ["区发改委", "区科委"]
    assert split_units("区人力资源和社会保障局") == ["区人力资源和社会保障局"]
    assert suggest_units("由区发展改革委会同朱家角镇、夏阳街道推进，发挥园区和城区优势。") == [
        "区发展改革委",
        "朱家角镇",
        "夏阳街道",
    ]
    assert suggest_units("促进蓝色珠链基金小镇和区域联动，推进区级平台建设。") == []


# --------------------------------------------------------------------------- robustness


def test_reply_documents_do_not_produce_tasks():
    for text in REPLY_TEXTS:
        draft = parse_plan(text)
        assert draft.doc_number is None or "〔2025〕" in draft.doc_number
        assert json.dumps(draft.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("text", ["", " ", "\n\n", "一、", "（一）", "1.", "一是", "牵头单位：", "2025年13月40日", "\t\t"])
def test_degenerate_inputs(text):
    draft = read_plan(text)
    assert isinstance(draft, PlanDraft)
    json.dumps(draft.to_dict(), ensure_ascii=False)


def test_huge_input_is_parsed_quickly():
    text = (PLAN_TEXT + "\n") * 40 + "无标点的长文本" * 50_000
    started = time.perf_counter()
    draft = read_plan(text)
    assert time.perf_counter() - started < 8
    assert len(draft.tasks) >= 16


def test_internal_errors_degrade_to_unplaced(monkeypatch):
    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(reader, "read_plan", broken)
    draft = parse_plan("第一段\n第二段")
    assert draft.unplaced == ["第一段", "第二段"] and draft.warnings


LINES = [line for text in [PLAN_TEXT, *REPLY_TEXTS] for line in text.split("\n")]
LINES += [
    "牵头单位：区发改委",
    "配合单位：区科委、各镇",
    "完成时限：2025年底",
    "（1）制定规则。",
    "①推行包容审慎监管。",
    "一是规范执法；二是健全机制。",
    "（区商务委牵头，区经委按职责分工负责）",
    "请于每季度最后一个月的30日前报送进展。",
    "序号\t工作任务\t牵头单位\t完成时限",
    "1\t推进一网通办\t区政务服务办\t2025年",
    "(二)强化要素保障",
    "二、重点任务",
    "三、保障措施",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_any_text(text):
    draft = read_plan(text)
    json.dumps(draft.to_dict(), ensure_ascii=False)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(LINES), max_size=60),
    st.sampled_from(["\n", "\n\n", "\r\n"]),
    st.lists(st.text(max_size=8), max_size=3),
)
def test_never_raises_on_shuffled_real_lines(lines, separator, noise):
    draft = read_plan(separator.join(lines + noise))
    assert parse_plan(separator.join(lines + noise)).to_dict() == draft.to_dict()
    for task in draft.tasks:
        assert task.number and isinstance(task.text, str)


ATOMS = [
    "一、", "二、重点任务", "三、保障措施", "主要目标", "（一）", "(二)", "1.", "2、", "3．", "(1)", "①", "一是", "二是",
    "牵头单位：", "配合单位：", "责任单位：", "完成时限：", "区发改委", "、", "，", "。", "；", "（", "）", "(", ")",
    "牵头", "负责", "按职责分工负责", "\n", "\n\n", "\t", "序号", "任务", "2025年", "10月17日", "印发", "抄送：",
    "不少于", "达到", "20家", "%", "亿元", "到2026年", "每季度最后一个月的30日前报送", "简称“青西办”", "集团", "镇",
    "关于印发《", "》的通知", "文件", "青府发〔2025〕40号", " ", "- ", "**", '"',
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(ATOMS), max_size=80))
def test_never_raises_on_structural_fragments(atoms):
    draft = read_plan("".join(atoms))
    json.dumps(draft.to_dict(), ensure_ascii=False)
    assert all(isinstance(t.title, str) and t.number for t in draft.tasks)
