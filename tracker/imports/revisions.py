"""Existing plans an import may duplicate (同一文号或标题), and plan revisions (方案修订): what a new version of a
plan's document changes in its tasks, and applying that to the plan so every matched task keeps its history.

A revision matches the imported tasks to the plan's tasks by title first (the same title, numbered anew or
not), then by number where the titles are still alike, then by the most similar title; what is left over was
added (imported only) or removed (in the plan only). Matched tasks report ``renamed``, ``reassigned`` (lead or
cooperating units) and ``redated`` (完成时限); a removed task is suspended (暂缓), never deleted.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit.services import record
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.tasks.models import Task, TaskStatus

CHANGE_KINDS = ("added", "removed", "renamed", "reassigned", "redated")
SAME_NUMBER_SIMILARITY = 0.4
TITLE_SIMILARITY = 0.6
_NOISE = re.compile(r"[\s()（）〔〕\[\]［］【】《》<>“”\"'·、，,。.:：;；\-—–_]")


def normalised(text: str | None) -> str:
    """For comparing 文号 and titles: full/half width, brackets of any kind, spaces and punctuation ignored."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def duplicate_plans(title: str | None, doc_number: str | None) -> list[dict]:
    """Existing plans with the same 文号 or the same title (normalised); the 文号 matches first."""
    wanted_number, wanted_title = normalised(doc_number), normalised(title)
    if not (wanted_number or wanted_title):
        return []
    found = []
    rows = db.session.execute(select(Plan.id, Plan.title, Plan.doc_number).order_by(Plan.id))
    for plan_id, plan_title, plan_number in rows:
        by_number = bool(wanted_number) and normalised(plan_number) == wanted_number
        by_title = bool(wanted_title) and normalised(plan_title) == wanted_title
        if by_number or by_title:
            found.append({"id": plan_id, "title": plan_title, "doc_number": plan_number or "",
                          "matched_by": "doc_number" if by_number else "title"})
    found.sort(key=lambda row: (row["matched_by"] != "doc_number", row["id"]))
    return found


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, normalised(a), normalised(b)).ratio()


def _int_ref(ref) -> int | None:
    text = str(ref or "").strip()
    return int(text) if text.isdigit() else None


def plan_tasks(plan: Plan) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.plan_id == plan.id, Task.parent_id.is_(None))
                                   .order_by(Task.sort_key, Task.id)))


def match_tasks(existing: list[Task], imported: list[dict]) -> dict[int, Task]:
    """Imported row index → the plan's task it is a new version of."""
    matched: dict[int, Task] = {}
    free = list(existing)

    def take(row: int, task: Task) -> None:
        matched[row] = task
        free.remove(task)

    for row, item in enumerate(imported):
        same = next((task for task in free if normalised(task.title) == normalised(item.get("title"))), None)
        if same is not None:
            take(row, same)
    for row, item in enumerate(imported):
        if row in matched:
            continue
        same = next((task for task in free if task.number.strip() == str(item.get("number") or "").strip()), None)
        if same is not None and _similarity(same.title, item.get("title") or "") >= SAME_NUMBER_SIMILARITY:
            take(row, same)
    for row, item in enumerate(imported):
        if row in matched or not free:
            continue
        best = max(free, key=lambda task: _similarity(task.title, item.get("title") or ""))
        if _similarity(best.title, item.get("title") or "") >= TITLE_SIMILARITY:
            take(row, best)
    return matched


def _unit_names(ids) -> str:
    from tracker.units.models import Unit

    ids = [unit_id for unit_id in ids if unit_id]
    if not ids:
        return "—"
    names = dict(db.session.execute(select(Unit.id, Unit.short_name).where(Unit.id.in_(ids))).all())
    return "、".join(names.get(unit_id, "?") for unit_id in ids)


def _ref_names(refs, new_units: list[dict]) -> str:
    names = []
    for ref in refs:
        if str(ref).startswith("new:"):
            index = _int_ref(str(ref)[4:])
            names.append(new_units[index]["name"] if index is not None and index < len(new_units) else "?")
        elif _int_ref(ref):
            names.append(_unit_names([_int_ref(ref)]))
    return "、".join(names) or "—"


def fill_from_plan(plan: Plan, payload: dict) -> dict:
    """A revision document that writes no units for a task (or no 完成时限) leaves the plan's own: the matched
    task's lead and cooperating units, and its due date, fill the gaps. Returns a new payload."""
    import copy

    filled = copy.deepcopy(payload)
    imported = [task for task in filled.get("tasks") or [] if not task.get("skip")]
    existing = [task for task in plan_tasks(plan) if task.status != TaskStatus.suspended]
    for row, task in match_tasks(existing, imported).items():
        item = imported[row]
        if not item.get("lead_unit") and not item.get("cooperating_units"):
            item["lead_unit"] = str(task.lead_unit_id)
            item["cooperating_units"] = [str(unit.id) for unit in task.cooperating_units]
        if item.get("due_written") is False and item.get("due_on") in (None, "", filled.get("period_end")):
            item["due_on"] = task.due_on.isoformat() if task.due_on else None
    return filled


