"""Builds the import corpus: plan documents in the layouts offices circulate, each with its expected result.

Every document here was written for the project in the style of public 政府 documents (original text, no real
plan copied). The data below is the single source: each document is rendered from it into its layout (.txt in
UTF-8 or GB18030, .docx with paragraphs or tables, .xlsx with merged cells, group rows or several sheets) and
its expected JSON is written beside it from the same data. Run ``python tests/imports/corpus/build.py`` after
changing anything here and commit the generated files with it; tests/imports/test_corpus.py fails when a
generated file no longer matches this script.

Expected ``due``: an ISO date, ``recurring:<cycle>`` (每季度 …) or ``open`` (长期坚持: no fixed date).
"""
from __future__ import annotations

import io
import json
import sys
import zipfile
from datetime import date
from pathlib import Path

import docx
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # zip entries get a fixed time so that rebuilding gives the same bytes

QUARTERLY_30 = {"cycle": "quarterly", "day": 30, "month_in_quarter": 3}


def task(number, title, lead, cooperating=(), due=None, written_due=None, group=None, text=None, lead_as=None):
    """``lead_as``: how the document writes the lead when it differs from the expected name (e.g. with （牵头）)."""
    return {"number": str(number), "title": title, "lead_unit": lead, "cooperating_units": list(cooperating),
            "due": due, "written_due": written_due, "group": group, "text": text or ""}


# ------------------------------------------------------------------------------------------------ documents

DOCUMENTS: list[dict] = []

# 1. prose plan (UTF-8): red header, cover notice without numbered paragraphs, bracket assignments
DOCUMENTS.append({
    "file": "01-prose-action-plan.txt", "layout": "prose plan", "encoding": "utf-8",
    "title": "青浦区促进数字经济高质量发展行动方案（2026—2027年）", "doc_number": "青府发〔2026〕8号",
    "issuer": "上海市青浦区人民政府", "issued": "2026年2月10日", "reporting": QUARTERLY_30,
    "period_end": "2027-12-31",
    "goals": "到2027年，全区数字经济核心产业增加值达到260亿元，培育数字化转型标杆企业不少于30家，建成5G基站3000个。",
    "targets": [{"name": "全区数字经济核心产业增加值", "value": 260, "unit": "亿元"},
                {"name": "数字化转型标杆企业", "value": 30, "unit": "家"},
                {"name": "5G基站", "value": 3000, "unit": "个"}],
    "groups": ["夯实数字基础设施", "推动产业数字化转型", "优化数字经济发展环境"],
    "tasks": [
        task(1, "加快新型网络设施建设", "区经委", ["区规划资源局", "区数据局"], "2027-12-31", group=0,
             text="推进千兆光网和5G网络深度覆盖，重点园区实现无线网络连续覆盖。"),
        task(2, "布局算力基础设施", "区数据局", ["区发改委"], "2027-12-31", group=0,
             text="统筹建设绿色数据中心和边缘计算节点，探索算力资源统一调度。"),
        task(3, "实施制造业数字化改造", "区经委", ["区科委", "区财政局"], "2027-12-31", group=1,
             text="支持规模以上工业企业开展智能化改造，每年推出一批智能工厂。"),
        task(4, "培育数字服务新业态", "区商务委", ["区金融办"], "2027-12-31", group=1,
             text="发展数字贸易和在线服务，引进一批平台型企业总部。"),
        task(5, "完善数据要素流通机制", "区数据局", ["区发改委", "区金融办"], "2027-12-31", group=2,
             text="探索公共数据授权运营，推动数据产品登记和交易。"),
        task(6, "加强数字人才引育", "区人社局", ["区教育局", "区科委"], "2027-12-31", group=2,
             text="落实人才安居和子女就学政策，建设数字技能实训基地。"),
    ],
})

