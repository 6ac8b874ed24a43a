"""The layouts real offices publish (tests/imports/real_corpus/), one test per failure kind of issue 26.

Each test reads a published document as an upload would (``extract_text`` then the draft payload) and checks
what a coordinator sees in the review: the tasks, their lead and cooperating units, due dates, groups.
"""
from __future__ import annotations

import importlib.util
import json

import pytest

from bench.import_score import REAL_CORPUS, documents, document_percent, read_actual, real_score
from tracker.imports.documents import extract_text
from tracker.imports.drafts import build_payload
from tracker.imports.reader import parse_plan

REAL = documents(REAL_CORPUS)


def payload(name: str) -> dict:
    path = REAL_CORPUS / name
    return build_payload("plan", extract_text(path.name, path.read_bytes()), with_database=False)


def draft(name: str):
    path = REAL_CORPUS / name
    return parse_plan(extract_text(path.name, path.read_bytes()))


def tasks(name: str) -> dict[str, dict]:
    return {task["number"]: task for task in read_actual(REAL_CORPUS / name)["tasks"]}


def test_corpus_files_are_what_build_py_writes_and_each_has_its_source():
    spec = importlib.util.spec_from_file_location("real_build", REAL_CORPUS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build()
    assert sorted(built) == sorted(path.name for path in REAL)
    for name, content in built.items():
        assert (REAL_CORPUS / name).read_bytes() == content, f"{name}: run python tests/imports/real_corpus/build.py"
    readme = (REAL_CORPUS / "README.md").read_text(encoding="utf-8")
    for path in REAL:
        wanted = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert wanted["source"] in readme and path.name in readme
    places = {json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))["place"] for p in REAL}
    # issue 26 asks for at least 25 documents from at least 10 places, at least 10 of them tables
    assert len(REAL) >= 30 and len(places) >= 27
    assert len([p for p in REAL if p.suffix in (".xlsx", ".docx")]) >= 10


@pytest.mark.parametrize("path", REAL, ids=[path.name for path in REAL])
def test_every_document_reads_as_its_expected_json(path):
    result = real_score(path)
    assert not result.problems
    assert document_percent(result) == 100.0


# 1. A table whose task column has a header the reader does not know ------------------------------------------

def test_unknown_task_column_headers_still_give_every_row_as_a_task():
    dazhu = tasks("02-dazhu-minsheng-2016.docx")  # 序号 民生实事 责任单位 完成时限
    assert len(dazhu) == 10 and dazhu["2"]["title"] == "新建2座人行天桥"
    zhonglou = tasks("03-zhonglou-minsheng-2021.xlsx")  # 项目名称 主要内容 区政府分管领导 牵头单位 配合单位
    assert [t["title"] for t in zhonglou.values()] == ["增加教育资源供给", "促进就业稳定增长", "老城厢复兴发展", "优化养老服务"]
    jiaxing = tasks("04-jiaxing-zhongdian-2023.docx")  # 主 要 工 作 任 务, written with spaces
    assert jiaxing["1"]["lead_unit"] == "市发展改革委"
    for name in ("02-dazhu-minsheng-2016.docx", "03-zhonglou-minsheng-2021.xlsx"):
        assert not any("\t" in target["name"] for target in payload(name)["targets"])
        assert "未识别到任何任务，请检查文档结构或手工录入。" not in payload(name)["warnings"]


# 2. Rows merged down stay one task; task rows need no 序号 ------------------------------------------------------

def test_a_row_merged_down_is_one_task_with_both_rows():
    zhonglou = tasks("03-zhonglou-minsheng-2021.xlsx")  # item 3: two 主要内容 rows under one 序号 and 项目名称
    assert list(zhonglou) == ["1", "2", "3", "4"]
    assert zhonglou["3"]["lead_unit"] == "文体旅局" and "住建局" in zhonglou["3"]["cooperating_units"]
    text = next(t for t in draft("03-zhonglou-minsheng-2021.xlsx").tasks if t.number == "3").text
    assert "瞿秋白纪念馆整体提升工程" in text and "大庙弄核心区改造" in text
    dazhu = tasks("02-dazhu-minsheng-2016.docx")  # item 5: 老年养护楼 (5月底前) and 老年大学 (12月底前)
    assert dazhu["5"]["due"] == "2016-12-31" and list(dazhu) == [str(n) for n in range(1, 11)]


