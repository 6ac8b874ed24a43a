"""The graded escalation ladder (督办等级) and the 签收 reminders, as steps of the reminder scan.

Levels by working days past the due date in force (or since a report was due), per plan
(``EscalationRule``; defaults 1, 5, 10, 15): 1 提醒 to the unit's contacts, 2 催办 with a 催办单 to the
lead unit (its contacts and head), 3 督办 with a 督办通知单 to the lead unit, copied to the leader
overseeing it (分管领导, for information: leaders are never asked to reply), 4 通报 (listed in the next
督查通报, the unit told). The unit a level concerns is always among its recipients; one email per person
per climb (several levels reached at once: the highest one's, naming the document). A plan in 待印发 mode
gets its documents proposed (no number) for a coordinator to issue from the queue; they are sent then. A document not answered (反馈) by its reply date moves the task up
one level. Each level is reached once per (task, kind, due date): an approved extension changes the due
date (the old episode ends, the task is no longer late) and a closure takes the task off the overdue
list, so either stops the climb. Safe to run again: steps are unique and emails keyed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert as sa_insert, select
from sqlalchemy.exc import IntegrityError

from tracker.audit.services import record_many
from tracker.auth.models import Role, User, leader_units
from tracker.common.upsert import batches, insert_new_rows, on_postgresql
from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.outbox.models import NotificationKind
from tracker.reminders.models import ReminderSettings
from tracker.outbox.services import Later, Recipient
from tracker.supervision.models import (DocumentKind, DocumentState, EscalationRule, LadderStep, Receipt,
                                        ReceiptState, SupervisionDocument)
from tracker.supervision.numbering import (AUTO, REVIEW, document_modes, insert_documents, notice_facts,
                                           number_documents)
from tracker.tasks.queries import task_cards
from tracker.units.models import Unit
from tracker.workcalendar.services import current_calendar

RECIPIENT_GROUPS = ("unit", "unit_head", "leaders", "coordinators")
LEVEL_LABELS = {1: _l("提醒"), 2: _l("催办"), 3: _l("督办"), 4: _l("通报")}
DOCUMENT_OF_LEVEL = {2: (DocumentKind.urge_notice, "催办"), 3: (DocumentKind.supervision_notice, "督办")}


@dataclass(frozen=True)
class Rule:
    level: int
    after_days: int
    recipients: tuple[str, ...]
    issues_document: bool


DEFAULT_RULES = (Rule(1, 1, ("unit",), False), Rule(2, 5, ("unit", "unit_head"), True),
                 Rule(3, 10, ("unit", "unit_head", "leaders"), True), Rule(4, 15, ("unit",), False))
# Level 4 tells the unit its task goes into the next 通报; coordinators read it there and in the weekly
# digest. Emailing every coordinator per task flooded a city's first scan (161,545 emails, 561 MB).


def rules_by_plan() -> dict[int, tuple[Rule, ...]]:
    """Each plan's ladder where a coordinator set one (levels without a row keep their default)."""
    found: dict[int, dict[int, Rule]] = defaultdict(dict)
    for row in db.session.scalars(select(EscalationRule)):
        found[row.plan_id][row.level] = Rule(row.level, row.after_days,
                                             tuple(r for r in row.recipients.split(",") if r), row.issues_document)
    return {plan_id: tuple(levels.get(rule.level, rule) for rule in DEFAULT_RULES) for plan_id, levels in found.items()}


def rules_for(plan_id: int, cache: dict[int, tuple[Rule, ...]] | None = None) -> tuple[Rule, ...]:
    cache = rules_by_plan() if cache is None else cache
    return cache.get(plan_id, DEFAULT_RULES)


def reply_days_by_plan() -> dict[int, int]:
    return {plan_id: days for plan_id, days in db.session.execute(
        select(ReminderSettings.plan_id, ReminderSettings.reply_within_days))}


@lru_cache(maxsize=4096)  # a plan's rules and a number of days: a city's first scan asks 31,000 times
def level_by_days(rules: tuple[Rule, ...], overdue_days: int) -> int:
    return max((rule.level for rule in rules if overdue_days >= rule.after_days), default=0)


def _leaders() -> list[tuple[User, set[int]]]:
    overseen: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_id in db.session.execute(select(leader_units.c.user_id, leader_units.c.unit_id)):
        overseen[user_id].add(unit_id)
    from tracker.reminders.scan import users_with_role

    return [(leader, overseen.get(leader.id, set())) for leader in users_with_role(Role.leader)]


