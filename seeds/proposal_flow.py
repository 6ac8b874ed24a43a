"""Items of the handling flow (建议提案办理) for the demo, written for it (not from a real document).

The two real replies (seeds/proposals.py, their texts in seeds/documents/) are items of the flow too: their
proposers are registered as people (``REAL_PEOPLE``; the replies name them without 界别, so none is given).

``ITEMS`` are the district's own items of the 2026 sessions (区政协六届五次会议, 区六届人大五次会议), one in
every state of the flow on the demo day 2026-06-30 (TRACKER_TODAY): just assigned and waiting for 签收, a
协办 unit's return, in handling (one due soon, one overdue), 分办, 并案, answered with each result class and
rated 满意 / 基本满意 / 不满意 (→ 重新办理). Names, groups and phone numbers are fictitious.

Each item is a dict; ``steps`` are applied in order by seeds/load_proposal_flow.py, each at its own moment
(Beijing time), through the services a coordinator or a unit uses on the pages:

- ``("assign", day, {"main": unit, "co": [units]})`` or ``("assign", day, {"split": [units]})``: 交办;
- ``("sign", moment, unit)`` / ``("return", moment, unit, reason)``: the unit's 签收 / 退回;
- ``("handling", day)``: the coordinator marks it 办理中;
- ``("merge", moment, (meeting, number))``: 并案 of this item into the one named;
- ``("reply", day, {"class": "A"|"B"|"C"|"D", "doc": …, "text": …})``: the reply recorded (已答复), the
  result category being the first configured one of that class (tracker.proposals.documents.result_class);
  an item whose class has no configured category stays in handling;
- ``("link", moment, proposer)`` / ``("rate", moment, proposer, rating)``: the personal rating link and the
  proposer's own rating through it;
- ``("contact", day, {"way": 见面|电话|座谈|…, "stage": before|during|after, "with": [proposers],
  "unit_people": …, "agreed": …})``: the 主办 unit records a contact with the proposers (沟通协商; a 办前 见面
  or 座谈 within 15 working days of 交办 is the 办前面商, and 见面/座谈 count in 见面率);
- ``("promise", day, {"text": …, "due": date})``: the 主办 unit enters a promise of its B or C reply
  (承诺事项, reminded before its date and answered again when kept).

协办意见 and 会签 need no step: every ``reply`` goes through them first. To add a step kind, add its tuple to
the items here and one branch in ``seeds.load_proposal_flow.STEPS``.
"""
from datetime import date, datetime

CPPCC_MEETING = "区政协六届五次会议"
NPC_MEETING = "区六届人大五次会议"

REAL_PEOPLE = {
    ("市政协十四届三次会议", "第0746号"): ["池洪", "卢薪", "曹卫东"],
    ("区政协十五届五次会议", "第155129号"): ["郁芳"],
}

_REPLY_CONTACT = {"contact_name": "王敏", "contact_phone": "69223000", "publicity": "主动公开"}