# 2. prose plan in GB18030
DOCUMENTS.append({
    "file": "02-prose-plan-gb18030.txt", "layout": "GB18030 text", "encoding": "gb18030",
    "title": "朱家角镇2026年人居环境整治提升工作方案", "doc_number": "朱府发〔2026〕3号",
    "issuer": "青浦区朱家角镇人民政府", "issued": "2026年3月2日",
    "reporting": {"cycle": "monthly", "day": 25, "month_in_quarter": None}, "period_end": "2026-12-31",
    "goals": "到2026年底，美丽庭院创建达到1200户，农村生活污水处理率达到95%。",
    "targets": [{"name": "美丽庭院创建", "value": 1200, "unit": "户"},
                {"name": "农村生活污水处理率", "value": 95, "unit": "%"}],
    "groups": ["整治村容村貌", "完善基础设施"],
    "tasks": [
        task(1, "开展违法建筑专项整治", "朱家角镇", ["区规划资源局"], "2026-12-31", group=0,
             text="对存量违法建筑建立台账，分批拆除，拆后土地及时复绿。"),
        task(2, "推进河道综合治理", "区生态环境局", ["朱家角镇"], "2026-12-31", group=0,
             text="实施河道轮疏，清除水面漂浮物，落实河长巡河制度。"),
        task(3, "提升农村生活污水处理水平", "区生态环境局", ["区财政局"], "2026-12-31", group=1,
             text="完成老旧污水处理设施改造，建立第三方运维考核机制。"),
        task(4, "完善垃圾分类收运体系", "朱家角镇", [], "2026-12-31", group=1,
             text="优化湿垃圾就地处理站点布局，实现分类收运全覆盖。"),
    ],
})

# 3. per-item assignment lines under a targets heading (the 0-task case of the issue)
DOCUMENTS.append({
    "file": "03-items-under-targets-heading.txt", "layout": "per-item assignment lines",
    "title": "青浦区2026年国民经济和社会发展计划重点工作任务分解和责任分工方案", "doc_number": None,
    "issuer": "青浦区人民政府办公室", "issued": "2026年1月28日", "reporting": None, "period_end": "2026-12-31",
    "goals_items": [
        task(1, "地区生产总值增长5.5%左右", "区发改委", ["区统计局"], "2026-12-31",
             text="地区生产总值增长5.5%左右。"),
        task(2, "规模以上工业总产值达到1900亿元", "区经委", ["区发改委", "各街道"], "2026-12-31",
             text="规模以上工业总产值达到1900亿元。"),
        task(3, "新增就业岗位不少于1.2万个", "区人社局", ["各镇", "各街道"], "2026-12-31",
             text="新增就业岗位不少于1.2万个。"),
    ],
    "targets": [{"name": "地区生产总值增长", "value": 5.5, "unit": "%", "task_number": "1", "lead_unit": "区发改委"},
                {"name": "规模以上工业总产值", "value": 1900, "unit": "亿元", "task_number": "2",
                 "lead_unit": "区经委"},
                {"name": "新增就业岗位", "value": 1.2, "unit": "万个", "task_number": "3", "lead_unit": "区人社局"}],
    "groups": ["扩大有效投资", "提升城市品质"],
    "tasks": [
        task(4, "加快重大项目建设", "区发改委", ["区规划资源局", "区建管委"], "2026-06-30", "2026年6月底前", group=0,
             text="滚动实施重大项目清单，确保年度投资计划按期完成。"),
        task(5, "扩大民间投资", "区发改委", ["区金融办", "各相关单位"], "2026-12-31", "2026年12月", group=0,
             text="定期向民间资本推介项目，落实民间投资项目审批绿色通道。"),
        task(6, "推进老旧小区综合改造", "区建管委", ["各街道"], "2026-09-30", "2026年9月底前", group=1,
             text="完成30个老旧小区综合改造，同步加装电梯。"),
        task(7, "深化城市精细化管理", "区绿化市容局", ["区城管执法局", "各镇"], "open", "长期坚持", group=1,
             text="推进网格化管理全覆盖，开展市容环境常态化治理。"),
    ],
})

