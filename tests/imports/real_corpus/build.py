"""Builds the real corpus: excerpts of plans published by government offices, in their published layout.

Every document below was transcribed from a public government page (its address is in README.md beside this
script): header words, numbering, brackets, unit names and date expressions as the stored page shows them
(including its half-width punctuation and stray spaces). Prose documents are written as .txt; tables are rebuilt
as .xlsx or .docx with the published header words and rows, a cell spanning rows merged down. Each is an excerpt:
it stops where the stored page stops, never mid-item. The expected results (``*.json``) are written by hand from
reading the documents, not generated. ``python tests/imports/real_corpus/build.py`` rewrites the documents.
"""
from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import docx
from openpyxl import Workbook
from openpyxl.styles import Alignment

HERE = Path(__file__).resolve().parent
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
B = "\n"  # a line break inside a cell

DOCUMENTS: list[dict] = []

# 霍山县 (安徽) 开发区: a title row, 序号 重点工作 责任领导 责任单位 完成时限
DOCUMENTS.append({"file": "01-huoshan-kaifaqu-2025.xlsx", "kind": "xlsx", "sheet": "Sheet1",
                  "title": "2025年开发区重点工作及责任清单",
                  "rows": [["序号", "重点工作", "责任领导", "责任单位", "完成时限"],
                           ["1", "坚持服务跟着项目走,优化“重点项目直通车”“无忧办”工作机 制,落实重点项目“领导+专班””“项目管家”等制度,全力服务重 大项目落地见效。", "叶林", "招商工作部、安商工作部", "全年"],
                           ["2", "全力推进开发区“空间再造”,推动工业用地“腾笼换鸟”,力争 全年盘活僵尸企业10家,盘活存量土地400亩。", "马振明", "改革办", "全年"],
                           ["3", "持续提升园区承载能力,加快推进开发区污水处理厂及污水管 网提升项目,全面做好纬六路以北、中沟以北地块水电气路网 等基础设施配套。", "张云峰", "规划建设局", "全年"]],
                  "merges": []})

# 大竹县 (四川) 民生实事: notice, then 序号 民生实事 责任单位 完成时限; several units one per line; item 5 two rows
DOCUMENTS.append({"file": "02-dazhu-minsheng-2016.docx", "kind": "docx",
                  "before": ["大竹县人民政府办公室关于对2016年民生实事进行重点督办的通知", "竹府办〔2016〕20号",
                             "各乡镇人民政府、街道办事处,县级各部门:",
                             "为让人民群众生活得更有保障、更加幸福,根据《2016年政府工作报告》安排部署,现将2016年“民生实事”目标任务分解下达。请各责任领导、责任单位认真研究、强化责任、细化措施,确保全年目标任务顺利完成。县政府督查室将常年跟踪,适时开展督查。请各责任单位于每季度末月20日前将“民生实事”完成情况书面报县政府督查室420室(联系电话:6239325)。",
                             "附件:2016年民生实事目标任务分解表", "大竹县人民政府办公室", "2016年2月26日", "附件",
                             "2016年民生实事目标任务分解表"],
                  "rows": [["序号", "民生实事", "责任单位", "完成时限"],
                           ["1", "启动建设东柳河城区段综合治理工程和东湖湿地公园。", f"县水务局{B}县住建局{B}县护城河指挥部", "12月底前"],
                           ["2", "新建2座人行天桥。", "县住建局", "9月投入使用"],
                           ["3", "启动县图书馆新馆建设。", f"县文体广新局{B}县代建中心", "12月底前"],
                           ["4", "建成县残疾人综合服务中心。", "县残联", "5月底前动工"],
                           ["5", "开工建设县老年养护楼。", "县民政局", "5月底前动工"],
                           ["", "开工建设老年大学。", "", "12月底前"],
                           ["6", "迁建县政务服务中心。", f"县政务服务中心{B}县代建中心", "12月底前"],
                           ["7", "加快推进土地滩水库建设。", "县水务局", "12月底前"],
                           ["8", "启动大竹县第十二小学建设,新建中心幼儿园2所。", f"县教科局{B}县代建中心", "12月底前"],
                           ["9", "完成棚户区改造2836户。", "县住建局", "12月底前"],
                           ["10", "城区再新建1个农贸市场。", "县商务局", "12月底前"]],
                  "merges": [(5, 0, 6, 0), (5, 2, 6, 2)]})