ITEMS = [
    {
        "kind": "cppcc", "meeting": CPPCC_MEETING, "number": "第0101号",
        "title": "关于完善西岑园人才公寓配套服务的提案",
        "people": [("陆敏", "经济界", "13800001101"), ("顾晓峰", "经济界", "13800001102")],
        "points": ["在西岑园周边规划建设人才公寓，增加房源供给", "完善人才公寓的交通、商业和医疗配套",
                   "简化园区企业人才申请公寓的流程"],
        "steps": [("assign", date(2026, 6, 24), {"main": "区规划资源局", "co": ["青西办"]})],
    },
    {
        "kind": "cppcc", "meeting": CPPCC_MEETING, "number": "第0102号",
        "title": "关于推进朱家角古镇数字文旅融合发展的提案",
        "people": [("沈佳怡", "文化艺术界", "13800001201")],
        "points": ["建设古镇数字导览和客流监测平台", "推动文旅消费场景数字化", "组织中小学生开展古镇研学"],
        "steps": [
            ("assign", date(2026, 6, 15), {"main": "区商务委", "co": ["区数据局", "区教育局"]}),
            ("sign", datetime(2026, 6, 16, 9, 30), "区商务委"),
            ("sign", datetime(2026, 6, 17, 10, 15), "区数据局"),
            ("return", datetime(2026, 6, 18, 14, 0), "区教育局",
             "该提案主要涉及古镇文旅数字化，不属本单位职责；研学部分可由区商务委牵头时征求我局意见。"),
            ("handling", date(2026, 6, 18)),
        ],
    },
    {
        "kind": "cppcc", "meeting": CPPCC_MEETING, "number": "第0103号",
        "title": "关于支持青浦科创集团建设专业化孵化器的提案",
        "people": [("王立群", "科学技术界", "13800001301"), ("许文博", "科学技术界", "13800001302"),
                   ("陈静", "民建", "13800001303")],
        "points": ["设立孵化器建设专项资金，支持专业化孵化器运营", "引进一流孵化团队，建立孵化绩效评价机制",
                   "为在孵企业提供科技金融和知识产权服务"],
        "steps": [
            ("assign", date(2026, 4, 8), {"main": "区科委", "co": ["青浦科创集团", "区金融办"]}),
            ("sign", datetime(2026, 4, 9, 9, 0), "区科委"),
            ("sign", datetime(2026, 4, 10, 11, 0), "青浦科创集团"),
            ("sign", datetime(2026, 4, 13, 15, 30), "区金融办"),
            ("handling", date(2026, 4, 13)),
            ("contact", date(2026, 4, 20), {"way": "见面", "stage": "before", "with": ["王立群", "许文博"],
                                            "unit_people": "区科委副主任 张华，科技创新科 刘洋",
                                            "agreed": "先梳理现有孵化器运营情况，6月底前拿出专项资金方案，答复前再当面沟通一次。"}),
        ],
    },
    {
        "kind": "cppcc", "meeting": CPPCC_MEETING, "number": "第0107号",
        "title": "关于加大科技企业孵化载体扶持力度的提案",
        "people": [("赵鹏", "经济界", "13800001701")],
        "points": ["提高对市级以上孵化载体的奖励标准", "支持孵化载体与高校院所共建概念验证中心"],
        "steps": [("merge", datetime(2026, 4, 8, 16, 0), (CPPCC_MEETING, "第0103号"))],
    },
    {
        "kind": "cppcc", "meeting": CPPCC_MEETING, "number": "第0104号",
        "title": "关于加强淀山湖周边水环境综合治理的提案",
        "people": [("钱红", "农业和农村界", "13800001401")],
        "points": ["建立淀山湖入湖河道水质监测预警机制", "推进沿湖村庄生活污水治理提标改造"],
        "steps": [
            ("assign", date(2026, 3, 16), {"main": "区生态环境局", "co": ["金泽镇"]}),
            ("sign", datetime(2026, 3, 17, 10, 0), "区生态环境局"),
            ("sign", datetime(2026, 3, 18, 9, 0), "金泽镇"),
            ("handling", date(2026, 3, 18)),
        ],
    },
    {
        "kind": "cppcc", "meeting": CPPCC_MEETING, "number": "第0105号",
        "title": "关于优化西岑园区公交接驳线路的提案",
        "people": [("周洁", "社会福利和社会保障界", "13800001501")],
        "points": ["开通地铁站至西岑园区的通勤接驳线", "在上下班高峰加密班次"],
        "steps": [
            ("assign", date(2026, 3, 10), {"main": "区发改委", "co": []}),
            ("sign", datetime(2026, 3, 11, 9, 0), "区发改委"),
            ("handling", date(2026, 3, 11)),
            ("contact", date(2026, 3, 24), {"way": "座谈", "stage": "before", "with": ["周洁"],
                                            "unit_people": "区发改委交通科 陈明；区公交公司 李军",
                                            "agreed": "接驳线先按早晚高峰开行，5月起试运营，运营一个月后听取委员意见。"}),
            ("reply", date(2026, 6, 5), {"class": "A", "doc": "青发改提复〔2026〕8号",
                                         "text": "一、关于开通通勤接驳线。已会同公交公司开通西岑园区通勤接驳线，5月起运营。\n"
                                                 "二、关于高峰加密班次。早晚高峰发车间隔已缩短至10分钟。"}),
            ("link", datetime(2026, 6, 8, 10, 0), "周洁"),
            ("contact", date(2026, 6, 12), {"way": "电话", "stage": "after", "with": ["周洁"],
                                            "unit_people": "区发改委交通科 陈明",
                                            "agreed": "委员反映接驳线晚高峰仍有拥挤，将商公交公司增开区间车。"}),
        ],
    },
    {
        "kind": "cppcc", "meeting": CPPCC_MEETING, "number": "第0106号",
        "title": "关于加快企业数字化转型公共服务平台建设的提案",
        "people": [("孙毅", "工商联", "13800001601")],
        "points": ["建设面向中小企业的数字化转型公共服务平台", "对企业上云用数给予补贴"],
        "steps": [
            ("assign", date(2026, 3, 10), {"main": "区经委", "co": ["区数据局"]}),
            ("sign", datetime(2026, 3, 11, 10, 0), "区经委"),
            ("sign", datetime(2026, 3, 12, 10, 0), "区数据局"),
            ("handling", date(2026, 3, 12)),
            ("contact", date(2026, 3, 19), {"way": "座谈", "stage": "before", "with": ["孙毅"],
                                            "unit_people": "区经委信息化科 周平；区数据局 吴涛",
                                            "agreed": "平台分两期建设，一期先上线诊断和对接服务；补贴随产业政策修订一并研究。"}),
            ("reply", date(2026, 5, 28), {"class": "B", "doc": "青经提复〔2026〕5号",
                                          "text": "一、关于公共服务平台。平台一期已上线，二期正在建设，年内完成。\n"
                                                  "二、关于上云用数补贴。已纳入区产业扶持政策修订，正在征求意见。"}),
            ("promise", date(2026, 5, 28), {"text": "企业数字化转型公共服务平台二期建成上线。",
                                            "due": date(2026, 12, 31)}),
            ("link", datetime(2026, 6, 1, 9, 30), "孙毅"),
            ("rate", datetime(2026, 6, 3, 20, 15), "孙毅", "满意"),
        ],
    },
    {
        "kind": "cppcc", "meeting": CPPCC_MEETING, "number": "第0108号",
        "title": "关于提升镇级养老服务设施水平的提案",
        "people": [("吴芳", "社会福利和社会保障界", "13800001801")],
        "points": ["改造提升镇级养老院和日间照料中心", "推广助餐点和家庭照护床位"],
        "steps": [
            ("assign", date(2026, 5, 20), {"split": ["金泽镇", "朱家角镇"]}),
            ("sign", datetime(2026, 5, 21, 9, 0), "金泽镇"),
            ("sign", datetime(2026, 5, 22, 14, 0), "朱家角镇"),
            ("handling", date(2026, 5, 22)),
        ],
    },
    {
        "kind": "npc", "meeting": NPC_MEETING, "number": "第0012号",
        "title": "关于加强中小学科创教育师资配备的建议",
        "people": [("黄伟", "朱家角镇代表团", "13800002101")],
        "points": ["每所中小学配备专职科创教师", "与园区企业共建科创教育实践基地"],
        "steps": [
            ("assign", date(2026, 3, 12), {"main": "区教育局", "co": ["区科委"]}),
            ("sign", datetime(2026, 3, 13, 9, 0), "区教育局"),
            ("sign", datetime(2026, 3, 13, 11, 0), "区科委"),
            ("handling", date(2026, 3, 13)),
            ("contact", date(2026, 4, 22), {"way": "电话", "stage": "during", "with": ["黄伟"],
                                            "unit_people": "区教育局师资科 沈丽",
                                            "agreed": "专职教师受编制所限，先以兼职教师和校外辅导员补充，代表表示理解。"}),
            ("reply", date(2026, 6, 2), {"class": "D", "doc": "青教建复〔2026〕3号",
                                         "text": "一、关于专职科创教师。受编制所限，近期以兼职教师和校外辅导员为主，建议留作参考。\n"
                                                 "二、关于实践基地。已与两家园区企业商谈共建。"}),
            ("link", datetime(2026, 6, 5, 9, 0), "黄伟"),
            ("rate", datetime(2026, 6, 12, 19, 40), "黄伟", "基本满意"),
        ],
    },
    {
        "kind": "npc", "meeting": NPC_MEETING, "number": "第0015号",
        "title": "关于完善高新技术企业认定服务的建议",
        "people": [("郑强", "金泽镇代表团", "13800002201"), ("何静", "金泽镇代表团", "13800002202")],
        "points": ["为申报企业提供一对一辅导", "对首次认定的企业给予奖励"],
        "steps": [
            ("assign", date(2026, 3, 12), {"main": "区科委", "co": ["区财政局"]}),
            ("sign", datetime(2026, 3, 13, 9, 30), "区科委"),
            ("sign", datetime(2026, 3, 16, 10, 0), "区财政局"),
            ("handling", date(2026, 3, 16)),
            ("reply", date(2026, 5, 20), {"class": "B", "doc": "青科建复〔2026〕6号",
                                          "text": "一、关于一对一辅导。已组织第三方机构开展申报辅导。\n"
                                                  "二、关于首次认定奖励。正在研究，待区产业政策修订时统筹考虑。"}),
            ("link", datetime(2026, 5, 25, 9, 0), "郑强"),
            ("rate", datetime(2026, 6, 10, 21, 5), "郑强", "不满意"),
        ],
    },
    {
        "kind": "npc", "meeting": NPC_MEETING, "number": "第0021号",
        "title": "关于推进西岑园区配套学校建设的建议",
        "people": [("马丽", "朱家角镇代表团", "13800002301")],
        "points": ["在西岑园区周边规划新建一所九年一贯制学校"],
        "steps": [
            ("assign", date(2026, 3, 12), {"main": "区教育局", "co": ["区规划资源局"]}),
            ("sign", datetime(2026, 3, 13, 9, 0), "区教育局"),
            ("sign", datetime(2026, 3, 13, 15, 0), "区规划资源局"),
            ("handling", date(2026, 3, 13)),
            ("contact", date(2026, 3, 27), {"way": "见面", "stage": "before", "with": ["马丽"],
                                            "unit_people": "区教育局规划建设科 钱伟；区规划资源局 孙磊",
                                            "agreed": "学校用地在园区控规中预留，先纳入“十五五”教育设施布局规划。"}),
            ("reply", date(2026, 6, 10), {"class": "C", "doc": "青教建复〔2026〕5号",
                                          "text": "一、关于新建学校。已列入区“十五五”教育设施布局规划，计划2028年开工。"}),
            ("promise", date(2026, 6, 10), {"text": "完成西岑园区配套学校选址和项目立项。", "due": date(2026, 12, 31)}),
        ],
    },
]

REPLY_CONTACT = _REPLY_CONTACT