GROUP_LABELS = {"unit": _l("单位联系人"), "unit_head": _l("单位负责人"), "leaders": _l("分管领导"),
                "coordinators": _l("督办人员")}


def audience_of(groups: tuple[str, ...], unit: Unit, leaders, coordinators, *,
                with_document: bool = False) -> list[tuple[Recipient, bool]]:
    """(recipient, copy) of a level: the unit it addresses always (its contacts; its head, 单位主要负责人,
    when the level says so or sends a document, its contacts standing in when no head address is on record),
    then for information only (``copy``, never asked to reply) the leaders overseeing it (or overseeing no
    unit in particular) and the coordinators, as the level's groups say. One entry per address: someone
    who must act and is also copied acts."""
    from tracker.reminders.scan import unit_recipients, user_recipient

    acting = list(unit_recipients(unit))
    if ("unit_head" in groups or with_document) and unit.head_email:
        acting.append(Recipient(email=unit.head_email, unit_id=unit.id))
    copies = []
    if "leaders" in groups:
        copies += [user_recipient(leader) for leader, units in leaders if not units or unit.id in units]
    if "coordinators" in groups:
        copies += [user_recipient(user) for user in coordinators]
    found: dict[str, tuple[Recipient, bool]] = {}
    for recipient, copy in [*((r, False) for r in acting), *((r, True) for r in copies)]:
        found.setdefault(recipient.email, (recipient, copy))
    return list(found.values())


