"""Unit register (单位名录) for the Duban demo.

Every body that the Xicen action plan (青府发〔2025〕40号) implies as a lead or
cooperating unit, the two towns around the Xicen park, and the issuers of the
two CPPCC proposal replies in ``seeds/documents`` (plus the two municipal
commissions named in the 0746 reply as having studied it with 市科委).

Contact persons, e-mail addresses and district phone numbers are fictitious
demo data (all mail goes to example.gov.cn).  The contact persons and phone
numbers of 市科委 and 普陀区科委 are the ones printed in their replies.

Keys: name, short_name, kind, login, contact_person, emails, phone, parent.
``kind`` is one of: district_bureau, town, state_owned_company,
municipal_commission, other.  ``parent`` is a short_name or None.
"""

UNIT_KINDS = (
    "district_bureau",
    "town",
    "state_owned_company",
    "municipal_commission",
    "other",
)

UNITS = [
    # --- 青浦区 district bodies -------------------------------------------------
    {
        "name": "青浦区青西协同发展专项办公室",
        "short_name": "青西办",
        "kind": "district_bureau",
        "login": "qingxiban",
        "contact_person": "陈立新",
        "emails": ["qingxiban@example.gov.cn", "qingxiban.ducha@example.gov.cn"],
        "phone": "021-59730101",
        "parent": None,
    },
    {
        "name": "青浦区科学技术委员会",
        "short_name": "区科委",
        "kind": "district_bureau",
        "login": "kejiwei",
        "contact_person": "周海燕",
        "emails": ["kejiwei@example.gov.cn"],
        "phone": "021-59730202",
        "parent": None,
    },
    {
        "name": "青浦区经济委员会",
        "short_name": "区经委",
        "kind": "district_bureau",
        "login": "jingwei",
        "contact_person": "徐志强",
        "emails": ["jingwei@example.gov.cn"],
        "phone": "021-59730303",
        "parent": None,
    },
    {
        "name": "青浦区发展和改革委员会",
        "short_name": "区发改委",
        "kind": "district_bureau",
        "login": "fagaiwei",
        "contact_person": "陆佳怡",
        "emails": ["fagaiwei@example.gov.cn"],
        "phone": "021-59730404",
        "parent": None,
    },
    {
        "name": "青浦区财政局",
        "short_name": "区财政局",
        "kind": "district_bureau",
        "login": "caizhengju",
        "contact_person": "钱国平",
        "emails": ["caizhengju@example.gov.cn"],
        "phone": "021-59730505",
        "parent": None,
    },
    {
        "name": "青浦区人力资源和社会保障局",
        "short_name": "区人社局",
        "kind": "district_bureau",
        "login": "rensheju",
        "contact_person": "蒋慧敏",
        "emails": ["rensheju@example.gov.cn"],
        "phone": "021-59730606",
        "parent": None,
    },
    {
        "name": "青浦区商务委员会",
        "short_name": "区商务委",
        "kind": "district_bureau",
        "login": "shangwuwei",
        "contact_person": "沈晓峰",
        "emails": ["shangwuwei@example.gov.cn"],
        "phone": "021-59730707",
        "parent": None,
    },
    {
        "name": "青浦区金融工作办公室",
        "short_name": "区金融办",
        "kind": "district_bureau",
        "login": "jinrongban",
        "contact_person": "顾文杰",
        "emails": ["jinrongban@example.gov.cn"],
        "phone": "021-59730808",
        "parent": None,
    },
    {
        "name": "青浦区生态环境局",
        "short_name": "区生态环境局",
        "kind": "district_bureau",
        "login": "shengtaihuanjingju",
        "contact_person": "朱丽华",
        "emails": ["shengtaihuanjingju@example.gov.cn"],
        "phone": "021-59730909",
        "parent": None,
    },
    {
        "name": "青浦区数据局",
        "short_name": "区数据局",
        "kind": "district_bureau",
        "login": "shujuju",
        "contact_person": "孙浩然",
        "emails": ["shujuju@example.gov.cn"],
        "phone": "021-59731010",
        "parent": None,
    },
    {
        "name": "青浦区规划和自然资源局",
        "short_name": "区规划资源局",
        "kind": "district_bureau",
        "login": "guihuaziyuanju",
        "contact_person": "吴静",
        "emails": ["guihuaziyuanju@example.gov.cn"],
        "phone": "021-59731111",
        "parent": None,
    },
    {
        "name": "青浦区教育局",
        "short_name": "区教育局",
        "kind": "district_bureau",
        "login": "jiaoyuju",
        "contact_person": "张敏",
        "emails": ["jiaoyuju@example.gov.cn"],
        "phone": "021-59731212",
        "parent": None,
    },
    {
        "name": "青浦区卫生健康委员会",
        "short_name": "区卫健委",
        "kind": "district_bureau",
        "login": "weijianwei",
        "contact_person": "李卫东",
        "emails": ["weijianwei@example.gov.cn"],
        "phone": "021-59731313",
        "parent": None,
    },
    # --- district state-owned company ------------------------------------------
    {
        "name": "上海青浦科创集团有限公司",
        "short_name": "青浦科创集团",
        "kind": "state_owned_company",
        "login": "kechuangjituan",
        "contact_person": "王晨阳",
        "emails": ["kechuangjituan@example.gov.cn"],
        "phone": "021-59731414",
        "parent": None,
    },
    # --- towns -----------------------------------------------------------------
    {
        "name": "青浦区金泽镇人民政府",
        "short_name": "金泽镇",
        "kind": "town",
        "login": "jinzezhen",
        "contact_person": "姚建明",
        "emails": ["jinzezhen@example.gov.cn"],
        "phone": "021-59731515",
        "parent": None,
    },
    {
        "name": "青浦区朱家角镇人民政府",
        "short_name": "朱家角镇",
        "kind": "town",
        "login": "zhujiajiaozhen",
        "contact_person": "金雪芳",
        "emails": ["zhujiajiaozhen@example.gov.cn"],
        "phone": "021-59731616",
        "parent": None,
    },
    # --- municipal bodies and other issuers (proposal replies) -----------------
    {
        "name": "上海市科学技术委员会",
        "short_name": "市科委",
        "kind": "municipal_commission",
        "login": "shikewei",
        "contact_person": "沈雄",
        "emails": ["shikewei@example.gov.cn"],
        "phone": "021-23119322",
        "parent": None,
    },
    {
        "name": "上海市发展和改革委员会",
        "short_name": "市发展改革委",
        "kind": "municipal_commission",
        "login": "shifagaiwei",
        "contact_person": "林涛",
        "emails": ["shifagaiwei@example.gov.cn"],
        "phone": "021-23112000",
        "parent": None,
    },
    {
        "name": "上海市经济和信息化委员会",
        "short_name": "市经济信息化委",
        "kind": "municipal_commission",
        "login": "shijingxinwei",
        "contact_person": "黄振宇",
        "emails": ["shijingxinwei@example.gov.cn"],
        "phone": "021-23113000",
        "parent": None,
    },
    {
        "name": "上海市普陀区科学技术委员会",
        "short_name": "普陀区科委",
        "kind": "other",
        "login": "putuokewei",
        "contact_person": "杨益",
        "emails": ["putuokewei@example.gov.cn"],
        "phone": "021-52564588",
        "parent": None,
    },
]

UNITS_BY_SHORT_NAME = {u["short_name"]: u for u in UNITS}
