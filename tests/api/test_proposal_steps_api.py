"""Issue 25, Interfaces: the handling steps of 建议提案 added since the first API routes — 沟通协商 (contacts),
协办意见 and 会签, 延期 of the reply, 承诺事项 — through /api/v1, each calling the service the item's page calls.

A 人大建议 of two proposers is assigned by a coordinator to 区人社局 (主办) with 区财政局 and 区发改委 (协办).
Each operation: a success a user notices (the row in the list call, on the item's page, in its history; a
会签 lets the reply through), a wrong unit's 403, and bad input refused (400 malformed, 422 refused by a
rule) with nothing written.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.api.test_api import World, assert_error
from tests.api.test_proposals_api import flow_state, login_of, new_item, post, unit_id
from tracker.extensions import db
from tracker.proposals.models import (CoOpinion, Cosign, CosignDraft, Proposal, ProposalContact, ProposalPromise,
                                      ReplyExtension)

DAY = date(2026, 1, 20)  # a Tuesday; 交办 today
MAIN, CO, OTHER_CO, OUTSIDER = "区人社局", "区财政局", "区发改委", "qingxiban"


@pytest.fixture
def world(seeded, on_date, client):
    on_date(DAY)
    return World(client)


def steps_state() -> dict:
    """Every row the steps write, besides the flow's rows, audit and outbox (flow_state)."""
    state = flow_state()

    def rows(model):
        return sorted(tuple(str(getattr(row, column.key)) for column in model.__table__.columns)
                      for row in db.session.scalars(select(model)))

    for model in (ProposalContact, CoOpinion, CosignDraft, Cosign, ReplyExtension, ProposalPromise):
        state[model.__tablename__] = rows(model)
    return state


def assigned_item(world, *, sign=(MAIN, CO)) -> int:
    """An item assigned to 区人社局 (主办) with 区财政局 and 区发改委 (协办), signed by ``sign``."""
    item = new_item()
    response = post(world, "coordinator", f"/api/v1/proposals/{item}/assign",
                    {"main_unit_id": unit_id(MAIN), "co_unit_ids": [unit_id(CO), unit_id(OTHER_CO)]})
    assert response.status_code == 200, response.get_json()
    for unit in sign:
        signed = post(world, login_of(unit), f"/api/v1/proposals/{item}/receipt", {"decision": "sign"})
        assert signed.status_code == 200, signed.get_json()
    return item


def history(world, item: int) -> list[str]:
    return [step["action"] for step in world.get("coordinator", f"/api/v1/proposals/{item}").get_json()["history"]]


# --- 沟通协商 -------------------------------------------------------------------------------------------------

CONTACT = {"contact_on": "2026-01-20", "way": "见面", "stage": "before", "proposer_names": ["张三"],
           "unit_people": "王五（副局长）", "agreed": "年内启动人才公寓选址。"}