def scan_ladder(at: datetime, result) -> None:
    """Climbs the ladder for every late task and missing report on the overdue list of the day."""
    local = at.astimezone(BEIJING)
    today = local.date()
    calendar = current_calendar()
    from tracker.reminders.scan import SEND_AT, users_with_role

    if not calendar.is_working_day(today) or local.time() < SEND_AT:
        return
    rows = [row for row in result.overdue_rows(today) if row.kind in ("task", "report")]
    if not rows:
        return
    task_ids = sorted({row.task_id for row in rows})
    reached: dict[tuple, int] = defaultdict(int)
    for task_id, kind, due_on, level in db.session.execute(
            select(LadderStep.task_id, LadderStep.kind, LadderStep.due_on, LadderStep.level)
            .where(LadderStep.task_id.in_(task_ids))):
        reached[task_id, kind, due_on] = max(reached[task_id, kind, due_on], level)
    unanswered: set[tuple] = set()  # (task, kind, due date, level) of documents past their reply date
    for task_id, kind, due_on, level in db.session.execute(
            select(LadderStep.task_id, LadderStep.kind, LadderStep.due_on, LadderStep.level)
            .join(SupervisionDocument, SupervisionDocument.id == LadderStep.document_id)
            .where(LadderStep.task_id.in_(task_ids), SupervisionDocument.replied_at.is_(None),
                   SupervisionDocument.state == DocumentState.issued, SupervisionDocument.reply_by < today)):
        unanswered.add((task_id, kind, due_on, level))
    rules_cache, modes, reply_days = rules_by_plan(), document_modes(), reply_days_by_plan()
    climbs = []
    for row in rows:
        key = (row.task_id, row.kind, row.due_on)
        rules = rules_for(row.plan_id, rules_cache)
        target = level_by_days(rules, row.overdue_days)
        if (*key, reached[key]) in unanswered:  # the latest level's document was not answered in time
            target = max(target, min(4, reached[key] + 1))
        new_levels = range(reached[key] + 1, target + 1)
        with_document = [level for level in new_levels
                         if rules[level - 1].issues_document and level in DOCUMENT_OF_LEVEL]
        for level in new_levels:
            reason = "days" if level <= level_by_days(rules, row.overdue_days) else "no_reply"
            # Several levels at once (a task found long overdue, a scan after downtime): each is recorded;
            # only the highest issues its messages, and only the highest one with a document its document.
            climbs.append((row, rules, rules[level - 1], reason, level == target,
                           bool(with_document) and level == with_document[-1]))
    if not climbs:
        return
    # One message per task per scan: a task late and missing a report climbs two episodes, but its unit
    # hears once, from the episode with the highest new level (one issuing a document first, then the task's
    # own episode), whose message also states the other episodes; only that episode issues a document.
    episodes: dict[int, dict[tuple, tuple]] = defaultdict(dict)
    for row, _rules, rule, _reason, _top, document in climbs:
        key = (row.kind, row.due_on)
        level, has_document = episodes[row.task_id].get(key, (0, False))[:2]
        episodes[row.task_id][key] = (max(level, rule.level), has_document or document, row.kind == "task", row)
    speaking = {task_id: max(found, key=lambda key: found[key][:3]) for task_id, found in episodes.items()}
    also = {task_id: [_what(found[key][3]) for key in found if key != speaking[task_id]]
            for task_id, found in episodes.items()}
    climbs = [(row, rules, rule, reason, top, document) if (row.kind, row.due_on) == speaking[row.task_id]
              else (row, rules, rule, reason, False, False) for row, rules, rule, reason, top, document in climbs]
    cards = task_cards(list({climb[0].task_id for climb in climbs}))
    units = {unit.id: unit for unit in db.session.scalars(
        select(Unit).where(Unit.id.in_({climb[0].lead_unit_id for climb in climbs})))}
    leaders, coordinators = _leaders(), users_with_role(Role.coordinator)

    # The rows are written set-based: the climbs' documents built in memory, numbered with one statement
    # per sequence and inserted together, then the steps together, then their audit events. Per climb,
    # two flushes and a numbered document each cost a city's first day 9,000 round trips and 20 s.
    documents: dict[tuple, SupervisionDocument] = {}  # the document of each climb (task, kind, due date)
    step_documents: list[SupervisionDocument | None] = []  # the document each step names, by climb
    issued: list[SupervisionDocument] = []  # new documents numbered now (自动印发), in climb order
    new_documents: list[SupervisionDocument] = []  # every new document, in climb order
    reply_by: dict[int, date] = {}
    by_hand = _issued_by_hand({climb[0].task_id for climb in climbs if climb[5]})
    for row, rules, rule, reason, top, issues_document in climbs:
        card, unit = cards[row.task_id], units[row.lead_unit_id]
        key = (row.task_id, row.kind, row.due_on)
        document = None
        kind_of_level = DOCUMENT_OF_LEVEL.get(rule.level, (None,))[0]
        if issues_document and (*key, kind_of_level) in by_hand:
            # A coordinator already issued this episode's document from the task page: the level takes
            # it (sent when it was issued) instead of a second number.
            document = by_hand.pop((*key, kind_of_level))
        elif issues_document:
            kind, prefix = DOCUMENT_OF_LEVEL[rule.level]
            document = SupervisionDocument(
                kind=kind, prefix=prefix, task_id=row.task_id, unit_id=unit.id, level=rule.level, proposed_on=today,
                issued_at=None, issued_on=None, issued_by_id=None, year=None, serial=None, reply_by=None,
                overdue_days=row.overdue_days, facts=notice_facts(card, unit, row, reason))
            if modes.get(row.plan_id, AUTO) == REVIEW:
                document.state = DocumentState.proposed  # 待印发: a coordinator previews and issues it
            else:
                if row.plan_id not in reply_by:
                    reply_by[row.plan_id] = calendar.add_working_days(today, reply_days.get(row.plan_id, 5))
                document.reply_by = reply_by[row.plan_id]
                issued.append(document)
            new_documents.append(document)
            documents[key] = document
        step_documents.append(document)
    number_documents(issued, today=today, at=at)
    insert_documents(new_documents)
    steps = [dict(task_id=row.task_id, kind=row.kind, due_on=row.due_on, period=row.period, level=rule.level,
                  reached_on=today, overdue_days=row.overdue_days, reason=reason, lead_unit_id=row.lead_unit_id,
                  document_id=document.id if document else None, created_at=at)
             for (row, _rules, rule, reason, _top, _document), document in zip(climbs, step_documents)]
    step_ids = _insert_steps(steps)
    audit = []
    for (row, rules, rule, reason, top, issues_document), document, step_id in zip(climbs, step_documents, step_ids):
        card, unit = cards[row.task_id], units[row.lead_unit_id]
        key = (row.task_id, row.kind, row.due_on)
        audit.append(dict(object_id=step_id, task_id=row.task_id, summary=card.label,
                          changes={"level": rule.level, "overdue_days": row.overdue_days, "kind": row.kind,
                                   "reason": reason, "document": document.number if document and document.serial else "",
                                   "proposed": bool(document and document.is_proposed)}))
        if not top:
            continue
        # One message per person for the climb: the highest level's, naming the document issued on the way.
        document = documents.get(key)
        if document is None and issues_document and rule.level in DOCUMENT_OF_LEVEL:
            continue  # its document was issued (and sent) by hand before
        if document is not None and document.is_proposed:
            if document.level == rule.level:
                continue  # the level's message is its document's, sent when a coordinator issues it
            document = None
        groups = tuple(dict.fromkeys([*rule.recipients, *(rules[document.level - 1].recipients if document else ())]))
        for email_key, recipient, context, publish in _messages(
                None, Later(lambda card=card: card), row.task_id, row.kind, row.due_on, row.period, row.overdue_days,
                rule.level, reason, document, unit, audience_of(groups, unit, leaders, coordinators,
                                                               with_document=document is not None),
                also.get(row.task_id, ())):
            if publish:
                result.publish(context["notification"], email_key, unit_ids=[unit.id], path=context["link"],
                               task_id=row.task_id, at=at, **_without(context, "notification"))
            else:
                result.queue(context["notification"], email_key, recipient, task_id=row.task_id, at=at,
                             **_without(context, "notification"))
    record_many(None, "ladder.reached", LadderStep.__tablename__, audit, at=at)


