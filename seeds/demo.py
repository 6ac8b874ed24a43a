"""The demo seed: unit register, demo users, the Xicen plan with its 16 tasks and a status history.

Idempotent: each object is looked up by its natural key and created only when missing, so running
``flask seed demo`` twice changes nothing.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from seeds import units as unit_data
from seeds import xicen_plan
from seeds.indicators import load_indicators
from seeds.load_proposal_flow import load_proposal_flow
from seeds.load_proposals import load_proposals
from tracker.audit.services import record
from tracker.auth.models import Role, User
from tracker.auth.services import hash_password
from tracker.common.clock import BEIJING, frozen_at
from tracker.extensions import db
from tracker.plans.models import ActionGroup, Plan, PlanKind, PlanStatus
from tracker.tasks.models import ReportingCycle, Task, TaskStatus, number_sort_key
from tracker.units.models import Unit, UnitKind
from tracker.updates.models import ReviewState, StatusUpdate

DEMO_PASSWORD = "demo-password"
STAFF = (
    ("admin", "系统管理员", Role.admin),
    ("coordinator", "区府办督查科", Role.coordinator),
    ("leader", "分管副区长", Role.leader),
    ("secadmin", "安全管理员", Role.security_admin),  # 三员分立: accounts and roles
    ("auditor", "审计管理员", Role.audit_admin),  # 三员分立: the audit log and the login log
)


def _utc(local: datetime | None) -> datetime | None:
    return local.replace(tzinfo=BEIJING).astimezone(timezone.utc) if local else None


def _units() -> dict[str, Unit]:
    existing = {unit.short_name: unit for unit in db.session.scalars(select(Unit))}
    for data in unit_data.UNITS:
        if data["short_name"] not in existing:
            unit = Unit(name=data["name"], short_name=data["short_name"], kind=UnitKind(data["kind"]),
                        contact_person=data.get("contact_person", ""), phone=data.get("phone", ""),
                        notification_emails="\n".join(data.get("emails", [])))
            db.session.add(unit)
            existing[unit.short_name] = unit
            record(None, "unit.created", unit, summary=f"{unit.name}（演示数据）")
    for data in unit_data.UNITS:
        if data.get("parent") and existing[data["short_name"]].parent_id is None:
            existing[data["short_name"]].parent = existing[data["parent"]]
    return existing


def _users(units: dict[str, Unit]) -> dict[str, User]:
    existing = {user.login: user for user in db.session.scalars(select(User))}
    password_hash = None
    wanted = [(login, name, role, None) for login, name, role in STAFF]
    wanted += [(data["login"], f"{data['short_name']}联络员", Role.unit, units[data["short_name"]])
               for data in unit_data.UNITS]
    for login, name, role, unit in wanted:
        if login in existing:
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        email = unit.email_list[0] if unit is not None and unit.email_list else f"{login}@example.gov.cn"
        user = User(login=login, display_name=name, role=role, unit=unit, email=email,
                    password_hash=password_hash, must_change_password=True)
        db.session.add(user)
        existing[login] = user
        record(None, "user.created", user, changes={"login": login, "role": role}, summary=f"{name}（演示数据）")
    return existing


def _plan(units: dict[str, Unit], users: dict[str, User]) -> Plan:
    data = xicen_plan.PLAN
    plan = db.session.scalar(select(Plan).where(Plan.doc_number == data["doc_number"]))
    if plan is not None:
        return plan
    plan = Plan(title=data["title"], short_name=data.get("short_name", ""), doc_number=data["doc_number"], issuer=data["issuer"],
                issued_on=data["issued_on"], period_start=data["period_start"], period_end=data["period_end"],
                kind=PlanKind(data["kind"]), status=PlanStatus(data["status"]),
                source_text=_source_text(data.get("source_document")))
    db.session.add(plan)
    groups = [ActionGroup(plan=plan, position=index, number=g["number"], title=g["title"])
              for index, g in enumerate(xicen_plan.GROUPS, start=1)]
    db.session.add_all(groups)
    record(None, "plan.created", plan, summary=f"{plan.title}（演示数据）")
    tasks = {}
    for t in xicen_plan.TASKS:
        task = Task(plan=plan, group=groups[t["group"] - 1], number=t["number"], sort_key=number_sort_key(t["number"]),
                    title=t["title"], text=t["text"], lead_unit=units[t["lead"]],
                    cooperating_units=[units[name] for name in t["cooperating"]], start_on=t["start_on"],
                    due_on=t["due_on"], reporting_cycle=ReportingCycle(t["reporting_cycle"]),
                    report_day=t["report_day"], status=TaskStatus(t["status"]), progress=t["progress"],
                    completed_on=t.get("completed_on"))
        db.session.add(task)
        db.session.flush()
        tasks[task.number] = task
        record(None, "task.created", task, task_id=task.id,
               changes={"lead_unit": t["lead"], "due_on": t["due_on"]}, summary=f"{task.label}（演示数据）")
    _receipts(plan, tasks, users)
    _updates(tasks, units, users)
    return plan


def _receipts(plan: Plan, tasks: dict[str, Task], users: dict[str, User]) -> None:
    """交办 on the day after the plan was issued, 签收 by each unit's contact the next working day."""
    from datetime import time

    from tracker.supervision.models import Receipt, ReceiptState
    from tracker.workcalendar.services import current_calendar

    calendar = current_calendar()
    assigned_on = calendar.add_working_days(plan.issued_on, 1)
    signed_on = calendar.add_working_days(assigned_on, 1)
    by_unit = {user.unit_id: user for user in users.values() if user.unit_id is not None}
    for task in tasks.values():
        roles = [(task.lead_unit, "lead")] + [(unit, "cooperating") for unit in task.cooperating_units]
        for unit, role in roles:
            signer = by_unit[unit.id]
            receipt = Receipt(task=task, unit_id=unit.id, role=role, state=ReceiptState.signed,
                              assigned_at=_utc(datetime.combine(assigned_on, time(10, 0))),
                              sign_by=calendar.add_working_days(assigned_on, 2),
                              answered_at=_utc(datetime.combine(signed_on, time(9, 30))), answered_by_id=signer.id)
            db.session.add(receipt)
            event = record(None, "receipt.assigned", receipt, task_id=task.id,
                           changes={"unit": unit.short_name, "role": role, "sign_by": receipt.sign_by},
                           summary=f"{task.label}（演示数据）")
            event.at = receipt.assigned_at
            event = record(signer, "receipt.signed", receipt, task_id=task.id,
                           changes={"unit": unit.short_name, "role": role}, summary=f"{task.label}（演示数据）")
            event.at = receipt.answered_at