def test_a_contact_recorded_through_the_api_is_in_the_list_on_the_page_and_in_the_history(world, browser):
    item = assigned_item(world)
    url = f"/api/v1/proposals/{item}/contacts"
    assert world.get(login_of(MAIN), url).get_json()["items"] == []

    # a unit not on the item, and a leader (who reads only), are refused; nothing is written
    before = steps_state()
    for login in (OUTSIDER, "leader"):
        assert_error(post(world, login, url, CONTACT), 403, "forbidden")
    assert_error(world.get(OUTSIDER, url), 403, "forbidden")
    # malformed: a way not on the list, a stage, a name that is not a list, a date not ISO, a missing field
    error = assert_error(post(world, login_of(CO), url, {**CONTACT, "way": "微信", "stage": "soon",
                                                         "proposer_names": "张三", "contact_on": "2026/01/20"}),
                         400, "invalid_request")
    assert set(error["fields"]) == {"way", "stage", "proposer_names", "contact_on"}
    assert "见面" in error["fields"]["way"]
    error = assert_error(post(world, login_of(CO), url, {k: v for k, v in CONTACT.items() if k != "agreed"}), 400)
    assert set(error["fields"]) == {"agreed"}
    # refused by the rules of the page: a date in the future, a proposer of another item, 办后 before the reply
    for changes, message in (({"contact_on": "2026-01-21"}, "沟通日期不能晚于今天。"),
                             ({"proposer_names": ["王二"]}, "所选提案人不属于该件。"),
                             ({"stage": "after"}, "答复后才能登记办后沟通。")):
        error = assert_error(post(world, login_of(CO), url, {**CONTACT, **changes}), 422, "rule_violation")
        assert error["message"] == message
    assert steps_state() == before

    # the 协办 records its own contact; a coordinator records one for the 主办
    created = post(world, login_of(CO), url, {**CONTACT, "agreed": "年内启动\x00人才公寓选址。"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["unit"]["short_name"], body["way"], body["stage"], body["proposer_names"], body["agreed"]) == (
        CO, "见面", "before", ["张三"], "年内启动人才公寓选址。")  # the control character is dropped
    assert body["recorded_by"]["display_name"] == "区财政局联络员"
    by_office = post(world, "coordinator", url, {**CONTACT, "way": "电话", "stage": "during",
                                                 "proposer_names": ["李四", "张三"], "agreed": "电话沟通进度。"})
    assert by_office.status_code == 201
    assert by_office.get_json()["unit"]["short_name"] == MAIN and by_office.get_json()["proposer_names"] == [
        "张三", "李四"]  # in the item's order

    listed = world.get(login_of(MAIN), url).get_json()
    assert [(row["unit"]["short_name"], row["way"]) for row in listed["items"]] == [(CO, "见面"), (MAIN, "电话")]
    assert listed["total"] == 2
    one = world.get(login_of(MAIN), url + "?per_page=1&page=2").get_json()
    assert [row["way"] for row in one["items"]] == ["电话"] and one["total"] == 2
    page = browser(login_of(MAIN)).get(f"/proposals/{item}")
    assert "年内启动人才公寓选址。" in page.text and "电话沟通进度。" in page.text
    assert history(world, item).count("proposal.contact_recorded") == 2


# --- 协办意见 and 会签 ---------------------------------------------------------------------------------------

def test_co_opinion_draft_and_cosign_through_the_api_and_the_cosign_lets_the_reply_through(world, browser):
    item = assigned_item(world)  # 区财政局 has signed; 区发改委 has not (it is not waited for)
    base = f"/api/v1/proposals/{item}"
    state = world.get("coordinator", f"{base}/cosign").get_json()
    assert [(line["unit"]["short_name"], line["opinion"]) for line in state["opinions"]] == [(CO, None),
                                                                                          (OTHER_CO, None)]
    assert state["opinions"][0]["due_on"] == "2026-02-20"  # one month after 交办
    assert state["draft"] is None and [u["short_name"] for u in state["missing"]] == [CO]
    assert_error(world.get(OUTSIDER, f"{base}/cosign"), 403)

    # 协办意见: only the 协办 itself; bad bodies are 400; an unsigned 协办 is refused by the rule
    before = steps_state()
    for login in (login_of(MAIN), "coordinator", OUTSIDER):
        assert_error(post(world, login, f"{base}/co-opinion", {"text": "意见"}), 403, "forbidden")
    for body, field in (({"text": ""}, "text"), ({"text": "x" * 5001}, "text"), ({"text": 5}, "text"),
                        ({"text": "意见", "unit_id": 3}, "unit_id")):
        error = assert_error(post(world, login_of(CO), f"{base}/co-opinion", body), 400, "invalid_request")
        assert set(error["fields"]) == {field}
    error = assert_error(post(world, login_of(OTHER_CO), f"{base}/co-opinion", {"text": "意见"}), 422)
    assert error["message"] == "请先签收该件。"
    assert steps_state() == before
    sent = post(world, login_of(CO), f"{base}/co-opinion", {"text": "建议写明资金来源。"})
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["own_role"] == "co"
    assert [line["opinion"]["text"] for line in sent.get_json()["opinions"]] == ["建议写明资金来源。"]  # its own only
    seen_by_main = world.get(login_of(MAIN), f"{base}/cosign").get_json()
    assert {line["unit"]["short_name"]: (line["opinion"] or {}).get("text") for line in seen_by_main["opinions"]} == {
        CO: "建议写明资金来源。", OTHER_CO: None}
    assert "建议写明资金来源。" in browser(login_of(MAIN)).get(f"/proposals/{item}").text

    # the reply waits for the 会签 of the signed 协办
    reply = {"reply_on": "2026-03-20", "result_category": "解决采纳", "reply_text": "答复全文"}
    error = assert_error(post(world, "coordinator", f"{base}/reply", reply), 422, "rule_violation")
    assert "区财政局" in error["message"] and "会签" in error["message"]

    # the draft goes out from the 主办 only
    before = steps_state()
    for login in (login_of(CO), "coordinator"):
        assert_error(post(world, login, f"{base}/cosign-draft", {"text": "答复稿"}), 403, "forbidden")
    assert set(assert_error(post(world, login_of(MAIN), f"{base}/cosign-draft", {}), 400)["fields"]) == {"text"}
    assert steps_state() == before
    drafted = post(world, login_of(MAIN), f"{base}/cosign-draft", {"text": "关于人才公寓建设的答复（稿）"})
    assert drafted.status_code == 200, drafted.get_json()
    draft = drafted.get_json()["draft"]
    assert (draft["text"], draft["sent_on"], draft["due_on"], draft["round"], draft["cosigns"]) == (
        "关于人才公寓建设的答复（稿）", "2026-01-20", "2026-01-27", 1, [])  # 5 working days
    assert [u["short_name"] for u in drafted.get_json()["missing"]] == [CO]

    # 会签: by the 协办 only; 不同意 needs a reason
    before = steps_state()
    for login in (login_of(MAIN), "coordinator", OUTSIDER):
        assert_error(post(world, login, f"{base}/cosign", {"decision": "agree"}), 403, "forbidden")
    error = assert_error(post(world, login_of(CO), f"{base}/cosign", {"decision": "yes"}), 400)
    assert set(error["fields"]) == {"decision"}
    error = assert_error(post(world, login_of(CO), f"{base}/cosign", {"decision": "disagree"}), 422)
    assert error["message"] == "不同意须说明理由。"
    assert steps_state() == before
    signed = post(world, login_of(CO), f"{base}/cosign", {"decision": "agree"})
    assert signed.status_code == 200, signed.get_json()
    assert [(c["unit"]["short_name"], c["agreed"]) for c in signed.get_json()["draft"]["cosigns"]] == [(CO, True)]
    assert signed.get_json()["missing"] == []
    assert_error(post(world, login_of(CO), f"{base}/cosign", {"decision": "agree"}), 422)  # once per draft

    answered = post(world, "coordinator", f"{base}/reply", reply)
    assert answered.status_code == 200, answered.get_json()
    assert answered.get_json()["state"] == "replied"
    assert [a for a in history(world, item) if a.startswith("proposal.co")] == [
        "proposal.co_opinion_sent", "proposal.cosign_draft_sent", "proposal.cosigned"]


# --- 延期 ----------------------------------------------------------------------------------------------------

def test_an_extension_requested_and_approved_through_the_api_moves_the_reply_deadline(world):
    item = assigned_item(world)
    base = f"/api/v1/proposals/{item}"
    assert world.get(login_of(MAIN), f"{base}/extensions").get_json()["items"] == []
    assert_error(world.get(login_of(CO), f"{base}/extensions"), 403)  # a 协办 does not see them, as on the page

    ask = {"requested_due_on": "2026-05-20", "reason": "需与市级部门会商。"}
    before = steps_state()
    for login in (login_of(CO), "coordinator", OUTSIDER):
        assert_error(post(world, login, f"{base}/extensions", ask), 403, "forbidden")
    error = assert_error(post(world, login_of(MAIN), f"{base}/extensions",
                              {"requested_due_on": "next month", "reason": ""}), 400)
    assert set(error["fields"]) == {"requested_due_on", "reason"}
    error = assert_error(post(world, login_of(MAIN), f"{base}/extensions", {**ask, "requested_due_on": "2026-08-20"}),
                         422, "rule_violation")
    assert error["message"] == "答复期限最长为交办后6个月，不能晚于2026-07-20。"
    assert steps_state() == before

    created = post(world, login_of(MAIN), f"{base}/extensions", ask)
    assert created.status_code == 201, created.get_json()
    extension = created.get_json()
    assert (extension["state"], extension["previous_due_on"], extension["requested_due_on"]) == (
        "pending", "2026-04-20", "2026-05-20")
    assert extension["requested_by"]["display_name"] == "区人社局联络员"
    assert [row["id"] for row in world.get("leader", f"{base}/extensions").get_json()["items"]] == [extension["id"]]
    error = assert_error(post(world, login_of(MAIN), f"{base}/extensions", ask), 422)
    assert error["message"] == "已有待审批的延期申请。"

    decide = f"/api/v1/proposals/extensions/{extension['id']}/decision"
    before = steps_state()
    for login in (login_of(MAIN), "leader"):
        assert_error(post(world, login, decide, {"approve": True}), 403, "forbidden")
    assert set(assert_error(post(world, "coordinator", decide, {"approve": "yes"}), 400)["fields"]) == {"approve"}
    error = assert_error(post(world, "coordinator", decide, {"approve": False}), 422)
    assert error["message"] == "不予批准须说明理由。"
    assert_error(post(world, "coordinator", "/api/v1/proposals/extensions/999999/decision", {"approve": True}), 404)
    assert steps_state() == before

    approved = post(world, "coordinator", decide, {"approve": True, "note": "同意"})
    assert approved.status_code == 200, approved.get_json()
    assert (approved.get_json()["state"], approved.get_json()["decision_note"]) == ("approved", "同意")
    assert approved.get_json()["decided_by"]["display_name"] == "区府办督查科"
    assert world.get(login_of(MAIN), base).get_json()["reply_due_on"] == "2026-05-20"
    error = assert_error(post(world, "coordinator", decide, {"approve": True}), 409, "version_conflict")  # decided once
    assert "已由" in error["message"] and "本次审批未保存" in error["message"]
    assert history(world, item)[-2:] == ["proposal.extension_requested", "proposal.extension_decided"]


# --- 承诺事项 ------------------------------------------------------------------------------------------------

def test_promises_added_derived_and_answered_through_the_api(world, on_date, browser):
    item = assigned_item(world, sign=(MAIN,))
    base = f"/api/v1/proposals/{item}"
    reply = {"reply_on": "2026-03-20", "result_category": "部分采纳或解决"}  # class B: it carries promises
    assert post(world, "coordinator", f"{base}/reply", reply).status_code == 200
    assert world.get(login_of(CO), f"{base}/promises").get_json()["items"] == []

    promise = {"text": "2026年底前建成人才公寓一期。", "due_on": "2026-12-31"}
    before = steps_state()
    for login in (login_of(CO), "leader", OUTSIDER):
        assert_error(post(world, login, f"{base}/promises", promise), 403, "forbidden")
    error = assert_error(post(world, login_of(MAIN), f"{base}/promises", {"text": "x" * 5001}), 400)
    assert set(error["fields"]) == {"text", "due_on"}
    error = assert_error(post(world, login_of(MAIN), f"{base}/promises", {**promise, "due_on": "2026-03-01"}), 422)
    assert error["message"] == "承诺完成时限不能早于答复日期。"
    error = assert_error(post(world, login_of(MAIN), f"{base}/promises/derive", {}), 422)
    assert error["message"] == "答复中没有尚未登记的承诺事项。"
    assert_error(post(world, login_of(MAIN), f"{base}/promises/derive", {"all": True}), 400)
    assert steps_state() == before

    added = post(world, login_of(MAIN), f"{base}/promises", promise)
    assert added.status_code == 201, added.get_json()
    assert (added.get_json()["state"], added.get_json()["due_on"], added.get_json()["overdue"]) == (
        "open", "2026-12-31", False)
    # the reply importer's commitments become promises, those not yet promised
    found = db.session.get(Proposal, item)
    found.commitments = [{"text": promise["text"], "due_hint": None},
                         {"text": "完善人才公寓租金补贴办法。", "due_hint": "2026年三季度"}]
    db.session.commit()
    derived = post(world, "coordinator", f"{base}/promises/derive", {})
    assert derived.status_code == 201, derived.get_json()
    assert [(p["text"], p["due_on"]) for p in derived.get_json()["items"]] == [("完善人才公寓租金补贴办法。",
                                                                              "2026-09-30")]
    listed = world.get(login_of(CO), f"{base}/promises").get_json()  # a 协办 reads them
    assert [p["text"] for p in listed["items"]] == ["完善人才公寓租金补贴办法。", promise["text"]]  # due date order

    # 办结后再次答复 closes a promise
    on_date(date(2026, 10, 9))
    promise_id = added.get_json()["id"]
    answer_url = f"{base}/promises/{promise_id}/answer"
    answer = {"text": "一期已建成交付。", "answered_on": "2026-10-09", "answered_by": "王五"}
    other = new_item(number="0013")
    before = steps_state()
    assert_error(post(world, login_of(CO), answer_url, answer), 403, "forbidden")
    error = assert_error(post(world, login_of(MAIN), answer_url, {**answer, "answered_on": "9.10.2026"}), 400)
    assert set(error["fields"]) == {"answered_on"}
    error = assert_error(post(world, login_of(MAIN), answer_url, {**answer, "answered_on": "2026-10-12"}), 422)
    assert error["message"] == "再次答复日期不能晚于今天。"
    assert_error(post(world, "coordinator", f"/api/v1/proposals/{other}/promises/{promise_id}/answer", answer), 404)
    assert steps_state() == before
    kept = post(world, login_of(MAIN), answer_url, answer)
    assert kept.status_code == 200, kept.get_json()
    assert (kept.get_json()["state"], kept.get_json()["answered_by"], kept.get_json()["answer_text"]) == (
        "kept", "王五", "一期已建成交付。")
    rows = {p["text"]: (p["state"], p["overdue"]) for p in world.get("leader", f"{base}/promises").get_json()["items"]}
    assert rows == {promise["text"]: ("kept", False), "完善人才公寓租金补贴办法。": ("open", True)}  # 09-30 passed
    assert "一期已建成交付。" in browser(login_of(MAIN)).get(f"/proposals/{item}").text
    assert_error(post(world, login_of(MAIN), answer_url, answer), 422)  # answered once
    assert db.session.scalar(select(func.count()).select_from(ProposalPromise)) == 2


def test_an_item_answered_a_or_d_takes_no_promise(world):
    item = assigned_item(world, sign=(MAIN,))
    post(world, "coordinator", f"/api/v1/proposals/{item}/reply", {"reply_on": "2026-03-20",
                                                                   "result_category": "解决采纳"})
    before = steps_state()
    error = assert_error(post(world, login_of(MAIN), f"/api/v1/proposals/{item}/promises",
                              {"text": "承诺", "due_on": "2026-12-31"}), 422)
    assert "B类" in error["message"]
    assert steps_state() == before