def revision_diff(plan: Plan, payload: dict) -> dict:
    """What importing ``payload`` as a new version of ``plan`` changes, for the review screen and the apply."""
    imported = [task for task in payload.get("tasks") or [] if not task.get("skip")]
    existing = [task for task in plan_tasks(plan) if task.status != TaskStatus.suspended]
    matched = match_tasks(existing, imported)
    new_units = payload.get("new_units") or []
    changes: list[dict] = []
    for row, item in enumerate(imported):
        task = matched.get(row)
        if task is None:
            changes.append({"kind": "added", "number": item.get("number"), "title": item.get("title"),
                            "before": "", "after": item.get("title")})
            continue
        base = {"task_id": task.id, "number": item.get("number"), "title": item.get("title")}
        if (task.title or "").strip() != str(item.get("title") or "").strip():
            changes.append({**base, "kind": "renamed", "before": task.title, "after": item.get("title")})
        lead = item.get("lead_unit") or ""
        cooperating = [ref for ref in item.get("cooperating_units") or [] if ref]
        same_lead = _int_ref(lead) == task.lead_unit_id and not str(lead).startswith("new:")
        same_cooperating = (all(_int_ref(ref) for ref in cooperating)
                            and {_int_ref(ref) for ref in cooperating} - {task.lead_unit_id}
                            == {unit.id for unit in task.cooperating_units} - {task.lead_unit_id})
        if not (same_lead and same_cooperating):
            before = f"{_unit_names([task.lead_unit_id])}；{_unit_names([u.id for u in task.cooperating_units])}"
            after = f"{_ref_names([lead], new_units) if lead else '—'}；{_ref_names(cooperating, new_units)}"
            changes.append({**base, "kind": "reassigned", "before": before, "after": after})
        due = str(item.get("due_on") or "") or None
        if (task.due_on.isoformat() if task.due_on else None) != due:
            changes.append({**base, "kind": "redated", "before": task.due_on.isoformat() if task.due_on else "—",
                            "after": due or "—"})
    matched_ids = {task.id for task in matched.values()}
    for task in existing:
        if task.id not in matched_ids:
            changes.append({"kind": "removed", "task_id": task.id, "number": task.number, "title": task.title,
                            "before": task.title, "after": ""})
    order = {kind: position for position, kind in enumerate(CHANGE_KINDS)}
    changes.sort(key=lambda change: order[change["kind"]])
    return {"plan_id": plan.id, "plan_title": plan.title, "changes": changes,
            "matched": {str(row): task.id for row, task in matched.items()},
            "counts": {kind: sum(1 for change in changes if change["kind"] == kind) for kind in CHANGE_KINDS}}


def apply_revision(actor, plan: Plan, checked: dict, payload: dict, resolver, today: date, parse_iso,
                   to_int) -> dict:
    """Applies a checked revision payload to ``plan``: matched tasks are edited in place (their updates,
    reports and audit trail stay theirs), new ones created, removed ones suspended; each change audited."""
    from tracker.plans.services import save_group
    from tracker.tasks.services import save_task

    diff = revision_diff(plan, payload)
    imported = checked["tasks"]
    existing = {task.id: task for task in plan_tasks(plan)}
    groups_by_title = {normalised(group.title): group for group in plan.groups}
    group_ids: list[int | None] = []
    for group in checked["groups"]:
        found = groups_by_title.get(normalised(group.get("title")))
        if found is None:
            found = save_group(actor, plan, None, number=str(group.get("number") or ""),
                               title=str(group.get("title") or ""))
            db.session.flush()
            groups_by_title[normalised(found.title)] = found
        group_ids.append(found.id)
    for row, item in enumerate(imported):
        lead = resolver.resolve(item["lead_unit"])
        cooperating = [unit_id for unit_id in (resolver.resolve(ref) for ref in item.get("cooperating_units") or [])
                       if unit_id and unit_id != lead]
        group_index = item.get("group_index")
        group_id = group_ids[group_index] if isinstance(group_index, int) else None
        task = existing.get(diff["matched"].get(str(row)))
        values = {"number": str(item["number"]).strip(), "title": str(item["title"]).strip()[:200],
                  "text": str(item.get("text") or ""), "group_id": group_id, "lead_unit_id": lead,
                  "cooperating_unit_ids": cooperating, "due_on": parse_iso(item.get("due_on"), "", [])}
        if task is None:
            from tracker.tasks.models import ReportingCycle

            save_task(actor, plan, None, **values, start_on=parse_iso(item.get("start_on"), "", []),
                      reporting_cycle=ReportingCycle(item["reporting_cycle"]), report_day=to_int(item["report_day"]),
                      today=today)
            continue
        if not values["text"] or normalised(values["text"]) == normalised(task.text):
            values["text"] = task.text  # the same words (punctuation and widths aside) stay as they were
        current = {"number": task.number, "title": task.title, "text": task.text, "group_id": task.group_id,
                   "lead_unit_id": task.lead_unit_id,
                   "cooperating_unit_ids": sorted(unit.id for unit in task.cooperating_units), "due_on": task.due_on}
        if {**values, "cooperating_unit_ids": sorted(values["cooperating_unit_ids"])} == current:
            continue  # unchanged: no edit, no audit event
        save_task(actor, plan, task, **values, parent_id=task.parent_id, start_on=task.start_on,
                  reporting_cycle=task.reporting_cycle, report_day=task.report_day, status=task.status,
                  progress=task.progress, completed_on=task.completed_on, today=today, expected_version=task.version)
    for change in diff["changes"]:
        if change["kind"] != "removed":
            continue
        task = existing[change["task_id"]]
        save_task(actor, plan, task, number=task.number, title=task.title, text=task.text, group_id=task.group_id,
                  parent_id=task.parent_id, lead_unit_id=task.lead_unit_id,
                  cooperating_unit_ids=[unit.id for unit in task.cooperating_units], start_on=task.start_on,
                  due_on=task.due_on, reporting_cycle=task.reporting_cycle, report_day=task.report_day,
                  status=TaskStatus.suspended, progress=task.progress, completed_on=task.completed_on, today=today,
                  expected_version=task.version)
    record(actor, "plan.revised", plan,
           changes={"counts": diff["counts"],
                    "changes": [{key: change.get(key) for key in ("kind", "number", "title", "before", "after")}
                                for change in diff["changes"]]},
           summary=_("方案修订：%(title)s", title=plan.title))
    return diff

