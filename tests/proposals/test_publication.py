"""答复公开: answered 主动公开 replies appear on the public pages (list and full text) with the unit's contacts
masked by one function; 依申请公开 replies are not published and 不予公开 items never appear."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.proposals.c2_helpers import answer, item
from tracker.extensions import db
from tracker.proposals.models import Proposal
from tracker.proposals.publication import MASK, mask_contacts

HOSTILE = [
    # (text, what must be gone, what must stay)
    ("联系电话：0571-87654321", ["0571", "87654321"], ["联系电话："]),
    ("如有疑问请致电13812345678或138 1234 5678、+86 138-1234-5678。", ["1381234", "138 1234", "5678"], ["如有疑问请致电"]),
    ("电话（021）23119322转123，传真:021 6922 1234", ["23119322", "6922", "1234"], ["电话"]),
    ("联系电话：52564588-3335", ["52564588", "3335"], []),
    ("全角：０５７１－８７６５４３２１", ["87654321", "８７６５"], []),
    ("联系地址：大渡河路 1668 号 2 号楼 1109 室 邮政编码：200333", ["大渡河路", "1668", "1109", "200333"], ["邮政编码"]),
    ("请将材料寄至杭州市西湖区文三路90号东部软件园3号楼5层，邮编310012。", ["文三路", "90号", "310012"], ["请将材料寄至"]),
    ("地址:威海路48号1001室(200003)", ["威海路", "48号", "200003"], []),
    ("联系人姓名：沈 雄\n联系人 王老师\n经办人：赵六", ["沈", "王老师", "赵六"], ["联系人"]),
    ("邮箱：rensheju@example.gov.cn", ["rensheju", "example.gov.cn"], []),
]


@pytest.mark.parametrize("text, gone, kept", HOSTILE)
def test_contacts_are_masked_in_hostile_text(text, gone, kept):
    masked = mask_contacts(text, names=["沈雄"])
    assert MASK in masked
    for fragment in gone:
        assert fragment not in masked, (fragment, masked)
    for fragment in kept:
        assert fragment in masked


def test_the_work_done_stays_readable():
    text = "全年完成项目对接20项，投入资金1500万元，覆盖200333户；沪科提复〔2025〕53号，第0746号提案，2025年6月底前完成。"
    assert mask_contacts(text) == text


def test_only_answered_public_replies_are_published_with_contacts_masked(seeded, client, on_date):
    reply = ("池洪委员：\n您提出的关于人才公寓的提案收悉，现答复如下。\n我局将于2026年底前建成人才公寓二期。\n"
             "联系人：王小明\n联系电话：021-59730606\n联系地址：青浦区公园路100号 邮政编码：201700")
    published = answer(item("0501"), reply_on=date(2026, 4, 1), category="解决采纳", reply_text=reply)
    published.contact_name, published.contact_phone = "王小明", "021-59730606"
    on_request = answer(item("0502"), reply_on=date(2026, 4, 2), category="解决采纳", publicity="依申请公开",
                        reply_text="依申请公开的答复。")
    never = answer(item("0503"), reply_on=date(2026, 4, 3), category="解决采纳", publicity="不予公开",
                   reply_text="不予公开的答复。")
    pending = item("0504")
    pending.publicity = "主动公开"
    future = answer(item("0505"), reply_on=date(2026, 4, 20), category="解决采纳", reply_text="将来的答复。")
    db.session.commit()
    ids = {name: p.id for name, p in (("published", published), ("on_request", on_request), ("never", never),
                                      ("pending", pending), ("future", future))}
    on_date(date(2026, 4, 10))
    listing = client.get("/public/proposals")
    assert listing.status_code == 200
    assert f"/public/proposals/{ids['published']}" in listing.text
    for name in ("on_request", "never", "pending", "future"):
        assert f"/public/proposals/{ids[name]}\"" not in listing.text, name
        assert client.get(f"/public/proposals/{ids[name]}").status_code == 404, name
    seeded_ids = list(db.session.scalars(select(Proposal.id).where(Proposal.meeting == "市政协十四届三次会议")))
    assert all(f"/public/proposals/{pid}\"" in listing.text for pid in seeded_ids)  # the seed's 主动公开 replies
    page = client.get(f"/public/proposals/{ids['published']}")
    assert page.status_code == 200
    text = page.text
    assert "我局将于2026年底前建成人才公寓二期。" in text and "池洪委员" in text
    for secret in ("王小明", "59730606", "公园路", "201700"):
        assert secret not in text, secret
    assert "/public/proposals" in client.get("/public").text
    assert client.get("/public/proposals/99999999999999").status_code == 404


def test_the_seeded_replies_are_published_without_their_contacts(seeded, client):
    proposal = db.session.scalar(select(Proposal).where(Proposal.number == "第155129号"))
    text = client.get(f"/public/proposals/{proposal.id}").text
    assert "沿沪宁" in text
    for secret in ("杨益", "52564588", "大渡河路", "200333"):
        assert secret not in text, secret