# 3. Header words for cooperating units, headers broken across lines ---------------------------------------------

def test_cooperating_header_words_and_headers_broken_across_lines():
    chongchuan = tasks("05-chongchuan-minsheng-2023.xlsx")  # 牵头\n单位, 分管\n领导, 责任主体与协同单位
    assert chongchuan["25"]["lead_unit"] == "城管局"
    assert chongchuan["25"]["cooperating_units"] == ["市政局", "环卫处", "崇川经济开发区", "各街道"]
    # the progress columns (1-10月推进情况 …) are not read as the task or its units
    assert chongchuan["24"]["title"] == "优化提升50条背街后巷交通组织"


# 4. Units in a bracket at the end of the item ------------------------------------------------------------------

def test_units_in_a_bracket_at_the_end_of_the_item():
    hangzhou = tasks("09-hangzhou-hulianwang-2015.txt")  # (牵头单位:市科委,配合单位:各区县市)
    assert (hangzhou["1"]["lead_unit"], hangzhou["1"]["cooperating_units"]) == ("市科委", ["各区县市"])
    xian = tasks("11-xian-weimin-2025.txt")  # (市人社局、市财政局): the units alone, the first leads
    assert (xian["1"]["lead_unit"], xian["1"]["cooperating_units"]) == ("市人社局", ["市财政局"])
    weihai = tasks("14-weihai-shuzi-2023.txt")  # (牵头单位:…;责任单位:…。以下任务均需…落实,不再一一列出)
    assert weihai["1"]["lead_unit"] == "市行政审批服务局"
    assert weihai["1"]["cooperating_units"] == ["市直有关部门、单位", "各区市政府", "开发区管委"]
    assert "网上办事大厅" in next(t for t in draft("14-weihai-shuzi-2023.txt").tasks).text
    xianan = tasks("15-xianan-zhongdian-2023.txt")  # (责任领导:杜新国;牵头单位:区发改局), under the targets heading
    assert len(xianan) == 12 and xianan["1"]["lead_unit"] == "区发改局"
    assert [t.leader for t in draft("15-xianan-zhongdian-2023.txt").tasks][:2] == ["杜新国", "杜新国"]
    assert "牵头单位" not in next(t for t in draft("14-weihai-shuzi-2023.txt").tasks).text


# 5. 下同 and "列第一位者为牵头单位" notes; leaders kept ---------------------------------------------------------

def test_notes_in_unit_lists_are_no_units_and_leaders_are_kept_in_the_draft():
    huzhou = tasks("08-huzhou-zhongdian-2020.txt")
    assert huzhou["1"]["lead_unit"] == "市经信局"
    assert huzhou["1"]["cooperating_units"][-1] == "市税务局"
    chuzhou = draft("12-chuzhou-zhongdian-2020.txt")
    assert [t.leader for t in chuzhou.tasks] == ["金力", "金力", "金力"]  # 牵头负责领导:金力。
    assert [t.leader for t in draft("01-huoshan-kaifaqu-2025.xlsx").tasks] == ["叶林", "马振明", "张云峰"]


# 6. Items under a targets heading with their own units are tasks; figures inside a task are no targets -----------

def test_items_with_units_under_a_targets_heading_are_tasks_not_stray_targets():
    for name, count in (("06-caidian-mubiao-2023.txt", 3), ("07-lishan-fengong-2023.txt", 6),
                        ("12-chuzhou-zhongdian-2020.txt", 3)):
        read = payload(name)
        assert len(read["tasks"]) == count
        # a figure is an indicator only as the target of its own task, reported by that task's lead unit
        assert all(target["task_number"] for target in read["targets"]), read["targets"]
    zhonglou = payload("03-zhonglou-minsheng-2021.xlsx")
    assert not [t for t in zhonglou["targets"] if "幼儿园" in t["name"]]  # "其中幼儿园7个" is part of task 1


# 7. Names with brackets are not split inside them --------------------------------------------------------------

def test_names_with_brackets_and_levels_are_not_split():
    assert tasks("10-yuncheng-yingji-2017.txt")["1"]["cooperating_units"] == ["各县（市、区）人民政府", "各开发区管委会"]
    assert tasks("13-xuchang-zhongdian-2020.txt")["1"]["cooperating_units"] == ["市卫生健康委", "各县（市、区）政府（管委会）"]
    assert tasks("12-chuzhou-zhongdian-2020.txt")["2"]["cooperating_units"][-1] == "各县、市、区政府"


