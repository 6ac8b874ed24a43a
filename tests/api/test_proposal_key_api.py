"""Issue 25, Interfaces: 重点提案 and the supervising leader's 督办意见 through /api/v1, each calling the service
the item's page calls (tracker/proposals/key_items.py).

An item assigned to 区人社局 (主办) with 区财政局 and 区发改委 (协办): a coordinator marks it key under 分管副区长,
then names 常务副区长 instead; only the supervising leader records a 督办意见, which every reader of the item
lists; the register flags it and filters on key=1; unmarked, the item's units no longer read the notes while
督办 and 领导 still do. Each write: who may (coordinator, the leader), who may not (a unit, another leader:
403), bad input (400 malformed, 422 refused by a rule) with a clear message and nothing written.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.api.test_api import World, assert_error
from tests.api.test_proposal_steps_api import CO, MAIN, OUTSIDER, assigned_item, history
from tests.api.test_proposals_api import flow_state, login_of, new_item, post
from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.proposals.models import KeyProposal, SupervisionNote

DAY = date(2026, 1, 20)


@pytest.fixture
def world(seeded, on_date, client):
    on_date(DAY)
    return World(client)


def leader_id(login: str = "leader") -> int:
    return db.session.scalar(select(User.id).where(User.login == login))


def second_leader() -> int:
    """常务副区长, a second user with the leader role (the demo has one)."""
    first = db.session.scalar(select(User).where(User.login == "leader"))
    user = User(login="leader2", display_name="常务副区长", role=Role.leader, email="leader2@example.gov.cn")
    user.password_hash = first.password_hash
    db.session.add(user)
    db.session.commit()
    return user.id


def key_state() -> dict:
    """The flow's rows, audit and outbox (flow_state) with the key items and the notes."""
    state = flow_state()

    def rows(model):
        return sorted(tuple(str(getattr(row, column.key)) for column in model.__table__.columns)
                      for row in db.session.scalars(select(model)))

    for model in (KeyProposal, SupervisionNote):
        state[model.__tablename__] = rows(model)
    return state


def key_of(body: dict) -> tuple:
    return body["is_key"], (body["key_leader"] or {}).get("display_name")


def test_a_coordinator_marks_the_item_key_changes_its_leader_and_unmarks_it(world, browser):
    item = assigned_item(world)
    other_leader = second_leader()
    url = f"/api/v1/proposals/{item}/key"
    assert key_of(world.get("coordinator", f"/api/v1/proposals/{item}").get_json()) == (False, None)

    # only coordinators and admins mark: a unit of the item, an outsider and the leader are refused
    before = key_state()
    for login in (login_of(MAIN), OUTSIDER, "leader"):
        assert_error(post(world, login, url, {"leader_id": leader_id()}), 403, "forbidden")
        assert_error(world.call(login, "DELETE", url), 403, "forbidden")
    # malformed: no leader, a leader id that is text, an unknown field
    error = assert_error(post(world, "coordinator", url, {}), 400, "invalid_request")
    assert set(error["fields"]) == {"leader_id"}
    error = assert_error(post(world, "coordinator", url, {"leader_id": "leader", "urgent": True}), 400)
    assert set(error["fields"]) == {"leader_id", "urgent"}
    # refused by the page's rules: a user who is not a leader, nobody by that id; unmarking an item not key
    coordinator_id = leader_id("coordinator")
    for body in ({"leader_id": coordinator_id}, {"leader_id": 999_999}):
        error = assert_error(post(world, "coordinator", url, body), 422, "rule_violation")
        assert error["message"] == "请选择一位领导作为督办领导。"
    error = assert_error(world.call("coordinator", "DELETE", url), 422, "rule_violation")
    assert error["message"] == "该件不是重点提案。"
    assert_error(post(world, "coordinator", "/api/v1/proposals/999999/key", {"leader_id": leader_id()}), 404)
    assert key_state() == before

    marked = post(world, "coordinator", url, {"leader_id": leader_id()})
    assert marked.status_code == 200, marked.get_json()
    assert key_of(marked.get_json()) == (True, "分管副区长")
    assert marked.get_json()["history"][-1]["action"] == "proposal.key_marked"
    # naming the same leader again changes nothing (422); another leader takes over
    before = key_state()
    error = assert_error(post(world, "coordinator", url, {"leader_id": leader_id()}), 422, "rule_violation")
    assert error["message"] == "该件已是重点提案，督办领导为分管副区长。"
    assert key_state() == before
    changed = post(world, "admin", url, {"leader_id": other_leader})
    assert changed.status_code == 200, changed.get_json()
    assert key_of(changed.get_json()) == (True, "常务副区长")
    assert "将重点提案的督办领导由分管副区长改为常务副区长" in changed.get_json()["history"][-1]["text"]
    # the item's unit reads the flag too; the page shows the same leader
    assert key_of(world.get(login_of(MAIN), f"/api/v1/proposals/{item}").get_json()) == (True, "常务副区长")
    assert "常务副区长" in browser("coordinator").get(f"/proposals/{item}").text

    unmarked = world.call("coordinator", "DELETE", url)
    assert unmarked.status_code == 200, unmarked.get_json()
    assert key_of(unmarked.get_json()) == (False, None)
    assert db.session.scalar(select(KeyProposal).where(KeyProposal.proposal_id == item)) is None
    assert history(world, item)[-3:] == ["proposal.key_marked", "proposal.key_marked", "proposal.key_unmarked"]


