"""The proposer's own rating (提案人评价): the personal link works once, expires, and neither the unit nor a
coordinator can rate in the proposer's place."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.conftest import Browser, csrf_token_from
from tests.proposals.test_flow import assigned_item, coordinator, unit_user
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.proposals.handling import issue_rating_link, rate, set_proposers
from tracker.proposals.models import Proposal, ProposalState, RatingLink

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=timezone.utc)


def replied_item_with_link() -> tuple[int, str]:
    proposal = assigned_item()
    set_proposers(None, proposal, [{"name": "张三", "group": "青浦代表团"}])
    proposal.state, proposal.reply_on, proposal.result_category = ProposalState.replied, date(2026, 4, 1), "解决采纳"
    token = issue_rating_link(coordinator(), proposal, proposal.people[0], now=NOW)
    db.session.commit()
    return proposal.id, token


def post_rating(client, token: str, rating: str):
    page = client.get(f"/rate/{token}")
    return client.post(f"/rate/{token}", data={"rating": rating, "csrf_token": csrf_token_from(page.text)})


def test_the_link_works_once(seeded, client, app):
    app.config["NOW"] = NOW.isoformat()
    proposal_id, token = replied_item_with_link()
    page = client.get(f"/rate/{token}")
    assert page.status_code == 200 and "张三代表" in page.text and 'id="rating-form"' in page.text
    response = post_rating(client, token, "满意")
    assert response.status_code == 302
    assert "感谢您的评价" in client.get(response.headers["Location"]).text
    proposal = db.session.get(Proposal, proposal_id)
    assert (proposal.state, proposal.feedback) == (ProposalState.feedback_received, "满意")
    again = client.get(f"/rate/{token}")
    assert again.status_code == 404 and "只能评价一次" in again.text
    with pytest.raises(ValidationFailed):
        rate(None, token, "不满意", now=NOW, today=date(2026, 12, 6))
    assert db.session.get(Proposal, proposal_id).feedback == "满意"


def test_the_link_expires(seeded, client, app):
    proposal_id, token = replied_item_with_link()
    link = db.session.scalar(select(RatingLink).where(RatingLink.proposal_id == proposal_id))
    app.config["NOW"] = (link.expires_at + timedelta(seconds=1)).isoformat()
    page = client.get(f"/rate/{token}")
    assert page.status_code == 404 and "已过期" in page.text
    with pytest.raises(ValidationFailed):
        rate(None, token, "满意", now=link.expires_at, today=date(2026, 12, 6))
    assert client.get("/rate/not-a-token").status_code == 404
    assert db.session.get(Proposal, proposal_id).state == ProposalState.replied


@pytest.mark.parametrize("who", ["unit", "coordinator"])
def test_neither_the_unit_nor_a_coordinator_can_rate(seeded, client, app, who):
    app.config["NOW"] = NOW.isoformat()
    proposal_id, token = replied_item_with_link()
    user = unit_user("区人社局") if who == "unit" else coordinator()
    with pytest.raises(PermissionDenied):
        rate(user, token, "满意", now=NOW, today=date(2026, 12, 6))
    browser = Browser(client).login(user.login)
    assert browser.get(f"/rate/{token}").status_code == 403
    assert browser.post(f"/rate/{token}", {"rating": "满意"}).status_code == 403
    db.session.rollback()
    proposal = db.session.get(Proposal, proposal_id)
    assert (proposal.state, proposal.feedback) == (ProposalState.replied, "")
    assert db.session.scalar(select(RatingLink.used_at).where(RatingLink.proposal_id == proposal_id)) is None


def test_the_coordinator_sends_each_proposer_a_link_from_the_items_page(seeded, client, make_client, app):
    import re

    app.config["NOW"] = NOW.isoformat()
    proposal = assigned_item()
    set_proposers(None, proposal, [{"name": "张三"}, {"name": "李四"}])
    proposal.state, proposal.reply_on, proposal.result_category = ProposalState.replied, date(2026, 4, 1), "解决采纳"
    db.session.commit()
    proposal_id, login = proposal.id, coordinator().login
    url = f"/proposals/{proposal_id}"
    page = Browser(client).login(login).post(f"{url}/rating-links", {}, token_from=url, follow_redirects=True).text
    links = re.findall(r"(张三|李四)的评价链接（仅显示一次，请发送给本人）：http://localhost(/rate/[\w-]+)", page)
    assert [name for name, _path in links] == ["张三", "李四"]
    proposer = make_client()
    assert "李四代表" in proposer.get(links[1][1]).text
    assert post_rating(proposer, links[1][1].removeprefix("/rate/"), "基本满意").status_code == 302
    assert db.session.get(Proposal, proposal_id).feedback == "基本满意"