# 8. A table's header row is not the title; a 一、 heading is its items' group -------------------------------------

def test_title_is_the_line_above_the_table_and_a_part_heading_groups_its_items():
    chongchuan = payload("05-chongchuan-minsheng-2023.xlsx")
    assert chongchuan["title"] == "2023年区政府重点民生实事项目推进情况（1-11月）"
    huoshan = payload("01-huoshan-kaifaqu-2025.xlsx")
    assert huoshan["title"] == "2025年开发区重点工作及责任清单" and "序号" not in huoshan["title"]
    lishan = tasks("07-lishan-fengong-2023.txt")
    assert {t["group"] for t in lishan.values()} == {"经济社会发展的主要预期目标"}
    assert tasks("08-huzhou-zhongdian-2020.txt")["1"]["group"] == "王纲市长主抓重点工作"


# 9. Several lead units one per line; dates without a year ------------------------------------------------------

def test_several_units_one_per_line_and_dates_without_a_year():
    dazhu = tasks("02-dazhu-minsheng-2016.docx")
    assert (dazhu["1"]["lead_unit"], dazhu["1"]["cooperating_units"]) == ("县水务局", ["县住建局", "县护城河指挥部"])
    assert [dazhu[n]["due"] for n in ("1", "2", "4")] == ["2016-12-31", "2016-09-30", "2016-05-31"]
    zhonglou = tasks("03-zhonglou-minsheng-2021.xlsx")
    assert zhonglou["1"]["cooperating_units"] == ["经开区", "高新园(邹区镇)", "各街道", "市国有公司"]
    xianan = tasks("15-xianan-zhongdian-2023.txt")  # 牵头单位:区财政局、区税务局: the first leads, the other co-leads
    assert (xianan["6"]["lead_unit"], xianan["6"]["cooperating_units"]) == ("区财政局", ["区税务局"])
    # a plan whose title has no year takes it from its cover text ("2020年重点工作任务")
    assert tasks("13-xuchang-zhongdian-2020.txt")["2"]["due"] == "2020-12-31"


# 10. Documents 16-19 (added unseen, measured before the reader was changed) ------------------------------------

def test_a_list_flattened_into_one_paragraph_is_read_item_by_item():
    """宁波: "…公示。 1.…。 牵头领导:… 责任单位:… 项目责任人:… 配合单位:… 实际完成情况:… 2.…" on one line."""
    ningbo = tasks("17-ningbo-minsheng-2014.txt")
    assert sorted(ningbo) == ["1", "2", "3"]
    assert (ningbo["2"]["lead_unit"], ningbo["2"]["cooperating_units"]) == ("市公安局", ["市城管局", "市财政局"])
    # the table cells glued after item 3's units ("各区政府 鄞州 海曙…合计…") are no units
    assert ningbo["3"]["cooperating_units"] == ["市公安局", "市城管局", "各区政府"]
    assert ningbo["1"]["title"] == "轨道交通1号线一期工程投入试运营" and ningbo["1"]["due"] == "2014-12-31"


def test_an_offices_own_sections_label_its_units():
    wuhu = tasks("18-wuhu-jiaoyu-2024.txt")["1"]
    assert (wuhu["lead_unit"], wuhu["cooperating_units"]) == ("组干科", ["机关党委"])
    assert wuhu["title"] == "加强思想理论武装"


def test_a_notice_without_its_title_line_ends_at_the_attachment_mark():
    qinxian = draft("19-qinxian-renwu-2025.txt")
    assert qinxian.title == "2025年县政府工作报告任务清单"
    assert [t.number for t in qinxian.tasks] == ["1", "2", "3"]
    found = tasks("19-qinxian-renwu-2025.txt")
    assert {t["due"] for t in found.values()} == {"2025-12-31"}
    assert {t["lead_unit"] for t in found.values()} == {"县示范区管委会"}


def test_a_lead_given_once_in_the_group_heading_is_inherited_by_its_items():
    """一、县示范区管委会牵头工作（8项）: the items below name no unit; each is led by the heading's unit, and the
    heading is their group, not a task."""
    found = tasks("19-qinxian-renwu-2025.txt")
    assert [(number, task["lead_unit"], task["cooperating_units"]) for number, task in found.items()] == [
        ("1", "县示范区管委会", []), ("2", "县示范区管委会", []), ("3", "县示范区管委会", [])]
    assert {task["group"] for task in found.values()} == {"县示范区管委会牵头工作（8项）"}
    assert all("牵头工作" not in task["title"] for task in found.values())