# 4. per-item lines with aliases, lists separated by 、 and ，, and 各相关单位
DOCUMENTS.append({
    "file": "04-items-with-unit-aliases.txt", "layout": "per-item assignment lines",
    "title": "青浦区2026年优化营商环境重点工作安排", "doc_number": "青营商办〔2026〕2号",
    "issuer": "青浦区优化营商环境工作领导小组办公室", "issued": "2026年2月20日",
    "reporting": {"cycle": "monthly", "day": 5, "month_in_quarter": None}, "period_end": "2026-12-31",
    "groups": ["提升政务服务效能", "强化要素保障"],
    "tasks": [
        task(1, "深化一网通办改革", "区数据局", ["区发展和改革局", "区市场监管局"], "2026-06-30", "2026年6月底前", group=0,
             text="推进高频事项全程网办，企业开办一个环节一天办结。"),
        task(2, "推行涉企事项免申即享", "区发改局", ["区财政局", "区人社局"], "recurring:quarterly", "每季度", group=0,
             text="梳理惠企政策清单，符合条件的企业无需申请即可享受。"),
        task(3, "保障重点产业项目用地", "区规划资源局", ["各相关单位"], "2026-10-31", "2026年10月底前", group=1,
             text="优先保障重点产业项目用地指标，推行标准地出让。"),
        task(4, "拓宽企业融资渠道", "区金融办", ["区财政局", "区商务委"], "open", "持续推进", group=1,
             text="开展银企对接活动，扩大政府性融资担保覆盖面。"),
    ],
})

# 5. cover notice with its own 一、二、三, then the plan with per-item lines (text)
DOCUMENTS.append({
    "file": "05-cover-notice-and-plan.txt", "layout": "cover notice plus breakdown",
    "title": "青浦区2026年主要目标任务责任分解方案", "doc_number": "青府办发〔2026〕15号",
    "issuer": "上海市青浦区人民政府办公室", "issued": "2026年3月6日", "reporting": QUARTERLY_30,
    "period_end": "2026-12-31",
    "notice": [
        "一、提高思想认识。各单位要把目标任务完成情况作为检验工作成效的重要标准，主要领导亲自抓、负总责。",
        "二、细化工作举措。各牵头单位要会同责任单位制定具体推进计划，明确时间表和路线图。",
        "三、按时报送进展。请各牵头单位于每季度最后一个月的30日前，将目标任务推进情况报区政府督查室。",
    ],
    "groups": ["推动经济平稳增长", "保障和改善民生"],
    "tasks": [
        task(1, "稳定工业经济运行", "区经委", ["区发改委", "区统计局"], "2026-12-31", "2026年底前", group=0,
             text="建立重点企业监测机制，加强要素保障和问题协调。"),
        task(2, "扩大消费需求", "区商务委", ["区文旅局"], "2026-11-30", "2026年11月底前", group=0,
             text="举办消费节庆活动，培育夜间经济集聚区。"),
        task(3, "实施就业优先政策", "区人社局", ["区教育局", "区财政局"], "recurring:monthly", "每月", group=1,
             text="落实稳岗返还和一次性扩岗补助，做好高校毕业生就业服务。"),
        task(4, "提升基层医疗服务能力", "区卫健委", ["金泽镇", "朱家角镇"], "2026-09-30", "2026年三季度", group=1,
             text="推进社区卫生服务中心标准化建设，完善家庭医生签约服务。"),
    ],
})

# 6. cover notice with 一、二、三 and the breakdown as a Word table (group rows merged across)
DOCUMENTS.append({
    "file": "06-notice-with-word-table.docx", "layout": "cover notice plus breakdown",
    "title": "青浦区2026年科技创新重点任务分解表", "plan_title": "青浦区2026年科技创新重点任务", "doc_number": "青科委发〔2026〕4号",
    "issuer": "青浦区科学技术委员会", "issued": "2026年3月18日",
    "reporting": {"cycle": "monthly", "day": 25, "month_in_quarter": None}, "period_end": "2026-12-31",
    "notice": [
        "一、加强组织推进。各责任单位要指定专人负责，确保各项任务按期完成。",
        "二、强化协同配合。牵头单位要主动协调，配合单位要积极支持。",
        "三、做好进展报送。请各牵头单位于每月25日前报送上月推进情况。",
    ],
    "columns": ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限"],
    "groups": ["培育创新主体", "建设创新平台"],
    "tasks": [
        task(1, "实施高新技术企业培育计划", "区科委", ["区财政局", "区税务局"], "2026-12-31", "2026年12月", group=0,
             text="建立高新技术企业后备库，开展一对一辅导。"),
        task(2, "支持企业加大研发投入", "区科委", ["区财政局"], "2026-06-30", "2026年6月底前", group=0,
             text="落实研发费用加计扣除政策，对研发投入增长快的企业给予奖励。"),
        task(3, "建设新型研发机构", "区科委", ["青浦科创集团"], "2026-10-31", "2026年10月底前", group=1,
             text="引进高校院所共建新型研发机构，探索市场化运行机制。"),
        task(4, "完善科技企业孵化体系", "青浦科创集团", ["区科委", "区商务委"], "open", "长期坚持", group=1,
             text="提升孵化器专业服务能力，建设概念验证中心。"),
    ],
})

