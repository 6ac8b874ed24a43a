"""沟通协商: the handling unit records its contacts with the proposers; the item page says whether 办前面商
happened within 15 working days (configurable) of 交办."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.proposals.c2_helpers import answer, coordinator, item, unit_user, user_with
from tracker.audit.models import AuditEvent
from tracker.auth.models import Role
from tracker.common.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.proposals.contacts import contacts_of, pre_consult_due_on, pre_consultation, record_contact
from tracker.proposals.models import ProposalContact

ASSIGNED = date(2026, 1, 20)  # a Tuesday; + 15 working days, no holiday in between: 2026-02-10


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(ProposalContact))


def test_a_face_to_face_contact_before_handling_in_time_is_the_pre_consultation(seeded):
    proposal = item("0101")
    db.session.commit()
    assert pre_consult_due_on(proposal) == date(2026, 2, 10)
    assert pre_consultation(proposal, [], date(2026, 2, 10)).state == "pending"
    assert pre_consultation(proposal, [], date(2026, 2, 11)).state == "missed"
    main = unit_user("区人社局")
    record_contact(main, proposal, contact_on=date(2026, 1, 26), way="电话", stage="before", proposer_names=["张三"],
                   unit_people="王科长", agreed="约定2月初面商。", today=date(2026, 1, 26))
    # a phone call is a contact but not 面商
    assert pre_consultation(proposal, contacts_of(proposal), date(2026, 2, 11)).state == "missed"
    record_contact(main, proposal, contact_on=date(2026, 2, 5), way="见面", stage="before",
                   proposer_names=["张三", "李四"], unit_people="李局长、王科长", agreed="先建人才公寓二期，年内开工。",
                   today=date(2026, 2, 6))
    db.session.commit()
    pre = pre_consultation(proposal, contacts_of(proposal), date(2026, 3, 1))
    assert (pre.state, pre.held_on, pre.due_on) == ("on_time", date(2026, 2, 5), date(2026, 2, 10))
    sentences = [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "proposals", AuditEvent.object_id == proposal.id, AuditEvent.actor_id == main.id))]
    assert sentences.count("proposal.contact_recorded") == 2


def test_a_late_symposium_and_a_configured_window(seeded, app):
    proposal = item("0102")
    record_contact(unit_user("区人社局"), proposal, contact_on=date(2026, 2, 12), way="座谈", stage="before",
                   proposer_names=["李四"], unit_people="王科长", agreed="座谈。", today=date(2026, 2, 12))
    assert pre_consultation(proposal, contacts_of(proposal), date(2026, 2, 12)).state == "late"
    app.config["PROPOSAL_PRE_CONSULT_WORKING_DAYS"] = 20
    assert pre_consultation(proposal, contacts_of(proposal), date(2026, 2, 12)).state == "on_time"


def test_a_2027_item_counts_working_days_beyond_the_known_calendar(seeded):
    proposal = item("0103", assigned_on=date(2027, 1, 4))
    assert pre_consult_due_on(proposal) == date(2027, 1, 25)  # weekdays only for 2027


@pytest.mark.parametrize("changes, message", [
    ({"contact_on": date(2026, 3, 2)}, "沟通日期不能晚于今天"),
    ({"contact_on": date(2026, 1, 19)}, "沟通日期不能早于交办日期"),
    ({"contact_on": None}, "请填写沟通日期"),
    ({"way": "微信群"}, "沟通方式须为"),
    ({"stage": "later"}, "请选择办前、办中或办后"),
    ({"stage": "after"}, "答复后才能登记办后沟通"),
    ({"proposer_names": []}, "请选择参与沟通的提案人"),
    ({"proposer_names": ["王五"]}, "所选提案人不属于该件"),
    ({"unit_people": " "}, "请填写承办单位参与人员"),
    ({"agreed": ""}, "请填写沟通商定的内容"),
    ({"agreed": "商" * 2001}, "商定内容不能超过2000字"),
])
def test_bad_contacts_are_refused_and_change_nothing(seeded, changes, message):
    proposal = item("0104")
    db.session.commit()
    values = dict(contact_on=date(2026, 2, 2), way="见面", stage="during", proposer_names=["张三"],
                  unit_people="王科长", agreed="商定。", today=date(2026, 3, 1))
    values.update(changes)
    with pytest.raises(ValidationFailed, match=message):
        record_contact(unit_user("区人社局"), proposal, **values)
    db.session.rollback()
    assert count() == 0


def test_only_the_handling_units_and_coordinators_record(seeded):
    proposal = item("0105")
    db.session.commit()
    values = dict(contact_on=date(2026, 2, 2), way="见面", stage="during", proposer_names=["张三"],
                  unit_people="王科长", agreed="商定。", today=date(2026, 3, 1))
    for user in (unit_user("区经委"), user_with(Role.leader)):
        with pytest.raises(PermissionDenied):
            record_contact(user, proposal, **values)
    co = record_contact(unit_user("区财政局"), proposal, **values)
    by_office = record_contact(coordinator(), proposal, **values)
    assert (co.unit.short_name, by_office.unit.short_name) == ("区财政局", "区人社局")


def test_the_unit_records_a_contact_on_the_item_page(seeded, browser, on_date):
    proposal = item("0106")
    answer(proposal, reply_on=date(2026, 4, 1), category="解决采纳")
    db.session.commit()
    proposal_id, login = proposal.id, unit_user("区人社局").login
    on_date(date(2026, 4, 10))
    unit = browser(login)
    page = unit.get(f"/proposals/{proposal_id}").text
    assert "未按时办前面商" in page and 'id="contact-form"' in page
    response = unit.post(f"/proposals/{proposal_id}/contacts", token_from=f"/proposals/{proposal_id}",
                         data={"contact_on": "2026-04-08", "way": "见面", "stage": "after",
                               "proposer_names": ["张三"], "unit_people": "王科长", "agreed": "答复后回访，提案人认可。"})
    assert response.status_code == 302
    page = unit.get(f"/proposals/{proposal_id}").text
    assert "答复后回访，提案人认可。" in page and "2026-04-08" in page and "办后" in page
    # bad input: a clear message, nothing saved
    response = unit.post(f"/proposals/{proposal_id}/contacts", token_from=f"/proposals/{proposal_id}",
                         data={"contact_on": "2026-13-45", "way": "见面", "stage": "after",
                               "proposer_names": ["张三"], "unit_people": "王科长", "agreed": "x"},
                         follow_redirects=True)
    assert "请填写沟通日期（YYYY-MM-DD）。" in response.text
    assert count() == 1
    other = browser(unit_user("区经委").login)
    assert other.post(f"/proposals/{proposal_id}/contacts", token_from="/proposals",
                      data={"contact_on": "2026-04-08", "way": "见面", "stage": "after", "unit_people": "x",
                            "agreed": "x"}).status_code == 403
    assert count() == 1