def _insert_steps(steps: list[dict], batch: int = 1000) -> list[int]:
    """The ladder steps of a scan in multi-row INSERTs; their ids, in the order given. On PostgreSQL one
    array parameter per column (``insert_new_rows``: a 1,000-row VALUES list cost psycopg seconds of
    placeholder parsing, 20 s of a city's first day), the ids matched back by the step's unique key; a step
    a racing scan wrote meanwhile fails the scan, as a plain INSERT would."""
    table = LadderStep.__table__
    if not on_postgresql():
        statement = sa_insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [step_id for part in batches(steps, batch) for step_id in db.session.execute(statement, part).scalars()]
    key = ("task_id", "kind", "due_on", "level")
    found = {tuple(row[1:]): row[0] for row in insert_new_rows(
        table, steps, unique=list(key), returning=[table.c.id, *(table.c[name] for name in key)], batch=batch)}
    if len(found) != len(steps):
        raise IntegrityError("INSERT INTO ladder_steps", None, ValueError("a step was reached by another scan"))
    return [found[tuple(step[name] for name in key)] for step in steps]


def _issued_by_hand(task_ids: set[int]) -> dict[tuple, SupervisionDocument]:
    """(task, kind of overdue item, due date, document kind) → a document in force that a coordinator
    issued from the task page (on no step of the ladder), for the tasks about to get a document."""
    if not task_ids:
        return {}
    on_steps = select(LadderStep.document_id).where(LadderStep.document_id.is_not(None),
                                                    LadderStep.task_id.in_(task_ids))
    found = {}
    for document in db.session.scalars(select(SupervisionDocument).where(
            SupervisionDocument.task_id.in_(task_ids), SupervisionDocument.state == DocumentState.issued,
            SupervisionDocument.id.not_in(on_steps)).order_by(SupervisionDocument.id)):
        facts = document.facts
        found[(document.task_id, facts.get("overdue_kind"), date.fromisoformat(facts["due_on"]), document.kind)] = document
    return found


def _without(context: dict, name: str) -> dict:
    return {key: value for key, value in context.items() if key != name}


def _messages(base: str | None, task, task_id: int, kind: str, due_on: date, period, overdue_days: int, level: int, reason: str,
              document, unit: Unit, audience: list[tuple[Recipient, bool]], others=()):
    """(key, recipient, context, is_webhook) of one event of the ladder: the webhook call, then one email
    per person. Those who must act are asked to reply (反馈) by the document's date; copies say what went
    to whom and ask nothing."""
    notification = NotificationKind.document_issued if document else NotificationKind.ladder_reached
    base = base or f"{notification.value}:{task_id}:{kind}:{due_on}:{level}"
    link = f"/tasks/{task_id}#ladder"
    row = _Row(kind, due_on, period, overdue_days)

    def context(copy: bool) -> dict:
        found = dict(notification=notification, task=task, level=level, level_label=LEVEL_LABELS[level],
                     overdue_days=overdue_days, lines=_lines(level, row, document, reason, others, copy=copy, unit=unit),
                     link=link, copy=copy)
        if document is not None:
            found["document_number"] = document.number
        return found

    acting, copied = context(False), context(True)
    yield base, None, acting, True
    for recipient, copy in audience:
        yield f"{base}:{recipient.email}", recipient, copied if copy else acting, False


