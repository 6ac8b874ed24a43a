"""重点提案 (tracker/proposals/key_items.py): a coordinator marks an item key and names its supervising leader;
the leader finds it on the 工作台 and records a 督办意见 shown on the item and in its history; the register
flags key items and filters on them; nobody else writes the leader's note."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from tests.proposals.test_flow import assigned_item, coordinator, history, unit_user
from tracker.auth.models import Role, User
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.proposals.key_items import add_note, key_item, mark_key, unmark_key
from tracker.proposals.models import KeyProposal, Proposal, SupervisionNote
from tracker.proposals.services import save_proposal

NOW = datetime(2026, 1, 26, 2, 0, tzinfo=timezone.utc)


def leader() -> User:
    return db.session.scalar(select(User).where(User.login == "leader"))


def second_leader() -> User:
    user = User(login="leader2", display_name="常务副区长", role=Role.leader, email="leader2@example.gov.cn")
    user.password_hash = leader().password_hash
    db.session.add(user)
    db.session.flush()
    return user


def test_a_coordinator_marks_a_key_item_and_its_leader_supervises_it(seeded, browser):
    proposal = assigned_item()
    other = save_proposal(None, None, meeting=proposal.meeting, number="0013", title="关于优化公交线路的建议",
                          main_unit_id=proposal.main_unit_id, assigned_on=proposal.assigned_on)
    second_leader()
    db.session.commit()
    pid, other_id, leader_id = proposal.id, other.id, leader().id
    with pytest.raises(ValidationFailed):  # a unit user is no leader
        mark_key(coordinator(), proposal, leader_id=unit_user("区人社局").id, now=NOW)
    with pytest.raises(PermissionDenied):  # nor does a leader choose key items
        mark_key(leader(), proposal, leader_id=leader_id, now=NOW)
    db.session.rollback()
    coordinator_browser = browser("coordinator")
    response = coordinator_browser.post(f"/proposals/{pid}/key", {"leader_id": str(leader_id)})
    assert response.status_code == 302
    assert db.session.scalar(select(KeyProposal.leader_id).where(KeyProposal.proposal_id == pid)) == leader_id
    # The register flags it and filters on it.
    register = coordinator_browser.get("/proposals").text
    assert register.count('class="badge text-bg-warning key-item"') == 1
    key_only = coordinator_browser.get("/proposals?key=1").text
    assert f"/proposals/{pid}\"" in key_only and f"/proposals/{other_id}\"" not in key_only
    # The leader finds it on the 工作台 and writes a 督办意见.
    leader_browser = browser("leader")
    assert 'href="/proposals/deadlines?show=key" data-count="1"' in leader_browser.get("/").text
    assert leader_browser.get("/proposals/deadlines?show=key").text.count('data-clock="key"') == 1
    response = leader_browser.post(f"/proposals/{pid}/supervision-note", {"text": "请主办单位加快推进，月底前报进展。"})
    assert response.status_code == 302
    page = coordinator_browser.get(f"/proposals/{pid}").text
    assert "请主办单位加快推进，月底前报进展。" in page and "提出督办意见" in page and "确定为重点提案，督办领导：分管副区长" in page
    # Nobody else writes the leader's note: another leader, the coordinator, the 主办 (403, nothing written).
    for login in ("leader2", "coordinator", "rensheju"):
        response = browser(login).post(f"/proposals/{pid}/supervision-note", {"text": "督办意见"})
        assert response.status_code == 403, login
    assert db.session.scalar(select(SupervisionNote.text).where(SupervisionNote.proposal_id == pid)) \
        == "请主办单位加快推进，月底前报进展。"
    with pytest.raises(ValidationFailed):
        add_note(leader(), db.session.get(Proposal, pid), "  ", now=NOW)
    db.session.rollback()
    # Another leader takes over; then the item is no longer key.
    proposal = db.session.get(Proposal, pid)
    mark_key(coordinator(), proposal, leader_id=db.session.scalar(select(User.id).where(User.login == "leader2")),
             now=NOW)
    db.session.commit()
    assert 'data-count="0"' in browser("leader").get("/").text.split('data-key="proposal-key"', 1)[1][:800]
    unmark_key(coordinator(), db.session.get(Proposal, pid))
    db.session.commit()
    assert key_item(db.session.get(Proposal, pid)) is None
    assert [action for action, _actor in history(db.session.get(Proposal, pid))][-4:] == [
        "proposal.key_marked", "proposal.supervision_note", "proposal.key_marked", "proposal.key_unmarked"]