# 7. xlsx: action groups as merged cells in a 行动 column
DOCUMENTS.append({
    "file": "07-xlsx-merged-group-cells.xlsx", "layout": "xlsx with merged group cells",
    "title": "青浦区2026年生态环境保护重点任务分解表", "plan_title": "青浦区2026年生态环境保护重点任务", "doc_number": "青环委办〔2026〕1号", "issuer": None,
    "reporting": None, "period_end": "2026-12-31",
    "columns": ["序号", "行动", "工作任务", "牵头单位", "配合单位", "完成时限", "备注"],
    "groups": ["（一）水环境治理行动", "（二）大气污染防治行动", "（三）土壤和固废治理行动"],
    "tasks": [
        task(1, "推进劣五类水体消除", "区生态环境局", ["区水务局", "各镇"], "2026-06-30", "2026年6月底前", group=0),
        task(2, "完成雨污混接改造", "区水务局", ["各街道"], "2026-09-30", "2026年9月底前", group=0),
        task(3, "实施挥发性有机物综合治理", "区生态环境局", ["区经委"], "2026-12-31", "2026年12月", group=1),
        task(4, "加强扬尘污染管控", "区建管委", ["区城管执法局", "区绿化市容局"], "open", "长期坚持", group=1),
        task(5, "推进建设用地土壤风险管控", "区规划资源局", ["区生态环境局"], "2026-11-30", "2026年11月底前", group=2),
        task(6, "提升危险废物处置能力", "区生态环境局", ["区经委", "区发改委"], "recurring:quarterly", "每季度",
             group=2),
    ],
})

# 8. xlsx: group rows across the table, header synonyms, line breaks inside cells, a real date cell
DOCUMENTS.append({
    "file": "08-xlsx-group-rows.xlsx", "layout": "xlsx with group rows",
    "title": "青浦区2026年城市更新重点任务清单", "plan_title": "青浦区2026年城市更新重点任务", "doc_number": None, "issuer": None,
    "reporting": None, "period_end": "2026-12-31",
    "columns": ["编号", "任务内容", "责任单位（牵头）", "协办单位", "时间节点", "报送要求", "分管领导"],
    "line_break_units": True,
    "groups": ["一、旧区改造", "二、公共空间提升"],
    "tasks": [
        task(1, "推进零星旧改地块征收", "区建管委", ["区规划资源局", "区财政局"], "2026-12-31", date(2026, 12, 31), group=0),
        task(2, "实施城中村改造试点", "区规划资源局", ["区建管委", "区发改委"], "2026-08-31", "2026年8月底前", group=0),
        task(3, "建设口袋公园", "区绿化市容局", ["各街道"], "2026-10-31", "2026年10月", group=1),
        task(4, "打造滨水公共空间", "区水务局", ["区文旅局", "区绿化市容局"], "recurring:monthly", "每月", group=1),
    ],
})

# 9. xlsx on several sheets: an explanation sheet, then one sheet per action group
DOCUMENTS.append({
    "file": "09-xlsx-several-sheets.xlsx", "layout": "xlsx on several sheets",
    "title": "青浦区2026年民生实事项目任务分解表", "plan_title": "青浦区2026年民生实事项目任务", "doc_number": None, "issuer": None,
    "reporting": None, "period_end": "2026-12-31",
    "columns": ["序号", "目标任务", "牵头部门", "配合部门", "完成时间"],
    "groups": ["养老服务", "教育卫生", "交通出行"],
    "tasks": [
        task(1, "新增社区长者食堂", "区民政局", ["各街道", "各镇"], "2026-12-31", "2026年12月", group=0),
        task(2, "改造老年人家庭适老化设施", "区民政局", ["区残联"], "2026-11-30", "2026年11月底前", group=0),
        task(3, "新增公办幼儿园学位", "区教育局", ["区规划资源局"], "2026-08-31", "2026年8月底前", group=1),
        task(4, "建设社区卫生服务站", "区卫健委", ["各镇"], "2026-12-31", "2026年底前", group=1),
        task(5, "优化公交线网", "区交通委", ["青浦公交公司"], "2026-06-30", "2026年6月底前", group=2),
        task(6, "新增公共停车泊位", "区交通委", ["区建管委", "各街道"], "2026-12-31", "2026年12月底前", group=2),
    ],
})