def test_only_the_supervising_leader_records_notes_which_the_items_readers_list(world, browser):
    item = assigned_item(world)
    other_leader = second_leader()
    url = f"/api/v1/proposals/{item}/supervision-notes"
    note = {"text": "请加快推进，月底前报送进展。"}

    # not key yet: nobody records a note (403), the list is empty
    assert_error(post(world, "leader", url, note), 403, "forbidden")
    assert world.get("leader", url).get_json() == {"items": [], "page": 1, "per_page": 50, "total": 0}
    assert post(world, "coordinator", f"/api/v1/proposals/{item}/key",
                {"leader_id": leader_id()}).status_code == 200

    before = key_state()
    # the coordinator, the item's units, an outsider and another leader are refused
    for login in ("coordinator", "admin", login_of(MAIN), login_of(CO), OUTSIDER, "leader2"):
        error = assert_error(post(world, login, url, note), 403, "forbidden")
        if login != OUTSIDER:  # the outsider does not even read the item
            assert error["message"] == "只有该重点提案的督办领导可以填写督办意见。"
    # malformed: empty, too long, not a string, missing; refused by the rule: only blanks
    for body, field in (({"text": ""}, "text"), ({"text": "督" * 2001}, "text"), ({"text": 12}, "text"),
                        ({}, "text")):
        error = assert_error(post(world, "leader", url, body), 400, "invalid_request")
        assert set(error["fields"]) == {field}
    assert "2000" in assert_error(post(world, "leader", url, {"text": "督" * 2001}), 400)["fields"]["text"]
    error = assert_error(post(world, "leader", url, {"text": "   "}), 422, "rule_violation")
    assert error["message"] == "请填写督办意见。"
    assert_error(world.get(OUTSIDER, url), 403, "forbidden")
    assert_error(world.get("leader", "/api/v1/proposals/999999/supervision-notes"), 404)
    assert key_state() == before

    created = post(world, "leader", url, note)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["proposal_id"], body["leader"]["display_name"], body["text"]) == (item, "分管副区长", note["text"])
    assert post(world, "leader", url, {"text": "已协调资金，请按期答复。"}).status_code == 201
    # every reader of the item lists them, oldest first, paged
    for login in ("coordinator", login_of(MAIN), login_of(CO), "leader2"):
        listed = world.get(login, url).get_json()
        assert [row["text"] for row in listed["items"]] == [note["text"], "已协调资金，请按期答复。"], login
        assert listed["total"] == 2
    assert [row["text"] for row in world.get("leader", url + "?per_page=1&page=2").get_json()["items"]] == [
        "已协调资金，请按期答复。"]
    assert history(world, item).count("proposal.supervision_note") == 2
    assert note["text"] in browser(login_of(MAIN)).get(f"/proposals/{item}").text

    # another leader takes over: the first may no longer write, the new one may
    assert post(world, "coordinator", f"/api/v1/proposals/{item}/key",
                {"leader_id": other_leader}).status_code == 200
    assert_error(post(world, "leader", url, note), 403, "forbidden")
    assert post(world, "leader2", url, {"text": "请报送办理方案。"}).status_code == 201

    # unmarked: the notes stay for 督办 and 领导, the units no longer see them (as on the page)
    assert world.call("coordinator", "DELETE", f"/api/v1/proposals/{item}/key").status_code == 200
    assert world.get("coordinator", url).get_json()["total"] == 3
    assert world.get("leader", url).get_json()["total"] == 3
    assert world.get(login_of(MAIN), url).get_json()["total"] == 0
    assert_error(post(world, "leader2", url, note), 403, "forbidden")


def test_the_register_flags_key_items_and_filters_on_key(world):
    key = assigned_item(world)
    plain = new_item(number="0013")
    assert post(world, "coordinator", f"/api/v1/proposals/{key}/key",
                {"leader_id": leader_id()}).status_code == 200

    everything = world.get("coordinator", "/api/v1/proposals?per_page=200").get_json()["items"]
    flags = {row["id"]: key_of(row) for row in everything}
    assert flags[key] == (True, "分管副区长") and flags[plain] == (False, None)
    assert sum(1 for row in everything if row["is_key"]) == 1
    only = world.get("coordinator", "/api/v1/proposals?key=1").get_json()
    assert [row["id"] for row in only["items"]] == [key] and only["total"] == 1
    assert world.get("coordinator", "/api/v1/proposals?key=0").get_json()["total"] == len(everything)
    # a unit sees only its own key items
    assert [row["id"] for row in world.get(login_of(MAIN), "/api/v1/proposals?key=1").get_json()["items"]] == [key]
    assert world.get(OUTSIDER, "/api/v1/proposals?key=1").get_json()["total"] == 0
    error = assert_error(world.get("coordinator", "/api/v1/proposals?key=yes"), 400, "invalid_request")
    assert set(error["fields"]) == {"key"}
