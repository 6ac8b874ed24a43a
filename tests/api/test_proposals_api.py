"""Issue 25, Interfaces: the handling flow of 建议提案 through /api/v1/proposals and its webhooks.

A joint 人大建议 (two proposers) is assigned by a coordinator's token to 区人社局 (主办) with 区财政局 and
区发改委 (协办); the 主办 signs, one 协办 returns it with a reason; the coordinator records the reply and
issues the proposers' personal rating links; a proposer rates 不满意 on /rate/<token> (never through the
API) and the item goes back for 重新办理. Each write is the web page's service; each step is in the item's
history with who and when, and reaches the webhooks subscribed to it. Wrong roles get 403, bad bodies 400
(malformed) or 422 (refused by a rule), and a refused request changes nothing.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.api.test_api import World, assert_error
from tests.conftest import csrf_token_from
from tests.webhooks.conftest import Receiver
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role, User
from tracker.common.clock import utcnow
from tracker.extensions import db
from tracker.proposals.handling import set_proposers
from tracker.proposals.models import Proposal, ProposalKind, ProposalReceipt, RatingLink
from tracker.proposals.services import save_proposal
from tracker.outbox.models import DeliveryChannel, Notification
from tracker.reminders.sender import send_pending
from tracker.units.models import Unit
from tracker.webhooks.models import WebhookFormat
from tracker.webhooks.services import save_webhook

DAY = date(2026, 1, 20)  # a Tuesday
MEETING = "区十八届人大六次会议"
PROPOSAL_EVENTS = ("proposal_assigned", "proposal_received", "proposal_returned", "proposal_answered",
                   "proposal_rated", "proposal_rehandling")


@pytest.fixture
def world(seeded, on_date, client):
    on_date(DAY)
    return World(client)


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def unit_id(short_name: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.short_name == short_name))


def login_of(short_name: str) -> str:
    return db.session.scalar(select(User.login).where(User.unit_id == unit_id(short_name), User.role == Role.unit)
                             .order_by(User.id))


def new_item(*, meeting=MEETING, number="0012", kind=ProposalKind.npc, main="区人社局", co=()) -> int:
    proposal = save_proposal(None, None, kind=kind, meeting=meeting, number=number,
                             title="关于加快西岑园人才公寓建设的建议", main_unit_id=unit_id(main),
                             co_unit_ids=[unit_id(name) for name in co], assigned_on=DAY)
    db.session.flush()
    set_proposers(None, proposal, [{"name": "张三", "group": "青浦代表团", "contact": "13800000000"},
                                   {"name": "李四", "group": "青浦代表团"}])
    db.session.commit()
    return proposal.id


def flow_state() -> dict:
    """Every row of the flow, the audit count and the outbox: what a refused request must leave alone."""
    db.session.remove()

    def rows(model):
        return sorted(tuple(getattr(row, column.key) for column in model.__table__.columns)
                      for row in db.session.scalars(select(model)))

    return {"proposals": rows(Proposal), "receipts": rows(ProposalReceipt), "links": rows(RatingLink),
            "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)
                                       .where(AuditEvent.object_type != "api_tokens")),
            "outbox": db.session.scalar(select(func.count()).select_from(Notification))}


def post(world, login, url, body):
    return world.call(login, "POST", url, json=body)


def assigned(world, item: int) -> dict:
    response = post(world, "coordinator", f"/api/v1/proposals/{item}/assign",
                    {"main_unit_id": unit_id("区人社局"), "co_unit_ids": [unit_id("区财政局"), unit_id("区发改委")]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def rate_as_proposer(world, url: str, rating: str):
    """The proposer opens the personal link on their own phone (no login) and rates."""
    phone, path = world.client.application.test_client(), url.removeprefix("http://localhost")
    page = phone.get(path)
    assert page.status_code == 200, page.text
    return phone.post(path, data={"rating": rating, "csrf_token": csrf_token_from(page.text)})


def add_webhook(url: str, events) -> int:
    admin = db.session.scalar(select(User).where(User.login == "admin"))
    hook = save_webhook(admin, None, name="提案群", format=WebhookFormat.wecom, url=url, events=list(events))
    db.session.commit()
    return hook.id


# --- reading -----------------------------------------------------------------------------------------------

def test_the_list_filters_by_session_kind_unit_and_state_pages_and_shows_a_unit_only_its_items(world):
    first = new_item(co=("区财政局",))
    second = new_item(meeting="区政协十六届一次会议", number="7", kind=ProposalKind.cppcc, main="区发改委")

    def ids(login, query=""):
        response = world.get(login, f"/api/v1/proposals{query}")
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert {first, second} <= set(ids("coordinator", "?per_page=200"))
    assert ids("coordinator", f"?meeting={MEETING}") == [first]
    assert ids("coordinator", "?kind=cppcc&meeting=区政协十六届一次会议") == [second]
    assert ids("coordinator", f"?unit_id={unit_id('区财政局')}&meeting={MEETING}") == [first]  # a 协办 unit
    assert ids("coordinator", f"?state=assigned&kind=npc&meeting={MEETING}") == [first]
    assert ids("coordinator", f"?state=replied&meeting={MEETING}") == []
    one = world.get("coordinator", f"/api/v1/proposals?meeting={MEETING}&per_page=1&page=1").get_json()
    assert (one["total"], one["page"], one["per_page"], len(one["items"])) == (1, 1, 1, 1)
    assert one["items"][0]["kind"] == "npc" and one["items"][0]["proposers"] == "张三、李四等代表"

    assert ids(login_of("区财政局"), "?per_page=200") == [first]  # its own items only
    assert ids(login_of("区发改委"), "?per_page=200") == [second]
    error = assert_error(world.get("coordinator", "/api/v1/proposals?kind=cppc"), 400, "invalid_request")
    assert set(error["fields"]) == {"kind"} and "cppcc" in error["fields"]["kind"]


def test_the_item_shows_its_proposers_receipts_and_every_step_with_who_and_when(world):
    item = new_item()
    assigned(world, item)
    detail = world.get(login_of("区人社局"), f"/api/v1/proposals/{item}")
    assert detail.status_code == 200
    body = detail.get_json()
    assert [(p["position"], p["name"], p["group"]) for p in body["people"]] == [(1, "张三", "青浦代表团"),
                                                                               (2, "李四", "青浦代表团")]
    assert {(r["unit"]["short_name"], r["role"], r["state"]) for r in body["receipts"]} == {
        ("区人社局", "main", "pending"), ("区财政局", "co", "pending"), ("区发改委", "co", "pending")}
    assert body["receipts"][0]["sign_due_on"] == "2026-02-03"  # 10 working days after 交办
    assert body["reply_due_on"] == "2026-04-20"  # 3 months
    step = body["history"][-1]
    assert step["action"] == "proposal.assigned" and step["actor"] == "区府办督查科" and step["at"]
    assert "区人社局（主办）" in step["text"] and "区财政局（协办）" in step["text"]
    assert [s["action"] for s in body["history"]] == ["proposal.created", "proposal.proposers_set",
                                                      "proposal.assigned"]
    assert_error(world.get("qingxiban", f"/api/v1/proposals/{item}"), 403, "forbidden")
    assert_error(world.get("coordinator", "/api/v1/proposals/999999"), 404, "not_found")


# --- the steps ----------------------------------------------------------------------------------------------

def test_assign_sign_return_reply_and_rating_links_through_the_api(world):
    item = new_item()
    outsider, main, co = "qingxiban", login_of("区人社局"), login_of("区财政局")

    # 交办 is the coordinators': a unit's token is refused and changes nothing
    before = flow_state()
    for login in (main, outsider):
        assert_error(post(world, login, f"/api/v1/proposals/{item}/assign", {}), 403, "forbidden")
    assert flow_state() == before
    body = assigned(world, item)
    assert body["state"] == "assigned" and body["assigned_on"] == "2026-01-20"

    # 签收 by the 主办; nobody else signs in its place
    for login in ("coordinator", outsider):
        assert_error(post(world, login, f"/api/v1/proposals/{item}/receipt", {"decision": "sign"}), 403)
    signed = post(world, main, f"/api/v1/proposals/{item}/receipt", {"decision": "sign"})
    assert signed.status_code == 200, signed.get_json()
    states = {r["unit"]["short_name"]: r["state"] for r in signed.get_json()["receipts"]}
    assert states == {"区人社局": "signed", "区财政局": "pending", "区发改委": "pending"}

    # 退回 needs a reason (422, a clear message, nothing changed); malformed bodies are 400
    before = flow_state()
    error = assert_error(post(world, co, f"/api/v1/proposals/{item}/receipt", {"decision": "return"}), 422,
                         "rule_violation")
    assert error["message"] == "退回须说明理由。"
    error = assert_error(post(world, co, f"/api/v1/proposals/{item}/receipt", {"decision": "pass_on"}), 400)
    assert set(error["fields"]) == {"decision"}
    error = assert_error(post(world, co, f"/api/v1/proposals/{item}/receipt",
                              {"decision": "return", "reason": "x" * 2001}), 400)
    assert set(error["fields"]) == {"reason"}
    assert_error(post(world, co, f"/api/v1/proposals/{item}/receipt", {"decision": "return", "to_unit": 3}), 400)
    assert flow_state() == before
    returned = post(world, co, f"/api/v1/proposals/{item}/receipt", {"decision": "return", "reason": "不属于本单位职责"})
    assert returned.status_code == 200
    body = returned.get_json()
    assert [u["short_name"] for u in body["co_units"]] == ["区发改委"]  # a returned 协办 leaves the item
    receipt = next(r for r in body["receipts"] if r["unit"]["short_name"] == "区财政局")
    assert (receipt["state"], receipt["return_reason"]) == ("returned", "不属于本单位职责")
    assert_error(post(world, co, f"/api/v1/proposals/{item}/receipt", {"decision": "sign"}), 403)  # off the item now

    # the reply (答复) is recorded by a coordinator, with the edit form's rules
    reply = {"reply_on": "2026-03-20", "result_category": "解决采纳", "reply_doc_number": "青人社提复〔2026〕3号",
             "publicity": "主动公开", "reply_text": "关于人才公寓建设……"}
    before = flow_state()
    assert_error(post(world, main, f"/api/v1/proposals/{item}/reply", reply), 403)
    error = assert_error(post(world, "coordinator", f"/api/v1/proposals/{item}/reply",
                              {**reply, "result_category": "A"}), 422, "rule_violation")
    assert "解决采纳" in error["message"] and "“A”" in error["message"]
    error = assert_error(post(world, "coordinator", f"/api/v1/proposals/{item}/reply",
                              {**reply, "reply_on": "2026-01-10"}), 422)
    assert error["message"] == "答复日期不能早于交办日期。"
    error = assert_error(post(world, "coordinator", f"/api/v1/proposals/{item}/reply",
                              {**reply, "reply_on": "20.3.2026"}), 400)
    assert set(error["fields"]) == {"reply_on"}
    assert_error(post(world, "coordinator", f"/api/v1/proposals/{item}/reply", {**reply, "version": 99}), 409)
    assert flow_state() == before
    answered = post(world, "coordinator", f"/api/v1/proposals/{item}/reply", reply)
    assert answered.status_code == 200, answered.get_json()
    body = answered.get_json()
    assert (body["state"], body["reply_on"], body["result_category"], body["reply_doc_number"]) == (
        "replied", "2026-03-20", "解决采纳", "青人社提复〔2026〕3号")
    assert body["reply_text"] == "关于人才公寓建设……"

    # personal rating links, for the coordinator to send: one per proposer, or one for a named proposer
    assert_error(post(world, main, f"/api/v1/proposals/{item}/rating-links", {}), 403)
    links = post(world, "coordinator", f"/api/v1/proposals/{item}/rating-links", {})
    assert links.status_code == 201
    urls = {link["proposer"]["name"]: link["url"] for link in links.get_json()["links"]}
    assert set(urls) == {"张三", "李四"} and all(re.search(r"/rate/[\w-]{40,}$", url) for url in urls.values())
    lead_id = body["people"][0]["id"]
    one = post(world, "coordinator", f"/api/v1/proposals/{item}/rating-links", {"proposer_id": lead_id})
    assert one.status_code == 201 and [link["proposer"]["id"] for link in one.get_json()["links"]] == [lead_id]
    other_item = new_item(number="0013")
    stranger = db.session.get(Proposal, other_item).people[0].id
    error = assert_error(post(world, "coordinator", f"/api/v1/proposals/{item}/rating-links",
                              {"proposer_id": stranger}), 422)
    assert error["message"] == "提案人不属于该件。"
    assert db.session.scalar(select(func.count()).select_from(RatingLink)) == 3

    # the proposer rates on the personal page (no login): 不满意 → 重新办理
    assert rate_as_proposer(world, urls["张三"], "不满意").status_code == 302
    again = world.get("coordinator", f"/api/v1/proposals/{item}").get_json()
    assert (again["state"], again["rehandling_count"], again["feedback"]) == ("replying", 1, "")
    actions = [step["action"] for step in again["history"]]
    assert actions == ["proposal.created", "proposal.proposers_set", "proposal.assigned", "proposal.signed",
                       "proposal.returned", "proposal.updated", "proposal.rating_link_issued",
                       "proposal.rating_link_issued", "proposal.rating_link_issued", "proposal.rated"]
    who = {step["action"]: step["actor"] for step in again["history"]}
    assert who["proposal.signed"] == "区人社局联络员" and who["proposal.returned"] == "区财政局联络员"
    assert "不满意" in again["history"][-1]["text"] and "重新办理" in again["history"][-1]["text"]


def test_nobody_rates_through_the_api(world):
    """The rating is the proposer's own (/rate/<token>): no API route takes one, with any token."""
    item = new_item()
    assigned(world, item)
    post(world, login_of("区人社局"), f"/api/v1/proposals/{item}/receipt", {"decision": "sign"})
    post(world, "coordinator", f"/api/v1/proposals/{item}/reply", {"reply_on": "2026-03-20",
                                                                   "result_category": "解决采纳"})
    token = post(world, "coordinator", f"/api/v1/proposals/{item}/rating-links",
                 {}).get_json()["links"][0]["url"].rsplit("/", 1)[1]
    before = flow_state()
    for login in (login_of("区人社局"), "coordinator", "admin"):
        for url in (f"/api/v1/proposals/{item}/rating", f"/api/v1/proposals/{item}/rate", f"/api/v1/rate/{token}",
                    f"/api/v1/proposals/{item}/rating-links/{token}"):
            response = post(world, login, url, {"rating": "满意", "token": token})
            assert response.status_code in (404, 405), (login, url, response.status_code)
        # the reply endpoint records the unit's answer only: a rating in it is an unknown field
        error = assert_error(post(world, login, f"/api/v1/proposals/{item}/reply",
                                  {"reply_on": "2026-03-20", "result_category": "解决采纳", "feedback": "满意"}),
                             403 if login == login_of("区人社局") else 400)
        if error["code"] == "invalid_request":
            assert set(error["fields"]) == {"feedback"}
    assert flow_state() == before
    document = world.client.get("/api/v1/openapi.json").get_json()
    body_fields = {name for item_ in document["paths"].values() for operation in item_.values()
                   for name in operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                   .get("schema", {}).get("properties", {})}
    assert not body_fields & {"rating", "feedback", "token"}