# 10. docx table with the 行动 column merged down
DOCUMENTS.append({
    "file": "10-docx-table-merged-groups.docx", "layout": "docx table",
    "title": "青浦区2026年乡村振兴重点任务责任分工方案", "doc_number": "青农委〔2026〕6号", "issuer": None,
    "reporting": None, "period_end": "2026-12-31",
    "columns": ["序号", "类别", "工作任务", "牵头单位", "责任单位", "完成时限"],
    "vertical_groups": True,
    "groups": ["产业振兴", "人才振兴"],
    "tasks": [
        task(1, "建设高标准农田", "区农业农村委", ["金泽镇", "朱家角镇"], "2026-10-31", "2026年10月底前", group=0),
        task(2, "培育农业产业化龙头企业", "区农业农村委", ["区商务委"], "2026-12-31", "2026年12月", group=0),
        task(3, "发展乡村休闲旅游", "区文旅局", ["区农业农村委", "各镇"], "recurring:quarterly", "每季度", group=0),
        task(4, "培训高素质农民", "区农业农村委", ["区人社局"], "2026-11-30", "2026年11月底前", group=1),
        task(5, "引导青年人才返乡创业", "区人社局", ["区农业农村委", "区金融办"], "open", "长期坚持", group=1),
    ],
})

# 11. docx table: group rows, 工作举措 column, line breaks in cells, lead marked （牵头） in a 责任单位 column
DOCUMENTS.append({
    "file": "11-docx-table-group-rows.docx", "layout": "docx table",
    "title": "青浦区2026年安全生产重点工作任务分解", "plan_title": "青浦区2026年安全生产重点工作任务", "doc_number": None, "issuer": None,
    "reporting": None, "period_end": "2026-12-31",
    "columns": ["序号", "工作任务", "工作举措", "责任单位", "时间节点"],
    "marked_lead": True,
    "groups": ["（一）压实安全责任", "（二）开展专项整治"],
    "tasks": [
        task(1, "落实企业安全生产主体责任", "区应急局", ["区经委", "区市场监管局"], "2026-06-30", "2026年6月底前", group=0,
             text="督促企业建立全员安全生产责任制。\n开展安全生产标准化建设。"),
        task(2, "健全安全生产考核机制", "区应急局", ["区委组织部"], "2026-12-31", "2026年12月", group=0,
             text="将安全生产纳入各单位年度绩效考核。"),
        task(3, "开展消防安全隐患排查", "区消防救援支队", ["各街道", "各镇"], "recurring:monthly", "每月", group=1,
             text="聚焦高层建筑和人员密集场所开展排查。\n建立隐患整改闭环机制。"),
        task(4, "整治道路交通安全隐患", "区公安分局", ["区交通委", "区建管委"], "2026-09-30", "2026年9月底前", group=1,
             text="排查整治事故多发路段，完善交通安全设施。"),
    ],
})

# 12. per-item lines with numbered (1) items and a cover notice whose sign-off ends the notice
DOCUMENTS.append({
    "file": "12-notice-items-lists.txt", "layout": "cover notice plus breakdown",
    "title": "金泽镇2026年重点工作任务分解方案", "doc_number": "金府发〔2026〕2号",
    "issuer": "青浦区金泽镇人民政府", "issued": "2026年2月26日",
    "reporting": {"cycle": "quarterly", "day": 10, "month_in_quarter": 3}, "period_end": "2026-12-31",
    "notice": [
        "一、各部门要对照分解方案，逐项明确责任人和完成时间。",
        "二、镇党政办每季度最后一个月的10日前汇总各项任务推进情况，报镇主要领导。",
    ],
    "no_repeat_title": True,
    "groups": ["做强特色产业", "建设美丽乡村"],
    "tasks": [
        task("（1）", "推进西岑科创中心配套建设", "金泽镇", ["青浦科创集团", "区科委"], "2026-12-31", "2026年底前", group=0,
             text="完善科创中心周边道路和生活配套。"),
        task("（2）", "举办古镇文化旅游节", "金泽镇", ["区文旅局"], "2026-10-31", "2026年10月", group=0,
             text="办好古镇庙会和水乡音乐节。"),
        task("（3）", "开展农村人居环境整治", "金泽镇", ["区农业农村委", "区生态环境局"], "open", "常态化推进", group=1,
             text="推进村庄清洁行动和农房风貌提升。"),
    ],
})