@dataclass(frozen=True)
class _Row:
    kind: str
    due_on: date
    period: object
    overdue_days: int


def send_document(document: SupervisionDocument) -> None:
    """A document issued outside the scan (a proposed one issued, one issued from the task page): the unit
    it addresses and the copies of its level hear once each, in the same transaction."""
    from tracker.outbox.services import queue
    from tracker.reminders.scan import users_with_role
    from tracker.webhooks.outbox import publish

    task, unit = document.task, document.unit
    rules = rules_for(task.plan_id)
    facts = document.facts
    card = Later(lambda: task_cards([task.id])[task.id])
    audience = audience_of(rules[document.level - 1].recipients, unit, _leaders(), users_with_role(Role.coordinator),
                           with_document=True)
    for key, recipient, context, is_webhook in _messages(
            f"document_issued:{task.id}:doc{document.id}", card, task.id, facts["overdue_kind"], date.fromisoformat(facts["due_on"]), facts.get("period"),
            document.overdue_days, document.level, facts.get("reason", "days"), document, unit, audience):
        if is_webhook:
            publish(context["notification"], key, unit_ids=[unit.id], path=context["link"], task_id=task.id,
                    **_without(context, "notification"))
        else:
            queue(context["notification"], key, recipient, task_id=task.id, **_without(context, "notification"))


def _what(row):
    return (_l("该任务已超过完成时限%(due)s，逾期%(n)d个工作日。", due=row.due_on, n=row.overdue_days)
            if row.kind == "task" else
            _l("该任务%(period)s的进展应于%(due)s前报送，已逾期%(n)d个工作日未报送。", period=row.period, due=row.due_on,
               n=row.overdue_days))


def _lines(level: int, row, document, reason: str, others=(), *, copy: bool = False, unit: Unit | None = None) -> list:
    """The lines of a ladder message: what is late, the other late items of the task (``others``), the level,
    and either the reply asked of the unit or, on a copy (抄送), what went to whom and that nothing is asked."""
    lines = [_what(row), *others, _l("督办等级：第%(level)d级（%(label)s）。", level=level, label=LEVEL_LABELS[level])]
    if reason == "no_reply":
        lines.append(_l("上一级督办文书逾期未反馈，督办等级上升一级。"))
    if copy:
        if document is not None:
            lines.append(_l("已向%(unit)s发出%(number)s，反馈时限为%(reply)s。", unit=unit.name, number=document.number,
                            reply=document.reply_by))
        lines.append(_l("抄送：此件供您知悉，无需在系统中反馈。"))
    elif document is not None:
        lines.append(_l("已发出%(number)s，请于%(reply)s前在系统中反馈逾期原因、整改措施和预计完成时间。",
                        number=document.number, reply=document.reply_by))
    if level == 4:
        lines.append(_l("该任务将列入下一期督查通报。"))
    return lines


def scan_receipts(at: datetime, result) -> None:
    """签收提醒: a unit that has not signed for a task by its sign-by day hears on that day (once)."""
    local = at.astimezone(BEIJING)
    today = local.date()
    from tracker.reminders.scan import SEND_AT, unit_recipients

    if not current_calendar().is_working_day(today) or local.time() < SEND_AT:
        return
    pending = list(db.session.scalars(select(Receipt).where(Receipt.state == ReceiptState.pending,
                                                            Receipt.sign_by <= today)))
    if not pending:
        return
    cards = task_cards([receipt.task_id for receipt in pending])
    for receipt in pending:
        card = cards[receipt.task_id]
        lines = [_l("%(unit)s：该任务已于%(day)s交办贵单位（%(role)s），签收时限为%(sign_by)s，请登录系统签收或退回交办。",
                    unit=receipt.unit.name, day=receipt.assigned_at.astimezone(BEIJING).date(),
                    role=_l("牵头") if receipt.role == "lead" else _l("配合"), sign_by=receipt.sign_by)]
        key = f"receipt_due:{receipt.id}"
        context = dict(task=card, lines=lines, link=f"/tasks/{receipt.task_id}#receipts")
        result.publish(NotificationKind.receipt_due, key, unit_ids=[receipt.unit_id], path=context["link"],
                       task_id=receipt.task_id, at=at, **context)
        for recipient in unit_recipients(receipt.unit):
            result.queue(NotificationKind.receipt_due, f"{key}:{recipient.email}", recipient, task_id=receipt.task_id,
                         at=at, **context)