# 常州市钟楼区 (江苏) 重大民生实事: 项目名称 + 主要内容, 区政府分管领导, units one per line, item 3 two rows
DOCUMENTS.append({"file": "03-zhonglou-minsheng-2021.xlsx", "kind": "xlsx", "sheet": "Sheet1",
                  "title": "2021年重大民生实事项目目标任务责任分解表",
                  "rows": [["序号", "项目名称", "主要内容", "区政府分管领导", "牵头单位", "配合单位"],
                           ["1", "增加教育资源供给", "实施新建、改扩建学校重点建设项目12个,计划竣工3个,其中幼儿园7个、小学4个、初中1个;增加学位5000个,其中幼儿园420个,中小学4580个。", "何海平", "教育局", f"经开区{B}高新园(邹区镇){B}各街道{B}市国有公司"],
                           ["2", "促进就业稳定增长", "落实就业优先战略。全区城镇新增就业15000人,失业人员再就业5800人,新增参保大学生5400人,城乡“零就业家庭”动态清零,城镇登记失业率控制在3%以内;支持成功自主创业2000人,支持大学生创业240人;开展职业技能补贴培训10000人次。", "何海平", "人社局", f"高新园(邹区镇){B}各街道"],
                           ["3", "老城厢复兴发展", "完成瞿秋白纪念馆整体提升工程对外开放,完成常州盛宣怀故居(本体)修缮展陈。", "何海平", "文体旅局", f"晋陵公司{B}轨道公司"],
                           ["", "", "推进大庙弄核心区改造、瞿秋白纪念馆周边立面整治及三堡街、西横街、民元里、邮电路、北大街等老城厢道路整治。", "芮春祥", "住建局", f"五星街道{B}南大街街道{B}荷花池街道"],
                           ["4", "优化养老服务", f"为全区23000名老年人提供居家上门服务。{B}提升改造8家城乡社区居家养老服务中心(站)。{B}对300户困难老人家庭进行居家适老化改造。{B}提升康复辅具社区租赁服务点建设水平,为IO(X)人提供康复辅具社区租赁服务。", "张菁", "民政局", f"高新园(邹区镇){B}各街道"]],
                  "merges": [(3, 0, 4, 0), (3, 1, 4, 1)]})

# 嘉兴市 (浙江): notice, then 序号 主 要 工 作 任 务 责任单位 (header written with spaces)
DOCUMENTS.append({"file": "04-jiaxing-zhongdian-2023.docx", "kind": "docx",
                  "before": ["嘉兴市人民政府办公室关于印发2023年政府工作报告重点工作和市政府民生实事项目责任分解的通知",
                             "嘉政办发〔2023〕7号", "各县(市、区)人民政府,市级有关部门(单位):",
                             "《2023年政府工作报告重点工作责任分解》和《2023年市政府民生实事项目责任分解》已经市政府同意,现印发给你们,请认真贯彻执行。",
                             "各牵头单位要切实承担起牵头抓总责任,树立“不在上游就是下游,不争第一就是落后”的争先理念,细化量化核心定量指标和关键定性任务,按季制定工作举措,确保各项重点任务高质量完成、走在全省前列。各相关单位要通力协作、主动作为、凝聚合力,形成共谋发展、齐心干事的浓厚氛围。市政府将对重点工作、民生实事完成情况进行跟踪督办、定期通报,并将督查结果列入年度工作目标责任制考核。",
                             "嘉兴市人民政府办公室", "2023年3月1日", "(此件公开发布)", "2023年政府工作报告重点工作责任分解"],
                  "rows": [["序号", "主 要 工 作 任 务", "责任单位"], ["1", "地区生产总值增长6%左右。", "市发展改革委"]],
                  "merges": []})

# 南通市崇川区 (江苏) 民生实事推进情况: 分管 领导 / 牵头 单位 / 责任主体与协同单位, task text across two columns
DOCUMENTS.append({"file": "05-chongchuan-minsheng-2023.xlsx", "kind": "xlsx", "sheet": "Sheet1",
                  "title": "2023年区政府重点民生实事项目推进情况(1-11月)",
                  "rows": [["序号", "主要任务", "全年目标任务", f"分管{B}领导", f"牵头{B}单位", "责任主体与协同单位", "1-10月推进情况", "1-11月推进情况", "是否达序", "说明"],
                           ["24", "优化提升50条背街后巷交通组织。", "", "徐国江", "城管局", "市政局、相关街道", "已进场施工,完成30%。", "已进场施工,完成60%。", "是", ""],
                           ["25", "新增四分类“三定一督”达标小区210个。", "", "徐国江", "城管局", "市政局、环卫处、崇川经济开发区、各街道", "已进场施工,正在推进点位选址、场地硬化,第一批451个厢房(亭房)正在加紧制作。", "在46个小区,建成38个厢房,70个分类亭。", "否", "前期配合区相关部门对该项目招标质疑、投诉处置,项目于9月28才签订合同,滞后了2个月,后期将加快推进。"],
                           ["26", "新建建筑垃圾中转站8个、建筑垃圾分类池20个。", "", "徐国江", "城管局", "崇川经济开发区、相关街道", "已建成建筑垃圾中转站3个、分类池10个;其余点位已启动建设流程。", "已建成建筑垃圾中转站7个、分类池17个。", "是", ""]],
                  "across": [(1, 1, 1, 2), (2, 1, 2, 2), (3, 1, 3, 2)]})