# --- webhooks -----------------------------------------------------------------------------------------------

def test_a_returned_item_reaches_the_subscribed_robot(world, receiver):
    receiver.start()
    returns_only = add_webhook(receiver.url(), ["proposal_returned"])
    add_webhook(receiver.url("/other?key=x"), ["overdue_digest"])  # not subscribed to proposals
    item = new_item()
    assigned(world, item)
    post(world, login_of("区财政局"), f"/api/v1/proposals/{item}/receipt", {"decision": "return", "reason": "不属于本单位职责"})
    rows = list(db.session.scalars(select(Notification).where(Notification.channel == DeliveryChannel.webhook)))
    assert [(row.kind.value, row.webhook_id) for row in rows] == [("proposal_returned", returns_only)]
    result = send_pending(utcnow() + timedelta(seconds=1))
    assert result.sent == 1
    [call] = receiver.calls
    content = call.json["markdown"]["content"]
    assert "【建议提案退回】区十八届人大六次会议第0012号" in content
    assert "青浦区财政局（协办）退回：不属于本单位职责" in content
    assert f"/proposals/{item}" in content


def test_every_step_publishes_its_event_once(world):
    hook = add_webhook("http://127.0.0.1:9/robot", PROPOSAL_EVENTS)
    item = new_item()
    assigned(world, item)
    post(world, login_of("区人社局"), f"/api/v1/proposals/{item}/receipt", {"decision": "sign"})
    post(world, login_of("区财政局"), f"/api/v1/proposals/{item}/receipt", {"decision": "return", "reason": "非本单位职责"})
    post(world, "coordinator", f"/api/v1/proposals/{item}/reply", {"reply_on": "2026-03-20",
                                                                   "result_category": "留作参考"})
    urls = [link["url"] for link in post(world, "coordinator", f"/api/v1/proposals/{item}/rating-links",
                                         {}).get_json()["links"]]
    assert rate_as_proposer(world, urls[0], "不满意").status_code == 302
    kinds = sorted(row.kind.value for row in db.session.scalars(
        select(Notification).where(Notification.webhook_id == hook)))
    assert kinds == sorted(["proposal_assigned", "proposal_received", "proposal_returned", "proposal_answered",
                            "proposal_rated", "proposal_rehandling"])
    # a second reply after 重新办理 is a new answer
    post(world, "coordinator", f"/api/v1/proposals/{item}/reply", {"reply_on": "2026-04-10",
                                                                   "result_category": "解决采纳"})
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.webhook_id == hook, Notification.kind == "proposal_answered")) == 2
