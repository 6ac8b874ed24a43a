"""Issue 21, corners of the 督办 loop a user notices: the extension card's headline states the date
approved, the refuse and re-assign menus list units in register order with a label, and re-assigning
proposes the unit the refusal suggested."""
from __future__ import annotations

import re
from datetime import date

import lxml.html
from sqlalchemy import select

from tracker.auth.models import User
from tracker.extensions import db
from tracker.supervision.models import ExtensionRequest, Receipt, ReceiptState
from tracker.supervision.services import decide_extension, reassign, refuse_receipt, request_extension
from tracker.tasks.models import Task
from tracker.units.models import Unit
from tracker.units.ordering import sorted_units

DAY = date(2026, 6, 30)


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def _task(number: str) -> Task:
    return db.session.scalar(select(Task).where(Task.number == number))


def _unit(short_name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.short_name == short_name))


def test_the_extension_card_states_the_approved_date_once_approved(seeded, on_date, browser):
    on_date(DAY)
    task = _task("7")  # 区经委 leads
    before, task_id = task.due_on, task.id
    extension = request_extension(_user("jingwei"), task, requested_due_on=date(2027, 3, 31), reason="资金推迟",
                                  today=DAY)
    db.session.commit()
    extension_id = extension.id
    page = browser("coordinator").get(f"/tasks/{task_id}").text
    headline = re.search(r'class="extension-dates">(.*?)</span>', page).group(1)
    assert headline == f"{before.isoformat()} → 2027-03-31"  # pending: the date asked for
    extension = db.session.get(ExtensionRequest, extension_id)
    decide_extension(_user("coordinator"), extension, approve=True, due_on=date(2027, 4, 30), today=DAY)
    db.session.commit()
    page = browser("coordinator").get(f"/tasks/{task_id}").text
    headline = re.search(r'class="extension-dates">(.*?)</span>', page).group(1)
    assert headline == f"{before.isoformat()} → 2027-04-30"  # approved: the date in force
    assert "（申请 2027-03-31）" in page


def _menu(html: str, name: str):
    """(label text, [option texts], selected value) of the select named ``name`` on a page."""
    doc = lxml.html.fromstring(html)
    select_ = doc.xpath(f'//select[@name="{name}"]')[0]
    label = doc.xpath(f'//label[@for="{select_.get("id")}"]') if select_.get("id") else []
    label_text = label[0].text_content().strip() if label else select_.get("aria-label", "")
    options = [option.text_content().strip() for option in select_.xpath("./option")]
    selected = [option.get("value") for option in select_.xpath("./option[@selected]")]
    return label_text, options, selected[0] if selected else None


def test_refuse_and_reassign_menus_are_in_register_order_labelled_and_propose_the_suggested_unit(
        seeded, on_date, browser):
    on_date(DAY)
    register = [unit.short_name for unit in sorted_units(db.session.scalars(select(Unit)))]
    task = _task("7")
    task_id = task.id
    reassign(_user("coordinator"), task, lead_unit_id=_unit("区科委").id, today=DAY)
    db.session.commit()
    label, options, _selected = _menu(browser("kejiwei").get(f"/tasks/{task_id}").text, "suggested_unit_id")
    assert label == "建议责任单位"
    assert options == ["（不指定）"] + register
    receipt = db.session.scalar(select(Receipt).where(Receipt.task_id == task_id, Receipt.unit_id == _unit("区科委").id,
                                                      Receipt.state == ReceiptState.pending))
    refuse_receipt(_user("kejiwei"), receipt, reason="不属于本单位职责", suggested_unit_id=_unit("区发改委").id)
    db.session.commit()
    label, options, selected = _menu(browser("coordinator").get(f"/tasks/{task_id}").text, "lead_unit_id")
    assert label == "牵头单位"
    assert options == register
    assert selected == str(_unit("区发改委").id)  # the unit the refusal named, not 区科委 that refused