TEXTS = {
    # 武汉市蔡甸区 (湖北): (一)-numbered items under a targets heading, 责任单位 on its own line
    "06-caidian-mubiao-2023.txt": """区人民政府办公室关于印发2023年区《政府工作报告》确定的主要目标任务责任分解方案的通知

各街道办事处、乡人民政府,区人民政府各部门、各直属机构:

2023年《区〈政府工作报告〉确定的主要目标任务责任分解方案》已报经区人民政府同意,现印发给你们,并就有关事项通知如下:

一、各责任单位要高度重视,切实加强领导,对照2023年区《政府工作报告》确定的目标任务,制订工作方案,明确责任,明确措施,明确时间节点,狠抓落实,并于2023年1月15日前将工作方案报区人民政府办公室。

二、区绩效考评机构要将2023年区《政府工作报告》确定的重要目标任务,纳入绩效管理考核范围,细化考核内容,加强过程考核,确保各项工作落到实处。

三、从2023年第一季度开始,各责任单位要在每季度最后一个月的30日前将本季度落实各项工作目标任务进展情况报区人民政府办公室,区人民政府办公室将对各项工作目标任务的落实情况进行全程跟踪督办,并适时通报有关办理落实情况。

蔡甸区人民政府办公室

2023年1月3日

2023年区《政府工作报告》确定的主要目标任务责任分解方案

一、2023年全区经济社会发展的主要预期目标

(一)地区生产总值增长7%以上

责任单位:区发展和改革局

(二)规上工业增加值增长12%以上

责任单位:区科技和经信局

(三)固定资产投资增长10%以上

责任单位:区发展和改革局
""",
    # 鞍山市立山区 (辽宁): red header, 1. items, 牵头单位 / 责任单位 lines, units separated by , and 、
    "07-lishan-fengong-2023.txt": """鞍山市立山区人民政府文件
鞍立政发〔2023〕2号
立山区人民政府关于印发 《立山区政府2023年重点工作任务分解 和责任分工方案》的通知

立山经济开发区,各街道办事处,各区直部门,各有关单位:

经区政府同意,现将《立山区政府2023年重点工作任务分解和责任分工方案》印发给你们,请结合实际,认真贯彻落实。

立山区人民政府

2023年3月28日

(此件公开发布)

立山区政府2023年重点工作

任务分解和责任分工方案

为全面贯彻落实党的二十大精神,深入贯彻中央、省市工作会议精神和市委十三届五次全会精神、区委十五届四次全会精神,认真贯彻国家、省、市关于2023年重点工作部署,聚焦辽宁省全面振兴新突破三年行动、鞍山市“抓项目、进企业、解难题”专项行动,做好今年政府工作,努力实现全年经济社会发展的目标任务,现就全区2023年重点工作,制定分工方案如下。

一、经济社会发展的主要预期目标

1.努力实现地区生产总值增长6.2%左右。

牵头单位:区发改局

责任单位:立山经济开发区,全区经济运行各专班

2.规模上工业增加值增长5%左右。

牵头单位:区工信局

责任单位:立山经济开发区

3.固定资产投资增长15%左右。

牵头单位:区发改局

责任单位:立山经济开发区,各街道、区直各部门

4.社会消费品零售总额增长9%左右。

牵头单位:区商务局

责任单位:各街道,区市场局

5.一般公共预算收入增长8%左右。

牵头单位:区财政局

责任单位:立山经济开发区,各街道,税务局

6.居民收入增长与经济增长基本同步。

牵头单位:区发改局

责任单位:各街道,各相关单位
""",
    # 湖州市 (浙江): 一、 heading naming who leads, units line with "列第一位者为…牵头单位…下同"
    "08-huzhou-zhongdian-2020.txt": """各区县人民政府,南太湖新区管委会,市府各部门,市直各单位:
《2020年政府工作报告重点工作责任分解》和《十方面民生实事责任分解》已经市政府同意,现印发给你们,请认真贯彻执行。市政府将于年中、年末对政府工作报告重点工作、十方面民生实事进展情况进行专项督查。
2020年是高水平全面建成小康社会决胜之年,是“十三五”规划收官和“十四五”规划编制之年,做好今年政府各项工作意义重大。各级各部门要认真贯彻落实习近平总书记在浙江、湖州考察时的重要讲话精神,坚决扛起“顺势而为、乘胜前进”新使命,推动“八八战略”再深化、改革开放再出发,聚焦市委“一四六十”工作体系,围绕打造“重要窗口”示范样本创造性地抓好落实。要紧盯“六稳”工作、守牢“六保”底线,结合政府重点工作的推进落实,抓紧排出任务表、时间表、责任表,高效有序推进各项工作;要强化担当、主动作为,统筹联动、密切配合,突破常规、善于创新,确保全面完成政府工作报告重点工作和十方面民生实事。
附件:1.2020年政府工作报告重点工作责任分解
2.十方面民生实事责任分解
湖州市人民政府办公室
2020年5月22日
附件1
2020年政府工作报告重点工作责任分解
一、王纲市长主抓重点工作
1.坚定不移支持企业发展。认真落实关于营造更好发展环境、推动民营企业改革发展的各项政策措施。全面落实疫情发生以来出台的各类稳企业、稳经济、稳发展政策意见,大力实施减税、减费、减租、减息措施,力争减轻企业各类负担200亿元,全力支持企业复产达产、健康发展。
责任单位:市经信局、市财政局、市发展改革委、市人力社保局、市金融办、市税务局(列第一位者为工作牵头单位或汇总单位,下同)
""",
    # 杭州市 (浙江) 征求意见稿: items with (牵头单位:…,配合单位:…) at the end
    "09-hangzhou-hulianwang-2015.txt": """杭州市推进“互联网+”行动实施意见
(征求意见稿V2.2)
(2015年9月15日)
为贯彻落实《国务院关于积极推进“互联网+”行动的指导意见》,深化互联网与经济社会各领域全面融合,加快推进杭州信息经济智慧应用发展,结合杭州实际,特制订以下实施意见。
一、 工作目标
顺应“互联网+”发展趋势,坚持“开放共享、融合创新、引领跨越、安全有序”的基本原则,以建设国家自主创新示范区、中国(杭州)跨境电子商务综合试验区等国家级创新示范建设为契机,推进互联网与经济社会各领域的融合发展全面深化。到2020年,基于互联网的新业态成为新的经济增长动力,互联网支撑大众创业、万众创新的作用进一步增强,互联网成为提供公共服务的重要手段,网络经济与实体经济协同互动的发展格局基本形成,打造具有全球影响力的‘互联网+’创新创业中心,率先成为特色鲜明、全国领先的信息经济强市。
二、 实施重点
(一)“互联网+”创业创新
1.大力发展众创空间。通过杭州国家自主创新示范区、小微企业创业创新基地示范城市建设,充分发挥互联网的创新驱动作用,利用产业集聚区、工业园区、商业综合体等平台,为广大创新创业者提供良好的工作空间、网络空间、社交空间和资源共享空间。三年内认定市级众创空间60家以上。(牵头单位:市科委,配合单位:各区县市)
2.加快特色小镇建设。以云溪小镇、梦想小镇等“九镇三谷”为引领,聚焦信息经济特色小镇建设,集聚创新资源、转化创新成果,实现产业发展从资源要素驱动向创新发展驱动转变。力争5年内有 家特色小镇获省级认定。(牵头单位:市发改委,配合单位:各区县市)
""",
    # 运城市 (山西): (1)-(4) sub-items, then (责任单位:…各县(市、区)人民政府…) with brackets inside a name
    "10-yuncheng-yingji-2017.txt": """运城市人民政府办公厅关于印发运城市突发事件应急体系建设“十三五”规划责任分解的通知
各县(市、区)人民政府,各开发区管委会,市直各有关单位:
经市人民政府同意,现将《运城市突发事件应急体系建设“十三五”规划》责任分解印发给你们,请认真组织实施。
运城市人民政府办公厅
2017年4月13日
运城市突发事件应急体系建设“十三五”规划责任分解
为提高应对突发事件和各种风险的能力,维护公众生命财产安全,促进我市经济社会健康发展,根据《运城市突发事件应急体系建设“十三五”规划》(运政办发〔2016〕76号)精神,现将《规划》中明确提出的9项具体建设任务和7项重点建设项目进行责任分解。
“十三五”应急体系9个具体建设任务
(一)“一案三制”建设
1.完善应急预案体系
(1)加强应急预案管理,规范应急预案编制、审批、发布、备案、修订和评估工作,增强应急预案的针对性、实用性和可操作性。
(2)推进政府及其部门应急预案“精编化”,及时修订完善现有应急预案,促进单位和基层应急预案编制全覆盖。
(3)加强应急预案演练,完善演练管理制度,推进“双盲”演练,强化针对性、实战性。
(4)加强应急预案的培训宣传,扩大应急预案发布范围,提高全社会对应急预案的知晓率。
(责任单位:市直各有关单位、各县(市、区)人民政府、各开发区管委会)
""",
    # 西安市 (陕西) 为民实事: units alone in a bracket at the end, the first leads
    "11-xian-weimin-2025.txt": """各区、县人民政府,市人民政府各工作部门、各直属机构:
经市政府同意,现将2025年十个方面30项为民实事实施方案印发给你们,请认真组织实施,确保各项为民实事全面完成。
西安市人民政府办公厅
2025年4月1日
(此件公开发布)
2025年为民实事实施方案
为深入贯彻以人民为中心的发展思想,着力保障和改善民生,高质高效推动2025年为民实事,特制定本实施方案。
一、总体要求
全面贯彻落实习近平总书记关于民生工作重要指示精神,科学把握民生工作定位,坚持尽力而为、量力而行,在发展中增进民生福祉,聚力推动居民增收、就业创业、教育助学、医疗服务、便民生活、城市安全、交通出行、宜居宜业、住房保障、文体惠民等十个方面30项为民实事落地见效,实现民生建设与经济社会发展同频共振、相辅相成,切实提高人民群众的获得感、幸福感和安全感。
二、主要任务
(一)提高民生保障标准
1.提高养老金待遇。全面落实国家和省级部署要求,适当提高退休人员基本养老金和城乡居民基础养老金。(市人社局、市财政局)
2.阶段性减征职工基本医疗保险费。将参保单位缴费费率由7%降至6%,将灵活就业人员缴费费率由9%降至8%,为全市各类用人单位及灵活就业人员减负约39.13亿元。(市医疗保障局)
""",
}


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times so that rebuilding gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>",
                                 rb"<dcterms:\1\2>2026-01-01T00:00:00Z</dcterms:\1>", content)
            info = zipfile.ZipInfo(item.filename, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def word_document(doc: dict) -> bytes:
    document = docx.Document()
    for line in doc["before"]:
        document.add_paragraph(line)
    rows = doc["rows"]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    merged = {(r, c) for top, c, bottom, _ in doc["merges"] for r in range(top + 1, bottom + 1)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in merged:
                continue
            cell = table.cell(r, c)
            lines = value.split(B)
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    for top, c, bottom, _ in doc["merges"]:
        text = rows[top][c]
        table.cell(top, c).merge(table.cell(bottom, c))
        cell = table.cell(top, c)
        for paragraph in list(cell.paragraphs)[1:]:
            if not paragraph.text:
                paragraph._p.getparent().remove(paragraph._p)
        assert cell.text.replace("\n", B) == text, (cell.text, text)
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue())


def excel_workbook(doc: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = doc["sheet"]
    width = len(doc["rows"][0])
    sheet.append([doc["title"]])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for row in doc["rows"]:
        sheet.append([int(value) if value.isdigit() else (value or None) for value in row])
    for top, c, bottom, _ in doc.get("merges", []):
        sheet.merge_cells(start_row=top + 2, start_column=c + 1, end_row=bottom + 2, end_column=c + 1)
    for r, c1, _, c2 in doc.get("across", []):
        sheet.merge_cells(start_row=r + 2, start_column=c1 + 1, end_row=r + 2, end_column=c2 + 1)
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    out = io.BytesIO()
    workbook.save(out)
    return _fixed_zip(out.getvalue())


def build(directory: Path = HERE) -> dict[str, bytes]:
    files: dict[str, bytes] = {name: text.encode("utf-8") for name, text in TEXTS.items()}
    for doc in DOCUMENTS:
        files[doc["file"]] = word_document(doc) if doc["kind"] == "docx" else excel_workbook(doc)
    return files


def main() -> None:
    for name, content in build().items():
        (HERE / name).write_bytes(content)
        print(name, file=sys.stderr)


if __name__ == "__main__":
    main()
