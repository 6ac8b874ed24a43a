"""The clock of an item (tracker/proposals/clock.py): the reply's 3 months, an extension requested by the 主办
and approved or refused by a coordinator (6 months at most), the deadlines due soon and overdue (答复, 协办意见,
会签) on the 工作台, the overdue list and /proposals/deadlines, and the reminder and 催办 emails, each once."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tests.proposals.test_flow import coordinator, history, new_item, unit_id, unit_user
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.proposals.clock import (CO_OPINION, COSIGN, REPLY, clock_rows, decide_extension, overdue_obligations,
                                     request_extension)
from tracker.proposals.cosign import send_draft
from tracker.proposals.handling import assign, sign
from tracker.proposals.models import ExtensionState, Proposal, ReplyExtension
from tracker.reminders.jobs import run_reminders
from tracker.outbox.models import Notification
from tracker.webhooks.models import Webhook, WebhookFormat

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def item_of_march() -> int:
    """交办 on Monday 2026-03-02 to 区人社局 (主办) with 区发改委 (协办); both signed. The reply is due
    2026-06-02, the 协办意见 2026-04-02."""
    proposal = new_item()
    assign(coordinator(), proposal, today=date(2026, 3, 2), main_unit_id=unit_id("区人社局"),
           co_unit_ids=[unit_id("区发改委")])
    sign(unit_user("区人社局"), proposal, now=NOW)
    sign(unit_user("区发改委"), proposal, now=NOW)
    db.session.commit()
    return proposal.id


def test_an_extension_is_asked_with_a_reason_and_decided_by_a_coordinator(seeded, browser, on_date):
    pid = item_of_march()
    proposal = db.session.get(Proposal, pid)
    assert proposal.reply_due_on == date(2026, 6, 2)
    main = unit_user("区人社局")
    with pytest.raises(PermissionDenied):  # a 协办 does not ask
        request_extension(unit_user("区发改委"), proposal, requested_due_on=date(2026, 7, 2), reason="需调研", now=NOW)
    with pytest.raises(ValidationFailed, match="6个月"):  # beyond 6 months of 交办 (2026-09-02)
        request_extension(main, proposal, requested_due_on=date(2026, 9, 3), reason="需调研", now=NOW)
    with pytest.raises(ValidationFailed):  # no reason
        request_extension(main, proposal, requested_due_on=date(2026, 7, 2), reason=" ", now=NOW)
    with pytest.raises(ValidationFailed):  # not later than now
        request_extension(main, proposal, requested_due_on=date(2026, 6, 1), reason="需调研", now=NOW)
    db.session.rollback()
    on_date(date(2026, 5, 6))
    main_browser, coordinator_browser = browser("rensheju"), browser("coordinator")
    response = main_browser.post(f"/proposals/{pid}/extension",
                                 {"requested_due_on": "2026-08-31", "reason": "涉及用地指标调整，需市级部门协调。"})
    assert response.status_code == 302
    response = main_browser.post(f"/proposals/{pid}/extension", {"requested_due_on": "2026-08-20", "reason": "再次"})
    assert db.session.scalar(select(ReplyExtension.id).where(ReplyExtension.requested_due_on == date(2026, 8, 20))) \
        is None  # one request at a time
    extension_id = db.session.scalar(select(ReplyExtension.id).where(ReplyExtension.proposal_id == pid))
    # The unit cannot decide (403); a refusal needs a reason.
    assert main_browser.post(f"/proposals/extensions/{extension_id}/decide", {"decision": "approve"}).status_code == 403
    coordinator_browser.post(f"/proposals/extensions/{extension_id}/decide", {"decision": "refuse", "note": ""})
    assert db.session.get(ReplyExtension, extension_id).state == ExtensionState.pending
    page = coordinator_browser.get("/proposals/deadlines?show=extensions").text
    assert page.count('data-clock="extension"') == 1
    response = coordinator_browser.post(f"/proposals/extensions/{extension_id}/decide",
                                        {"decision": "approve", "note": "同意延期。"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, pid).reply_due_on == date(2026, 8, 31)
    assert db.session.get(ReplyExtension, extension_id).state == ExtensionState.approved
    page = main_browser.get(f"/proposals/{pid}").text
    assert 'id="extensions"' in page and "涉及用地指标调整，需市级部门协调。" in page and "已批准" in page
    page = coordinator_browser.get(f"/proposals/{pid}").text
    assert "申请将答复期限由 2026-06-02 延至 2026-08-31" in page and "批准延期，答复期限改为 2026-08-31" in page
    assert [action for action, _actor in history(db.session.get(Proposal, pid))][-2:] == [
        "proposal.extension_requested", "proposal.extension_decided"]
    # A second extension, refused with a reason, leaves the date as it was.
    proposal = db.session.get(Proposal, pid)
    extension = request_extension(unit_user("区人社局"), proposal, requested_due_on=date(2026, 9, 2),
                                  reason="仍需协调。", now=NOW)
    decide_extension(coordinator(), extension, approve=False, note="已延期一次，请按期答复。", now=NOW)
    db.session.commit()
    assert db.session.get(Proposal, pid).reply_due_on == date(2026, 8, 31)


def test_deadlines_due_soon_and_overdue_count_working_days(seeded):
    pid = item_of_march()
    proposal = db.session.get(Proposal, pid)
    send_draft(unit_user("区人社局"), proposal, "答复稿……", today=date(2026, 3, 24), now=NOW)  # 会签 due 03-31
    db.session.commit()
    rows = clock_rows(date(2026, 3, 26), soon_days=5)
    assert [(r.kind, r.unit.short_name, r.due_on, r.days, r.overdue) for r in rows] == [
        (COSIGN, "区发改委", date(2026, 3, 31), 3, False), (CO_OPINION, "区发改委", date(2026, 4, 2), 5, False)]
    assert clock_rows(date(2026, 3, 26), soon_days=2) == []
    rows = clock_rows(date(2026, 4, 3))  # Friday: 会签 3 working days late, 协办意见 1
    assert [(r.kind, r.due_on, r.days, r.overdue) for r in rows] == [
        (COSIGN, date(2026, 3, 31), 3, True), (CO_OPINION, date(2026, 4, 2), 1, True)]
    assert [r.kind for r in overdue_obligations(date(2026, 4, 3), unit_id("区发改委"))] == [COSIGN, CO_OPINION]
    assert overdue_obligations(date(2026, 4, 3), unit_id("区人社局")) == []
    # After Qingming (04-04…04-06) and May Day: the reply is due 06-02, 10 working days before is 05-19.
    rows = clock_rows(date(2026, 5, 19), unit_id=unit_id("区人社局"))
    assert [(r.kind, r.days, r.overdue) for r in rows] == [(REPLY, 10, False)]
    rows = clock_rows(date(2026, 6, 4), unit_id=unit_id("区人社局"))
    assert [(r.kind, r.days, r.overdue) for r in rows] == [(REPLY, 2, True)]


def test_units_and_coordinators_see_the_deadlines(seeded, browser, on_date):
    pid = item_of_march()
    on_date(date(2026, 4, 3))
    unit = browser("fagaiwei")
    home = unit.get("/").text
    assert 'data-key="proposal-clock"' in home
    assert 'href="/proposals/deadlines?show=overdue" data-count="1"' in home
    page = unit.get("/proposals/deadlines?show=overdue").text
    assert page.count('data-clock="overdue"') == 1 and "协办意见" in page and "1个工作日" in page
    assert 'data-key="proposal-clock"' not in browser("shangwuwei").get("/").text  # nothing due: no section
    coordinator_home = browser("coordinator").get("/").text
    assert 'href="/proposals/deadlines?show=overdue" data-count="1"' in coordinator_home
    overdue = browser("leader").get("/overdue").text
    assert 'id="overdue-obligations"' in overdue and f'/proposals/{pid}#cosign' in overdue
    assert 'id="overdue-obligations"' not in browser("leader").get("/overdue?kind=task").text


def test_reminder_then_one_urge_per_deadline(seeded, smtp):
    pid = item_of_march()
    robot = Webhook(name="提案办理群", format=WebhookFormat.wecom, url="http://127.0.0.1:9/send?key=k",
                    events="proposal_urge")
    db.session.add(robot)
    db.session.commit()
    robot_id = robot.id
    urges = lambda address: [m for m in smtp.inbox.to(address) if m.key.startswith("proposal_urge:")]  # noqa: E731
    run_reminders(at("2026-03-30T09:05"))  # 3 working days before the 协办意见 is due (04-02)
    soon = urges("fagaiwei@example.gov.cn")
    assert [m.key for m in soon] == [f"proposal_urge:co_opinion:{pid}:{unit_id('区发改委')}:2026-04-02:soon:"
                                     "fagaiwei@example.gov.cn"]
    assert soon[0].subject.startswith("【提案办理提醒】") and "协办意见3个工作日后到期" in soon[0].subject
    run_reminders(at("2026-03-30T15:00"))
    assert len(urges("fagaiwei@example.gov.cn")) == 1  # once
    run_reminders(at("2026-04-03T09:05"))  # the opinion is 1 working day late: a 催办
    run_reminders(at("2026-04-07T09:05"))  # still late: no second 催办
    late = urges("fagaiwei@example.gov.cn")[1:]
    assert len(late) == 1 and late[0].subject.startswith("【提案办理催办】") and "协办意见已逾期1个工作日" in late[0].subject
    assert "请抓紧办理" in late[0].text
    assert urges("rensheju@example.gov.cn") == []  # the 主办 owes nothing yet
    robot_calls = sorted(db.session.scalars(select(Notification.idempotency_key).where(
        Notification.webhook_id == robot_id)))
    assert robot_calls == [f"webhook:{robot_id}:proposal_urge:co_opinion:{pid}:{unit_id('区发改委')}:2026-04-02:{event}"
                           for event in ("overdue", "soon")]  # the group robot hears each once too
    run_reminders(at("2026-06-03T09:05"))  # the reply (due 06-02) is late
    reply_urges = urges("rensheju@example.gov.cn")
    assert len(reply_urges) == 1 and "答复已逾期1个工作日" in reply_urges[0].subject


def test_deadlines_in_2027_are_counted_as_the_rest_of_the_app_counts_them(seeded):
    """The holiday library knows 2026 at most: a 2027 deadline still gets its working days (weekends off,
    2027-01-01 a working day unless the office enters its holidays in the working calendar)."""
    proposal = new_item()
    assign(coordinator(), proposal, today=date(2026, 11, 2), main_unit_id=unit_id("区人社局"),
           co_unit_ids=[unit_id("区发改委")])
    sign(unit_user("区人社局"), proposal, now=NOW)
    sign(unit_user("区发改委"), proposal, now=NOW)
    draft = send_draft(unit_user("区人社局"), proposal, "答复稿……", today=date(2027, 1, 29), now=NOW)
    db.session.commit()
    assert proposal.reply_due_on == date(2027, 2, 2) and draft.due_on == date(2027, 2, 5)  # Friday + 5 working days
    rows = clock_rows(date(2027, 2, 9), unit_id=unit_id("区发改委"))
    assert [(r.kind, r.due_on, r.days, r.overdue) for r in rows] == [
        (CO_OPINION, date(2026, 12, 2), 49, True), (COSIGN, date(2027, 2, 5), 2, True)]


def test_the_deadlines_page_shows_fifty_a_list_at_a_time(seeded_items, browser, on_date, app, monkeypatch):
    """A city's coordinator follows hundreds of deadlines: each list is paged on its own (?overdue_page=,
    ?soon_page=) and together the pages show every row the 工作台 counts."""
    on_date(date(2026, 6, 30))
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    coordinator = browser("coordinator")
    first = coordinator.get("/proposals/deadlines?show=overdue").text
    total = int(re.search(r"1 / (\d+)", first).group(1))
    assert total >= 2 and first.count('data-clock="overdue"') == 1
    seen = set()
    for number in range(1, total + 1):
        page = coordinator.get(f"/proposals/deadlines?show=overdue&overdue_page={number}").text
        rows = re.findall(r'data-clock="overdue" data-proposal="([^"]+)" data-kind="(\w+)" data-unit="([^"]+)"', page)
        assert len(rows) == 1
        seen.add(rows[0])
        assert "show=overdue" in page.split('class="pagination')[1][:600]  # the page links keep the filter
    assert len(seen) == total
    home = coordinator.get("/").text
    assert f'href="/proposals/deadlines?show=overdue" data-count="{total}"' in home
