"""parse_reply on the two real proposal replies, on synthetic variants, and on arbitrary text."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.imports import reply_parser
from tracker.imports.reply_parser import ReplyDraft, parse_reply, read_reply

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "documents"
HUKETIFU = (SEEDS / "proposal-reply-huketifu-2025-53.txt").read_text(encoding="utf-8")
PUKEWEI = (SEEDS / "proposal-reply-pukewei-2025-22.txt").read_text(encoding="utf-8")
PLAN = (SEEDS / "xicen-action-plan-2025-2026.txt").read_text(encoding="utf-8")

FIELDS = (
    "result_category",
    "publicity",
    "publicity_scope",
    "issuer",
    "reply_doc_number",
    "meeting",
    "proposal_number",
    "proposers",
    "title",
    "reply_date",
    "contact_name",
    "contact_phone",
    "contact_address",
    "postal_code",
    "printed_on",
)


def fields(draft: ReplyDraft) -> dict:
    return {name: getattr(draft, name) for name in FIELDS}



@pytest.fixture(autouse=True)
def _isolated():
    """Overrides the project-wide database fixture: these modules are pure and must run without an app."""
    yield

# --------------------------------------------------------------------------- 沪科提复〔2025〕53号


@pytest.fixture(scope="module")
def huketifu() -> ReplyDraft:
    return parse_reply(HUKETIFU)


def test_huketifu_fields(huketifu):
    assert fields(huketifu) == {
        "result_category": "解决采纳",
        "publicity": "主动公开",
        "publicity_scope": "全文",
        "issuer": "上海市科学技术委员会",
        "reply_doc_number": "沪科提复〔2025〕53号",
        "meeting": "市政协十四届三次会议",
        "proposal_number": "第0746号",
        "proposers": "池洪、卢薪、曹卫东等委员",
        "title": "关于加大政策支持力度加快培育壮大西岑科创中心产业",
        "reply_date": date(2025, 6, 25),
        "contact_name": "沈雄",
        "contact_phone": "23119322",
        "contact_address": "威海路48号1001室",
        "postal_code": "200003",
        "printed_on": date(2025, 6, 25),
    }


def test_huketifu_body_and_footer(huketifu):
    paragraphs = huketifu.body.split("\n")
    assert len(paragraphs) == 10
    assert paragraphs[0].startswith("你们提出的“关于加大政策支持力度")
    assert paragraphs[-1] == "再次感谢你们对本市科技创新和产业创新工作的关心和支持！"
    assert "加快建成具有全球影响力科技创新高地。" in paragraphs[1]
    assert "明年交付360个机架，将建成我国首个实现多元异构算力调度的全国性平台" in huketifu.body
    assert "抄送" not in huketifu.body and "联系" not in huketifu.body
    assert huketifu.footer == ["抄送：市政府办公厅建议提案处，市政协提案办。", "上海市科委办公室", "2025年6月25日印发"]
    assert huketifu.unplaced == [] and huketifu.warnings == []


def test_huketifu_commitments(huketifu):
    found = {c.text: c.due_hint for c in huketifu.commitments}
    assert found == {
        "2024年，示范区执委会编制了《长三角生态绿色一体化发展示范区打造“创新场”和孵化器实施方案》，"
        "方案指出长三角一体化示范区将于2026年基本打造形成“一芯、两圈、三轴”的创新空间布局，"
        "其中“一芯”即西岑科创中心。": "2026年",
        "同时，西岑科创中心建设拟纳入《青浦区打造长三角生态绿色一体化发展示范区“创新场”和“孵化器”"
        "“十五五”发展规划》等规划中。": None,
        "市经济信息化委也支持青浦区将西岑科创中心纳入青浦新一代信息技术产业集聚区及相关集群发展规划，"
        "并考虑将西岑科创中心纳入上海市“十五五”人工智能产业发展规划。": None,
        "中国电信青浦云湖数据中心全面封顶，明年交付360个机架，将建成我国首个实现多元异构算力调度的全国性平台；": "2026年",
    }


# --------------------------------------------------------------------------- 普科委〔2025〕22号


@pytest.fixture(scope="module")
def pukewei() -> ReplyDraft:
    return parse_reply(PUKEWEI)


def test_pukewei_fields(pukewei):
    assert fields(pukewei) == {
        "result_category": "部分采纳或解决",
        "publicity": "主动公开",
        "publicity_scope": "全文",
        "issuer": "上海市普陀区科学技术委员会",
        "reply_doc_number": "普科委〔2025〕22号",
        "meeting": "区政协十五届五次会议",
        "proposal_number": "第155129号",
        "proposers": "郁芳委员",
        "title": "关于加强长三角协同、以科创驱动发展的建议",
        "reply_date": date(2025, 5, 12),
        "contact_name": "杨益",
        "contact_phone": "52564588-3335",
        "contact_address": "大渡河路1668号2号楼1109室",
        "postal_code": "200333",
        "printed_on": date(2025, 5, 12),
    }


def test_pukewei_body_is_cleaned(pukewei):
    paragraphs = pukewei.body.split("\n")
    assert len(paragraphs) == 19
    assert paragraphs[0] == "您提出的《关于加强长三角协同、以科创驱动发展的建议》收悉，经研究，现将办理情况答复如下："
    assert paragraphs[3] == "一、持续提升平台载体能级，打造有利于创新创业的良好生态"
    assert "**" not in pukewei.body
    assert "南通、镇江与普陀区携手" in pukewei.body
    assert "设置“我要发榜”“我要揭榜”功能模块" in pukewei.body
    assert "合计规模达31.88亿元" in pukewei.body
    assert "引入德国 Drivery 孵化器" in pukewei.body
    assert pukewei.footer == ["上海市普陀区科学技术委员会办公室", "2025年5月12日印发"]
    assert pukewei.unplaced == [] and pukewei.warnings == []


def test_pukewei_commitments(pukewei):
    def due(prefix: str) -> str | None:
        (match,) = [c for c in pukewei.commitments if c.text.startswith(prefix)]
        return match.due_hint

    assert due("后台维护端已基本完成开发") == "2025年二季度"
    assert due("下一步，区科委将加强与各地科技局") is None
    assert due("计划嵌入沿沪宁城市地图导航系统") is None
    assert due("线下，计划依托国家东部技术转移中心") is None
    assert not any(c.text.startswith("其中，长三角一期已完成投资期内的全部投资计划") for c in pukewei.commitments)
    assert len(pukewei.commitments) == 9


# --------------------------------------------------------------------------- synthetic replies


def test_reply_without_contacts_and_with_only_a_printing_date():
    draft = parse_reply(
        "关于区十七届人大三次会议第12号代表建议的答复\n王某代表：\n您提出的“关于增设公交线路的建议”收悉。"
        "下一步，我局将于2026年3月底前完成线路调整。\n特此答复。\n抄送：区人大常委会代表工委。\n2025年11月3日印发"
    )
    assert (draft.meeting, draft.proposal_number, draft.proposers) == ("区十七届人大三次会议", "第12号", "王某代表")
    assert draft.title == "关于增设公交线路的建议"
    assert (draft.contact_name, draft.contact_phone, draft.contact_address) == (None, None, None)
    assert draft.reply_date == date(2025, 11, 3) and draft.printed_on == date(2025, 11, 3)
    assert "未找到落款日期，已用印发日期代替。" in draft.warnings
    assert [(c.text, c.due_hint) for c in draft.commitments] == [
        ("下一步，我局将于2026年3月底前完成线路调整。", "2026年3月底")
    ]
    assert draft.body.endswith("特此答复。")


def test_contacts_on_one_line_and_relative_due_hints():
    draft = parse_reply(
        "对市政协十四届二次会议第0101号提案的答复\n张三委员：\n您的提案收悉。我们计划在一季度启动试点，年底前完成评估。\n"
        "某某局\n2025年6月1日\n联系人：李四  联系电话：021-12345678  联系地址：某路1号 邮编：200000"
    )
    assert (draft.issuer, draft.reply_date) == ("某某局", date(2025, 6, 1))
    assert (draft.contact_name, draft.contact_phone, draft.contact_address, draft.postal_code) == (
        "李四",
        "021-12345678",
        "某路1号",
        "200000",
    )
    # 一季度 is already past in June, so it must mean next year.
    assert [c.due_hint for c in draft.commitments] == ["2026年一季度"]


def test_plan_text_is_not_mistaken_for_a_reply():
    draft = parse_reply(PLAN)
    assert draft.proposal_number is None and draft.meeting is None
    assert "未识别到提案编号。" in draft.warnings


def test_internal_errors_degrade_to_unplaced(monkeypatch):
    def broken(text):
        raise RuntimeError("boom")

    monkeypatch.setattr(reply_parser, "read_reply", broken)
    draft = parse_reply("第一段\n\n第二段")
    assert draft.unplaced == ["第一段", "第二段"] and draft.warnings


def test_to_dict_is_json_ready(pukewei):
    data = pukewei.to_dict()
    assert data["reply_date"] == "2025-05-12"
    assert data["commitments"][0] == {"text": pukewei.commitments[0].text, "due_hint": None}
    assert json.loads(json.dumps(data)) == data


# --------------------------------------------------------------------------- robustness

LINES = [line for text in (HUKETIFU, PUKEWEI, PLAN) for line in text.split("\n")]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_any_text(text):
    json.dumps(read_reply(text).to_dict(), ensure_ascii=False)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), max_size=40), st.sampled_from(["\n", "\n\n"]))
def test_never_raises_on_shuffled_real_lines(lines, separator):
    draft = read_reply(separator.join(lines))
    json.dumps(draft.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("text", ["", "：", "联系人：", "2025年6月25日", "对第号提案的答复", "抄送：", "\n" * 5])
def test_degenerate_inputs(text):
    assert isinstance(read_reply(text), ReplyDraft)