def test_a_long_task_cell_is_named_by_its_first_clause():
    cangnan = tasks("16-cangnan-minsheng-2022.xlsx")
    assert cangnan["12"]["title"] == "完成县应急广播指挥中心、18个乡镇应急广播分控中心、376个村居广播室和752只可控IP化高音喇叭建设"
    assert cangnan["12"]["due"] == "2022-12-31" and cangnan["1"]["lead_unit"] == "县教育局"


def test_a_project_on_several_rows_named_by_a_numbered_name_column_is_one_task():
    """新昌: no 序号 column; "1.城市人居环境提升项目" merged down over six rows, each with its own date and unit."""
    xinchang = tasks("20-xinchang-minsheng-2021.xlsx")
    assert sorted(xinchang, key=int) == ["1", "2", "3", "4", "5"]
    first = xinchang["1"]
    assert first["title"] == "城市人居环境提升项目"
    assert (first["lead_unit"], first["cooperating_units"]) == ("建设局", ["城投集团", "经开区"])
    assert first["due"] == "2021-12-31"  # "11月", "2021.8", "2021.12", "2021年11月": the latest
    assert xinchang["5"]["due"] == "2021-12-31"  # "1.2021年8月 2.2021年12月" in one cell


def test_a_note_line_above_a_table_is_not_its_title_and_部门_headers_spaced_out_are_read():
    """上城: "2019年《政府工作报告》目标任务分解表", then "(注:A类指责任目标…)", then 牵 头 部 门 / 配 合 部 门."""
    shangcheng = payload("21-shangcheng-mubiao-2019.docx")
    assert shangcheng["title"] == "2019年《政府工作报告》目标任务"  # the table's title, its 分解表 dropped as for every table
    task = tasks("21-shangcheng-mubiao-2019.docx")["1"]
    assert (task["title"], task["lead_unit"], task["due"]) == ("地区生产总值", "区发改经信局", "2019-12-31")
    assert task["cooperating_units"][-1] == "各街道办事处" and len(task["cooperating_units"]) == 8


def test_a_unit_label_inside_the_items_sentence_and_a_ranking_that_is_no_task():
    """六安: "1、学前教育促进，牵头单位：市教体局。其中，…" under a part whose "1、金寨县；2、金安区；…" is a ranking."""
    luan = tasks("22-luan-minsheng-2021.txt")
    assert sorted(luan) == ["1", "2", "3"]
    assert (luan["1"]["title"], luan["1"]["lead_unit"], luan["1"]["due"]) == ("学前教育促进", "市教体局", "2021-12-31")
    earlier = tasks("23-luan-minsheng-2017.txt")  # 牵头部门, "2017年民生工程" for the year
    assert (earlier["6"]["title"], earlier["6"]["lead_unit"], earlier["6"]["due"]) == ("棚户区改造", "市住建委", "2017-12-31")


# 11. Documents 25-28 (added unseen, measured before the reader was changed) ------------------------------------

def test_a_header_on_two_rows_and_groups_numbered_一_二_三_merged_down():
    """新建: 项目名称 over two columns, 本月进展情况 over 前期手续 / 在建形象进度; 一/二/三 with the lead unit and
    "区政府民生实事项目(N个)" merged down; (一)(二)(三) restarting in each group; a project's parts on rows of their own."""
    xinjian = tasks("25-xinjian-minsheng-2024.xlsx")
    assert list(xinjian) == ["1.（一）", "2.（一）", "2.（二）", "2.（三）", "3.（一）", "3.（二）"]
    first = xinjian["1.（一）"]
    assert first["title"] == "“打通断头路 畅通微循环”攻坚专项行动(6条路)"
    assert first["group"] == "区政府民生实事项目(1个)"
    assert (first["lead_unit"], first["cooperating_units"]) == ("区住建局", ["区城投", "区城管局", "长堎街道"])
    # the second header row ("在建形象进度") is no due date, and no row of the header is a task
    assert {task["due"] for task in xinjian.values()} == {"2024-12-31"}
    text = next(t for t in draft("25-xinjian-minsheng-2024.xlsx").tasks if t.number == "1.（一）").text
    assert "文化中心北路" in text and "新坊路西接兴国路工程" in text
    # "区城管局 区水投" is two units; a bracket saying how a unit works is no part of its name
    assert xinjian["2.（三）"]["cooperating_units"] == ["区水投"]
    assert xinjian["3.（二）"]["cooperating_units"] == ["南昌市政大道房地产有限公司", "区城投公司"]