# ------------------------------------------------------------------------------------------------ helpers

CN = "一二三四五六七八九十"


def cn(index: int) -> str:
    return CN[index]


def group_title(doc: dict, index: int) -> str:
    """The expected group name: written without its number."""
    label = doc["groups"][index]
    for prefix in [f"（{cn(index)}）", f"{cn(index)}、"]:
        if label.startswith(prefix):
            return label[len(prefix):]
    return label


def expected(doc: dict) -> dict:
    tasks = [*doc.get("goals_items", []), *doc["tasks"]]
    # Items right under the 一、主要预期目标 part (no （一） heading) have that part as their group.
    parts = {id(t): "主要预期目标" for t in doc.get("goals_items", [])}
    return {
        "file": doc["file"], "layout": doc["layout"], "title": doc.get("plan_title", doc["title"]),
        "doc_number": doc.get("doc_number"),
        "issuer": doc.get("issuer"), "reporting": doc.get("reporting"),
        "tasks": [{"number": t["number"], "title": t["title"],
                   "group": group_title(doc, t["group"]) if t["group"] is not None else parts.get(id(t)),
                   "lead_unit": t["lead_unit"], "cooperating_units": t["cooperating_units"], "due": t["due"]}
                  for t in tasks],
        "targets": [{key: target.get(key) for key in ("name", "value", "unit", "task_number", "lead_unit")}
                    for target in doc.get("targets", [])],
    }


def units_line(t: dict) -> str:
    return "、".join(t["cooperating_units"])


# ------------------------------------------------------------------------------------------------ text layouts


def prose_text(doc: dict) -> str:
    title = doc["title"]
    lines = [f"{doc['issuer']}文件", doc["doc_number"],
             f"{doc['issuer']}关于印发《{title}》的通知",
             f"各有关单位：《{title}》已经研究同意，现印发给你们，请认真抓好贯彻落实。特此通知。",
             doc["issued"], title,
             "为贯彻落实上级决策部署，结合本地实际，制定本方案。",
             "一、总体要求",
             "坚持问题导向和目标导向，突出重点、统筹推进，以务实举措推动各项工作取得实效。",
             "二、主要目标", doc["goals"], "三、重点任务"]
    for index, group in enumerate(doc["groups"]):
        lines.append(f"（{cn(index)}）{group}")
        for t in doc["tasks"]:
            if t["group"] != index:
                continue
            helpers = f"，{units_line(t)}配合" if t["cooperating_units"] else ""
            lines.append(f"{t['number']}.{t['title']}。{t['text']}（{t['lead_unit']}牵头{helpers}）")
    rule = ("各牵头单位每季度最后一个月的30日前报送工作进展。" if doc["reporting"] == QUARTERLY_30
            else "各牵头单位每月25日前报送上月工作进展。")
    lines += ["四、保障措施", "（一）加强组织领导。建立工作推进机制，定期研究解决重点难点问题。",
              f"（二）强化督促检查。{rule}"]
    return "\n\n".join(lines) + "\n"


def item_lines(t: dict, lead_label: str = "牵头单位", helper_label: str = "责任单位") -> list[str]:
    body = f"{t['title']}。{t['text']}" if t["text"] and t["text"] != t["title"] + "。" else f"{t['title']}。"
    lines = [f"{t['number']}.{body}", f"{lead_label}：{t['lead_unit']}"]
    if t["cooperating_units"]:
        separator = "，" if len(t["cooperating_units"]) > 2 else "、"
        lines.append(f"{helper_label}：{separator.join(t['cooperating_units'])}")
    if t["written_due"]:
        lines.append(f"完成时限：{t['written_due']}")
    return lines


