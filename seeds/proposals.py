"""CPPCC proposal replies (政协提案答复) as seed data.

Read from seeds/documents/proposal-reply-*.txt.  Metadata is copied from the
documents (layout spaces removed, e.g. "沈 雄" -> "沈雄"); ``commitments``
are abridged from the parts of each reply that promise further work.

Notes:
- 0746: the reply says 市科委 studied the proposal "同市发展改革委、市经济信息化委
  等相关部门"; those two are recorded as co_units (the reply does not use
  the word 会办单位 explicitly).
- 155129: the meeting is written "区政协十五届五次会议" in the reply; the
  district is 普陀区 (the replying unit is 普陀区科委).  No co-units named.
- Both replies print the publicity as "主动公开·全文"; ``publicity`` keeps
  the category "主动公开" (the "·全文" scope is not stored).
"""

from datetime import date

PROPOSALS = [
    {
        "meeting": "市政协十四届三次会议",
        "number": "第0746号",
        "title": "关于加大政策支持力度加快培育壮大西岑科创中心产业",
        "proposers": "池洪、卢薪、曹卫东等委员",
        "main_unit": "市科委",
        "co_units": ["市发展改革委", "市经济信息化委"],
        "reply_doc_number": "沪科提复〔2025〕53号",
        "reply_date": date(2025, 6, 25),
        "result_category": "解决采纳",
        "publicity": "主动公开",
        "contact_name": "沈雄",
        "contact_phone": "23119322",
        "contact_address": "威海路48号1001室",
        "source_document": "proposal-reply-huketifu-2025-53.txt",
        "commitments": [
            "积极推动西岑科创中心建设纳入《“十五五”上海国际科技创新中心建设规划》，提升其在上海科创中心中的显示度",
            "以华为专班为依托，探索建立与华为的产业合作沟通机制，联合研究产业链协同发展路径",
            "会同青浦区遴选全球资源，引进一流孵化人才（团队），培育建设高能级、专业化的科技孵化器",
        ],
    },
    {
        "meeting": "区政协十五届五次会议",
        "number": "第155129号",
        "title": "关于加强长三角协同、以科创驱动发展的建议",
        "proposers": "郁芳委员",
        "main_unit": "普陀区科委",
        "co_units": [],
        "reply_doc_number": "普科委〔2025〕22号",
        "reply_date": date(2025, 5, 12),
        "result_category": "部分采纳或解决",
        "publicity": "主动公开",
        "contact_name": "杨益",
        "contact_phone": "52564588-3335",
        "contact_address": "大渡河路1668号2号楼1109室",
        "source_document": "proposal-reply-pukewei-2025-22.txt",
        "commitments": [
            "加强与各地科技局、区内单位的互动对接，尽快完成沿沪宁城市和普陀区需求清单、资源清单、合作清单“三张清单”梳理挖掘完善工作",
            "“沿沪宁协同创新集市”小程序预计二季度完成首轮数据核验，组织开展联合测试",
            "依托国家东部技术转移中心技术经理人资源和InnoMatch平台，组建沿沪宁技术经理人联盟，促成产学研合作",
        ],
    },
]