def _updates(tasks: dict[str, Task], units: dict[str, Unit], users: dict[str, User]) -> None:
    returned: dict[tuple, StatusUpdate] = {}
    for u in sorted(xicen_plan.DEMO_UPDATES, key=lambda u: u["submitted_at"]):
        task, unit = tasks[u["task"]], units[u["unit"]]
        key = (task.number, unit.short_name, u["period"])
        update = StatusUpdate(task=task, unit=unit, author=users[u["author"]], period=u["period"],
                              progress_text=u["progress_text"], percent=u["percent"], problems=u["problems"],
                              next_steps=u["next_steps"], submitted_at=_utc(u["submitted_at"]),
                              review_state=ReviewState(u["review_state"]),
                              review_comment=u.get("review_comment") or "",
                              reviewer=users.get(u["reviewer"]) if u.get("reviewer") else None,
                              reviewed_at=_utc(u.get("reviewed_at")), resubmission_of=returned.pop(key, None))
        db.session.add(update)
        event = record(users[u["author"]], "update.resubmitted" if update.resubmission_of else "update.submitted",
                       update, task_id=task.id, changes={"period": update.period, "percent": update.percent},
                       summary=update.progress_text[:200])
        event.at = update.submitted_at
        if update.review_state != ReviewState.submitted:
            event = record(update.reviewer, f"update.{update.review_state.value}", update, task_id=task.id,
                           changes={"review_state": ["submitted", update.review_state.value]},
                           summary=update.review_comment)
            event.at = update.reviewed_at
        if update.review_state == ReviewState.returned:
            returned[key] = update


def _source_text(name: str | None) -> str | None:
    if not name:
        return None
    path = Path(__file__).parent / "documents" / name
    return path.read_text(encoding="utf-8") if path.exists() else None


def load_demo(*, flow_items: bool = True) -> dict:
    """Loads the demo seed in one transaction; returns what exists afterwards. ``flow_items`` False leaves
    out the items of the proposal handling flow (seeds/proposal_flow.py; the test suite's ``seeded``). The records are created
    as of ``xicen_plan.CREATED_AT`` (the plan's day of issue); reports and reviews carry their own
    moments: the history reads in order on the demo date and on any later day."""
    with frozen_at(xicen_plan.CREATED_AT):
        units = _units()
        users = _users(units)
        db.session.flush()
        _plan(units, users)
        load_proposals()
        if flow_items:
            load_proposal_flow()  # items of the handling flow (seeds/proposal_flow.py)
        load_indicators()
        db.session.flush()
    db.session.commit()
    return {"units": len(units), "users": len(users)}


def demo_logins() -> list[tuple[str, str, str]]:
    """(login, role, unit) for the README and ``make run``."""
    rows = [(login, role.value, "") for login, _name, role in STAFF]
    rows += [(u["login"], Role.unit.value, u["short_name"]) for u in unit_data.UNITS]
    return rows