def items_text(doc: dict) -> str:
    lines = [doc["title"], *([doc["doc_number"]] if doc.get("doc_number") else []),
             "为确保全年目标任务顺利完成，现将重点工作任务分解如下。"]
    part = 1
    if doc.get("goals_items"):
        lines.append("一、主要预期目标")
        for t in doc["goals_items"]:
            lines += item_lines(t)
        part = 2
    lines.append(f"{cn(part - 1)}、重点工作任务")
    for index, group in enumerate(doc["groups"]):
        lines.append(f"（{cn(index)}）{group}")
        for t in doc["tasks"]:
            if t["group"] == index:
                lines += item_lines(t, helper_label="配合单位" if doc["file"].startswith("04") else "责任单位")
    if doc["reporting"]:
        lines += [f"{cn(part)}、工作要求", "各牵头单位每月5日前报送上月工作推进情况。"]
    lines += [doc["issuer"], doc["issued"]]
    return "\n".join(lines) + "\n"


def notice_lines(doc: dict) -> list[str]:
    return [f"{doc['issuer']}关于印发《{doc['title']}》的通知", doc["doc_number"],
            "各镇人民政府、街道办事处，区政府各委、办、局：",
            f"现将《{doc['title']}》印发给你们，并就有关事项通知如下：", *doc["notice"], "特此通知。",
            doc["issuer"], doc["issued"]]