def test_a_group_row_across_the_table_names_its_leaders_and_a_star_is_no_part_of_the_title():
    """郧阳: "一、主要经济社会发展指标…等工作目标(牵头领导:成坤、柯相国、王俊)" across the table, "★地区生产总值增长15%"."""
    task = tasks("26-yunyang-mubiao-2023.docx")["1"]
    assert task["title"] == "地区生产总值增长15%"
    assert task["group"].endswith("安全生产等工作目标") and "牵头领导" not in task["group"]
    assert [t.leader for t in draft("26-yunyang-mubiao-2023.docx").tasks] == ["成坤、柯相国、王俊"]
    assert (task["lead_unit"], task["due"]) == ("区发改局", "2023-12-31")


def test_units_in_square_brackets_and_a_long_first_sentence_named_by_its_first_clause():
    """下陆: "…[牵头单位:区卫健局、区创文办;责任单位:…各街办(新区)]", the notice's title broken over three lines."""
    xialu = tasks("27-xialu-zhongdian-2020.txt")
    assert xialu["2"]["title"] == "以爱国卫生运动和文明城市创建为抓手"
    assert xialu["2"]["lead_unit"] == "区卫健局"
    assert xialu["2"]["cooperating_units"][0] == "区创文办"  # the second lead unit co-leads
    assert xialu["1"]["cooperating_units"] == ["区疫情防控指挥部成员单位", "各街办（新区）"]
    assert {t["group"] for t in xialu.values()} == {"坚持常态化疫情防控"}
    assert {t["due"] for t in xialu.values()} == {"2020-12-31"}


def test_a_heading_naming_the_leader_who_leads_is_the_group_not_a_unit():
    """长兴: "一、朱伟县长牵头重点工作" over "1.…。 责任单位:县财政局。"."""
    task = tasks("28-changxing-zhongdian-2023.txt")["1"]
    assert (task["group"], task["lead_unit"], task["cooperating_units"]) == ("朱伟县长牵头重点工作", "县财政局", [])


def test_a_unit_list_sharing_its_last_word_and_a_notice_dated_the_year_before():
    """监利: "(牵头单位:市发改局;责任单位:市统计局,各乡、镇人民政府,人民大垸、荒湖管理区,监利经济开发区)", sent in 2021."""
    jianli = tasks("29-jianli-zhongdian-2022.txt")
    assert jianli["1"]["cooperating_units"] == ["市统计局", "各乡、镇人民政府", "人民大垸管理区", "荒湖管理区", "监利经济开发区"]
    assert {t["due"] for t in jianli.values()} == {"2022-12-31"}
    assert [jianli[n]["group"] for n in ("4", "5")] == ["主要经济指标", "活力后劲指标"]
    # an office's short name before a longer name ending in an area word keeps its own ("市人行")
    assert tasks("12-chuzhou-zhongdian-2020.txt")["2"]["cooperating_units"][2] == "市人行"


# 12. Document 30 (added unseen, measured before the reader was changed: 0 %) ------------------------------------

def test_a_one_task_form_labels_in_the_first_column_milestones_per_quarter():
    """光明新区: one 民生实事 on its own page — the project named alone under the category line, 牵头单位 / 协办单位
    lines, 进度安排 with a line per quarter, then 落实情况 with a line per quarter. One task, its quarters its
    milestones; what was done is no milestone, and "2个基地" in it is no indicator target."""
    name = "30-guangming-minsheng-2017.txt"
    read = payload(name)
    assert [task["title"] for task in read["tasks"]] == ["内衣基地、模具基地绿化景观提升工程"]
    task = tasks(name)["1"]
    assert task["lead_unit"] == "新区城市管理局"
    assert task["cooperating_units"] == ["新区审计局", "新区发展和财政局", "马田办事处"]
    assert task["due"] == "2017-12-31"
    assert task["milestones"] == [{"title": "完成设计招标工作", "due": "2017-03-31"},
                                  {"title": "完成设计方案，编制概预算", "due": "2017-06-30"},
                                  {"title": "完成设计施工图纸，进行施工招标", "due": "2017-09-30"},
                                  {"title": "完成概预算审批，进行施工招标", "due": "2017-12-31"}]
    assert read["targets"] == []
    assert read["title"] == "光明新区2017年民生实事：公园建设和环境提升（7项）"
    # the reported quarters stay in the task's text for the reviewer
    assert "第二季度：2个基地绿化景观提升项目设计方案仍需优化调整" in read["tasks"][0]["text"]