def notice_text(doc: dict) -> str:
    lines = notice_lines(doc)
    if not doc.get("no_repeat_title"):
        lines.append(doc["title"])
    lines += ["一、工作目标", "全面完成年度各项目标任务，重点领域取得突破性进展。", "二、主要任务"]
    for index, group in enumerate(doc["groups"]):
        lines.append(f"（{cn(index)}）{group}")
        for t in doc["tasks"]:
            if t["group"] != index:
                continue
            lines.append(f"{t['number']}{t['title']}。{t['text']}" if doc.get("no_repeat_title")
                         else f"{t['number']}.{t['title']}。{t['text']}")
            lines.append(f"责任单位：{t['lead_unit']}（牵头）、{units_line(t)}" if t["cooperating_units"]
                         else f"牵头单位：{t['lead_unit']}")
            lines.append(f"完成时限：{t['written_due']}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------ table rows


def table_rows(doc: dict) -> list[list]:
    """Header, then each group (a group row, or the group in its own column) and its tasks."""
    columns = doc["columns"]
    rows: list[list] = [list(columns)]
    for index, group in enumerate(doc["groups"]):
        if "行动" not in columns and "类别" not in columns and not doc["file"].startswith("09"):
            rows.append(["GROUP", group])
        for t in doc["tasks"]:
            if t["group"] != index:
                continue
            row = []
            for column in columns:
                if column in ("序号", "编号"):
                    row.append(int(t["number"]))
                elif column in ("行动", "类别"):
                    row.append(group)
                elif column in ("工作任务", "重点任务", "任务内容", "目标任务"):
                    row.append(t["title"])
                elif column in ("具体措施", "工作举措"):
                    row.append(t["text"])
                elif column in ("牵头单位", "责任单位（牵头）", "牵头部门"):
                    row.append(t["lead_unit"])
                elif column == "责任单位" and doc.get("marked_lead"):
                    row.append("\n".join([f"{t['lead_unit']}（牵头）", *t["cooperating_units"]]))
                elif column in ("配合单位", "协办单位", "责任单位", "配合部门"):
                    row.append(("\n" if doc.get("line_break_units") else "、").join(t["cooperating_units"]))
                elif column in ("完成时限", "时间节点", "完成时间"):
                    row.append(t["written_due"])
                elif column == "报送要求":
                    row.append("每月25日前报送")
                elif column == "分管领导":
                    row.append("副区长")
                else:
                    row.append("")
            rows.append(row)
    return rows


# ------------------------------------------------------------------------------------------------ Word


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite the archive with fixed entry times (python-docx and openpyxl stamp the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                import re
                content = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>",
                                 rb"<dcterms:\1\2>2026-01-01T00:00:00Z</dcterms:\1>", content)
            info = zipfile.ZipInfo(entry.filename, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return buffer.getvalue()


def word_document(doc: dict) -> bytes:
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(12)
    if doc.get("notice"):
        for line in notice_lines(doc):
            document.add_paragraph(line)
        document.add_paragraph("附件")
    document.add_paragraph(doc["title"])
    if doc.get("doc_number") and not doc.get("notice"):
        document.add_paragraph(doc["doc_number"])
    rows = table_rows(doc)
    table = document.add_table(rows=len(rows), cols=len(doc["columns"]))
    table.style = "Table Grid"
    for r, values in enumerate(rows):
        if values[0] == "GROUP":
            merged = table.cell(r, 0).merge(table.cell(r, len(doc["columns"]) - 1))
            merged.text = values[1]
            continue
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            lines = str(value).split("\n") if value not in (None, "") else [""]
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    if doc.get("vertical_groups"):
        column = doc["columns"].index("类别")
        r = 1
        while r < len(rows):
            end = r
            while end + 1 < len(rows) and rows[end + 1][column] == rows[r][column]:
                end += 1
            if end > r:
                for row in range(r + 1, end + 1):
                    table.cell(row, column).text = ""
                merged = table.cell(r, column).merge(table.cell(end, column))
                merged.text = rows[r][column]
            r = end + 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


# ------------------------------------------------------------------------------------------------ Excel


def _sheet(sheet, title: str, rows: list[list], doc: dict, subtitle: str | None = None) -> None:
    width = len(doc["columns"])
    sheet.append([title] + [None] * (width - 1))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    if subtitle:
        sheet.append([subtitle] + [None] * (width - 1))
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    first_row = sheet.max_row + 1
    for values in rows:
        if values[0] == "GROUP":
            sheet.append([values[1]] + [None] * (width - 1))
            sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
            continue
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if "行动" in doc["columns"]:
        column = doc["columns"].index("行动") + 1
        r = first_row + 1
        while r <= sheet.max_row:
            end = r
            while end + 1 <= sheet.max_row and sheet.cell(end + 1, column).value == sheet.cell(r, column).value:
                end += 1
            if end > r:
                for row in range(r + 1, end + 1):
                    sheet.cell(row, column).value = None
                sheet.merge_cells(start_row=r, start_column=column, end_row=end, end_column=column)
            r = end + 1


def excel_workbook(doc: dict) -> bytes:
    workbook = Workbook()
    rows = table_rows(doc)
    if doc["file"].startswith("09"):
        notes = workbook.active
        notes.title = "填表说明"
        notes.append([doc["title"]])
        notes.append(["一、本表由各牵头部门填写，配合部门积极配合。"])
        notes.append(["二、完成时间以月为单位填写。"])
        header, body = rows[0], rows[1:]
        for index, group in enumerate(doc["groups"]):
            sheet = workbook.create_sheet(group)
            numbers = {t["number"] for t in doc["tasks"] if t["group"] == index}
            _sheet(sheet, f"{group}任务分解", [header] + [row for row in body if str(row[0]) in numbers], doc)
    else:
        sheet = workbook.active
        sheet.title = "任务分解表"
        _sheet(sheet, doc["title"], rows, doc, subtitle=doc.get("doc_number"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip(buffer.getvalue())


# ------------------------------------------------------------------------------------------------ build


def render(doc: dict) -> bytes:
    name = doc["file"]
    if name.endswith(".xlsx"):
        return excel_workbook(doc)
    if name.endswith(".docx"):
        return word_document(doc)
    if name.startswith(("01", "02")):
        text = prose_text(doc)
    elif doc.get("notice"):
        text = notice_text(doc)
    else:
        text = items_text(doc)
    return text.encode(doc.get("encoding", "utf-8"))


def build(directory: Path = HERE) -> dict[str, bytes]:
    """Every generated file's name and bytes (documents and their .json)."""
    files: dict[str, bytes] = {}
    for doc in DOCUMENTS:
        files[doc["file"]] = render(doc)
        files[doc["file"].rsplit(".", 1)[0] + ".json"] = (
            json.dumps(expected(doc), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def main() -> None:
    for name, content in build().items():
        (HERE / name).write_bytes(content)
    print(f"wrote {len(DOCUMENTS)} documents and their expected results to {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