def test_only_a_one_task_form_gives_milestones():
    """Every other real and written document keeps its tasks without milestones: a plan repeats its unit labels
    item by item, and quarters written inside a task's text are no form."""
    from bench.import_score import CORPUS

    for path in [*REAL, *documents(CORPUS)]:
        if path.name.startswith("30-guangming"):
            continue
        assert all(not task["milestones"] for task in read_actual(path)["tasks"]), path.name


@pytest.mark.parametrize("text", [
    # quarters as rows, the task named by a label, percentages as the milestones, the units in cells
    "2024年重点工作任务推进表\n任务名称\t建成区级养老服务中心\n责任领导\t张三\n牵头单位\t区民政局\n配合单位\t区财政局、区住建局\n"
    "完成时限\t2024年12月底\n一季度\t20%\n二季度\t50%\n三季度\t90%\n四季度\t100%",
    # quarters as columns over a row of values
    "2024年重点工作任务推进表\n工作任务\t建成区级养老服务中心\n牵头单位\t区民政局\n配合单位\t区财政局、区住建局\n"
    "完成时限\t2024年12月底\n一季度\t二季度\t三季度\t四季度\n20%\t50%\t90%\t100%",
])
def test_a_one_task_form_written_as_a_table_with_quarter_rows_or_columns(text):
    """The same form as a sheet: labels in the first column, the quarters as rows or as columns."""
    read = build_payload("plan", text, with_database=False)
    assert len(read["tasks"]) == 1 and read["targets"] == []
    task = read["tasks"][0]
    assert task["title"] == "建成区级养老服务中心"
    assert task["assignment"]["lead_unit"] == "区民政局"
    assert task["assignment"]["cooperating_units"] == ["区财政局", "区住建局"]
    assert task["due_on"] == "2024-12-31"
    assert [(m["title"], m["due_on"]) for m in task["milestones"]] == [
        ("一季度完成20%", "2024-03-31"), ("二季度完成50%", "2024-06-30"), ("三季度完成90%", "2024-09-30"),
        ("四季度完成100%", "2024-12-31")]


def test_a_plan_with_parts_and_a_quarterly_schedule_is_no_one_task_form():
    """A 方案 naming its lead once and scheduling its work by quarter keeps its items as tasks."""
    text = ("2024年全民健身工作方案\n一、主要任务\n1.新建社区健身点10个。\n2.举办全民健身运动会。\n二、进度安排\n"
            "第一季度：制定方案。\n第二季度：组织实施。\n三、组织保障\n牵头单位：区文体局\n配合单位：各街道")
    read = build_payload("plan", text, with_database=False)
    assert [task["number"] for task in read["tasks"]] == ["1", "2"]
    assert all(not task.get("milestones") for task in read["tasks"])


def test_a_one_task_form_uploaded_as_a_sheet_reads_the_same():
    """An .xlsx of two columns, labels in the first, the quarters as rows: one task, four milestones."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    for row in (["2024年重点工作任务推进表", None], ["任务名称", "建成区级养老服务中心"], ["牵头单位", "区民政局"],
                ["配合单位", "区财政局、区住建局"], ["一季度", "完成选址"], ["二季度", "开工建设"], ["三季度", "主体完工"],
                ["四季度", "投入使用"]):
        workbook.active.append(row)
    workbook.active.merge_cells("A1:B1")
    data = io.BytesIO()
    workbook.save(data)
    read = build_payload("plan", extract_text("form.xlsx", data.getvalue()), with_database=False)
    assert read["title"] == "2024年重点工作任务推进表" and len(read["tasks"]) == 1
    task = read["tasks"][0]
    assert (task["title"], task["assignment"]["lead_unit"], task["due_on"]) == ("建成区级养老服务中心", "区民政局", "2024-12-31")
    assert [(m["title"], m["due_on"]) for m in task["milestones"]] == [
        ("完成选址", "2024-03-31"), ("开工建设", "2024-06-30"), ("主体完工", "2024-09-30"), ("投入使用", "2024-12-31")]
