"""The closed loop's rows and a session of 建议提案 for the bench data set (called by bench/generate.py).

签收 (task_receipts) for every task of the active plans, 延期申请 and 办结申请, the ladder's steps (督办等级)
with their numbered 催办单/督办通知单 for the open tasks past their due date, one 届次会议 of 建议提案 with
proposers, 主办/协办 receipts, replies, ratings and their history; then (``issue_bulletin``) the 2026-05
督查通报 drafted and issued by the app's own services. Deterministic: ``random.Random(SEED + 1)``, so the
rows generate.py made before are unchanged; everything is dated on or before ``AS_OF``.

Values follow the app's services: receipts as tracker/supervision/services.py makes them (sign-by 2
working days after 交办), ladder levels by working days overdue as tracker/supervision/ladder.py
(``DEFAULT_RULES``: 1, 5, 10, 15; 催办单 at level 2, 督办通知单 at level 3, reply within 5 working days),
document numbers from the app's ``reserve_serials`` (so ``document_sequences`` holds the last serial and
the app continues the numbering), proposal deadlines as tracker/proposals/handling.py.
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from bench.generate import AS_OF, BEIJING, NEXT_STEPS, OBJECTS, SEED, VERBS, _add_months, _beijing, _month_day, _person

OPEN = ("not_started", "in_progress")
LEVEL_DAYS = {1: 1, 2: 5, 3: 10, 4: 15}  # tracker.supervision.ladder.DEFAULT_RULES
DOCUMENTS = {2: ("urge_notice", "催办"), 3: ("supervision_notice", "督办")}
REPLY_DAYS = 5  # 督办文书反馈时限 (ReminderSettings.reply_within_days default)
SIGN_DAYS = 2  # 签收时限 (ReminderSettings.sign_within_days default)
BULLETIN_MONTH, BULLETIN_DAY = "2026-05", date(2026, 6, 3)
MEETING = "区政协十五届二次会议"
SESSION_DAY = date(2026, 2, 10)  # the session's items are assigned (交办) together

EXTENSION_REASONS = ["受前期审批手续影响，项目开工时间推迟，需顺延完成时限。", "涉及多部门协调事项尚未完成，申请延期办理。",
                     "资金拨付进度滞后，影响实施节点，申请调整完成时限。", "因规划调整需重新论证方案，申请延期。"]
DECISION_COMMENTS = ["同意延期，请倒排工期确保按新时限完成。", "理由不充分，请按原时限推进。", "请补充说明延期原因后再行申请。"]
CLOSURE_SUMMARIES = ["任务各项指标均已完成，相关成果已通过验收，佐证材料已上传。", "已完成全部建设内容并投入使用，形成长效机制。",
                     "政策文件已印发实施，配套细则同步出台，任务办结。"]
RETURN_REASONS = ["佐证材料不完整，请补充验收报告。", "尚有子项目未完成，暂不予销号。"]
REFUSAL_REASONS = ["该事项不属于本单位职责范围，建议改由其他单位牵头。", "本单位已不承担该项职能，请重新交办。"]
DOCUMENT_REPLIES = ["已召开专题会议研究逾期原因，明确整改措施，预计一个月内完成。",
                    "逾期系前期手续办理延迟所致，现已倒排工期，加快推进。", "已落实专人负责，按周报送进展，确保尽快完成。"]
GROUPS = ["经济界", "科技界", "教育界", "医药卫生界", "农业界", "社会福利界", "中共", "民革", "民盟", "民建", "民进", "农工党",
          "致公党", "九三学社", "无党派人士", "工商联"]
RESULTS = ["解决采纳", "部分采纳或解决", "正在解决", "列入计划", "留作参考", "因条件限制无法解决"]  # DEFAULT_RESULT_CATEGORIES
PUBLICITY = ["主动公开", "依申请公开", "不予公开"]
RATINGS = ["满意", "基本满意", "不满意"]


def loop_tables() -> dict:
    from tracker.proposals.models import Proposal, ProposalReceipt, Proposer, proposal_co_units
    from tracker.supervision.models import (ClosureRequest, DocumentSequence, ExtensionRequest, LadderStep, Receipt,
                                            SupervisionDocument)
    from tracker.bulletins.models import Bulletin

    return dict(receipts=Receipt.__table__, extensions=ExtensionRequest.__table__, closures=ClosureRequest.__table__,
                documents=SupervisionDocument.__table__, ladder=LadderStep.__table__,
                sequences=DocumentSequence.__table__, bulletins=Bulletin.__table__, proposals=Proposal.__table__,
                proposers=Proposer.__table__, proposal_co=proposal_co_units,
                proposal_receipts=ProposalReceipt.__table__)


class LoopGenerator:
    def __init__(self, db, gen):
        from sqlalchemy import func, select

        from tracker.units.models import Unit
        from tracker.workcalendar.services import current_calendar

        self.db, self.gen = db, gen
        self.rng = random.Random(SEED + 1)
        self.cal = current_calendar()
        self.t = loop_tables()
        with db.engine.connect() as conn:
            self.next_id = {name: (conn.scalar(select(func.max(table.c.id))) or 0) + 1
                            for name, table in self.t.items() if "id" in table.c}
            self.next_id["audit"] = (conn.scalar(select(func.max(gen.t["audit"].c.id))) or 0) + 1
            self.unit_names = {uid: (name, short) for uid, name, short in
                               conn.execute(select(Unit.id, Unit.name, Unit.short_name))}
            used = set(conn.scalars(select(self.t["proposals"].c.meeting).distinct()))
        self.meeting = MEETING if MEETING not in used else MEETING + "（基准）"
        self.active = [task for task in gen.tasks if gen.plan_info[task.plan_id][0] == "active"]

    def _id(self, name: str) -> int:
        value = self.next_id[name]
        self.next_id[name] += 1
        return value

    def _user(self, unit_id: int) -> int | None:
        users = self.gen.units[unit_id].users
        return self.rng.choice(users) if users else None

    # ---- 签收 -------------------------------------------------------------------------------------
    def receipts_rows(self):
        """One receipt per lead and cooperating unit of every task of the active plans: most signed within
        the day or two, ~3 % pending (assigned again lately, some past their sign-by day), ~1 % refused."""
        rng, cal = self.rng, self.cal
        for task in self.active:
            assigned_day = task.created_at.astimezone(BEIJING).date()
            for role, unit_id in [("lead", task.lead)] + [("cooperating", u) for u in task.coop]:
                roll = rng.random()
                row = dict(id=self._id("receipts"), task_id=task.id, unit_id=unit_id, role=role,
                           assigned_by_id=rng.choice(self.gen.coordinators), answered_at=None, answered_by_id=None,
                           refusal_reason="", suggested_unit_id=None, version=1)
                if roll < 0.03 and task.status in OPEN:
                    day = AS_OF - timedelta(days=rng.randint(1, 12))
                    row.update(state="pending", assigned_at=_beijing(day, rng.randint(9, 17)),
                               sign_by=cal.add_working_days(day, SIGN_DAYS))
                else:
                    at = _beijing(assigned_day, 10)
                    answered = at + timedelta(hours=rng.randint(1, 60))
                    row.update(assigned_at=at, sign_by=cal.add_working_days(assigned_day, SIGN_DAYS),
                               answered_at=answered, answered_by_id=self._user(unit_id))
                    if roll < 0.04:
                        others = [u for u in self.gen.district_units[0] if u != unit_id]
                        row.update(state="refused", refusal_reason=rng.choice(REFUSAL_REASONS),
                                   suggested_unit_id=rng.choice(others) if others and rng.random() < 0.5 else None)
                    else:
                        row["state"] = "signed"
                yield row

    # ---- 延期申请, 办结申请 --------------------------------------------------------------------------
    def _day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def extension_rows(self):
        """~3 % of the active plans' tasks: approved (the task's due date is the approved one), refused, or
        (open tasks) one pending at most."""
        rng = self.rng
        for task in self.active:
            if rng.random() >= 0.03:
                continue
            states = ("approved", "rejected", "pending") if task.status in OPEN else ("approved", "rejected")
            state = rng.choices(states, (55, 25, 20)[:len(states)])[0]
            latest_ask = AS_OF - timedelta(days=8)
            if state == "approved":
                before = max(task.start_on + timedelta(days=10), task.due_on - timedelta(days=rng.randint(30, 120)))
                asked = self._day_between(max(task.start_on, before - timedelta(days=25)),
                                          min(before + timedelta(days=5), latest_ask))
                requested = approved = task.due_on
            elif state == "rejected":
                before, approved = task.due_on, None
                requested = before + timedelta(days=rng.randint(30, 120))
                asked = self._day_between(max(task.start_on, before - timedelta(days=30)), min(before, latest_ask))
            else:
                before, approved = task.due_on, None
                requested = max(before, AS_OF) + timedelta(days=rng.randint(30, 120))
                asked = AS_OF - timedelta(days=rng.randint(1, 7))
            asked = max(asked, task.start_on)
            requested_at = _beijing(asked, rng.randint(9, 17), rng.randint(0, 59))
            decided_at = None
            if state != "pending":
                decided_at = min(requested_at + timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 5)),
                                 _beijing(AS_OF - timedelta(days=1), 17))
            yield dict(id=self._id("extensions"), task_id=task.id, unit_id=task.lead,
                       requested_by_id=self._user(task.lead), requested_at=requested_at,
                       decided_by_id=rng.choice(self.gen.coordinators) if decided_at else None, decided_at=decided_at,
                       decision_comment=(DECISION_COMMENTS[0] if state == "approved" else rng.choice(DECISION_COMMENTS[1:]))
                       if decided_at else "",
                       due_on_before=before, requested_due_on=requested, reason=rng.choice(EXTENSION_REASONS),
                       is_late=asked > before, state=state, approved_due_on=approved, version=1)

    def closure_rows(self):
        """办结申请: verified (核查销号) for ~8 % of the completed tasks (verified the day they were completed);
        pending or returned for ~1 % each of the tasks in progress."""
        rng = self.rng
        for task in self.active:
            roll = rng.random()
            if task.status == "completed" and task.completed_on and roll < 0.08:
                state, decided = "verified", task.completed_on
                asked = max(task.start_on, decided - timedelta(days=rng.randint(1, 6)))
            elif task.status == "in_progress" and roll < 0.01:
                state, decided, asked = "pending", None, AS_OF - timedelta(days=rng.randint(1, 8))
            elif task.status == "in_progress" and roll < 0.02:
                state = "returned"
                asked = max(task.start_on, AS_OF - timedelta(days=rng.randint(8, 60)))
                decided = asked + timedelta(days=rng.randint(1, 4))
            else:
                continue
            requested_at = _beijing(asked, rng.randint(9, 17), rng.randint(0, 59))
            decided_at = _beijing(decided, rng.randint(14, 17)) if decided else None
            if decided_at is not None and decided_at <= requested_at:
                decided_at = requested_at + timedelta(hours=2)
            yield dict(id=self._id("closures"), task_id=task.id, unit_id=task.lead,
                       requested_by_id=self._user(task.lead), requested_at=requested_at,
                       decided_by_id=rng.choice(self.gen.coordinators) if decided_at else None, decided_at=decided_at,
                       decision_comment=rng.choice(RETURN_REASONS) if state == "returned" else "",
                       due_on=task.due_on, summary=rng.choice(CLOSURE_SUMMARIES), state=state, version=1)

    # ---- 督办等级 and numbered documents -----------------------------------------------------------
    def ladder_rows(self) -> tuple[list[dict], list[dict]]:
        """(document rows, step rows) for every open task of an active plan past its due date: each level
        reached (by working days overdue) on its own day, the 催办单/督办通知单 of levels 2 and 3 issued that
        day and numbered per prefix and year through the app's ``reserve_serials``; about half answered."""
        from tracker.supervision.numbering import reserve_serials

        rng, cal = self.rng, self.cal
        documents, steps = [], []
        for task in self.active:
            if task.status not in OPEN or task.due_on >= AS_OF:
                continue
            overdue = cal.working_days_between(task.due_on, AS_OF)
            level = max((lv for lv, days in LEVEL_DAYS.items() if overdue >= days), default=0)
            number, title = self.gen.task_text[task.id]
            _status, plan_title, plan_doc = self.gen.plan_info[task.plan_id]
            for lv in range(1, level + 1):
                reached = min(AS_OF, cal.add_working_days(task.due_on, LEVEL_DAYS[lv]))
                at = _beijing(reached, 9)
                document_id = None
                if lv in DOCUMENTS:
                    kind, prefix = DOCUMENTS[lv]
                    reply_by = cal.add_working_days(reached, REPLY_DAYS)
                    replied_at = replied_by = None
                    if rng.random() < 0.5:
                        replied_at = at + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 7))
                        if replied_at >= _beijing(AS_OF, 8):
                            replied_at = None
                        else:
                            replied_by = self._user(task.lead)
                    document_id = self._id("documents")
                    documents.append(dict(
                        id=document_id, kind=kind, state="issued", prefix=prefix, year=reached.year, serial=None,
                        task_id=task.id, unit_id=task.lead, bulletin_id=None, proposal_id=None, level=lv,
                        proposed_on=reached, issued_on=reached, issued_at=at, issued_by_id=None, reply_by=reply_by,
                        overdue_days=LEVEL_DAYS[lv],
                        facts={"task_label": f"{number}. {title}", "task_number": number, "task_title": title,
                               "plan_title": plan_title, "plan_doc_number": plan_doc or "",
                               "unit_name": self.unit_names[task.lead][0], "due_on": task.due_on.isoformat(),
                               "overdue_kind": "task", "period": None, "progress": task.progress, "reason": "days"},
                        replied_at=replied_at, replied_by_id=replied_by,
                        reply_text=rng.choice(DOCUMENT_REPLIES) if replied_at else "", voided_at=None,
                        voided_by_id=None, void_reason="", version=1))
                steps.append(dict(id=self._id("ladder"), task_id=task.id, kind="task", due_on=task.due_on, period=None,
                                  level=lv, reached_on=reached, overdue_days=LEVEL_DAYS[lv], reason="days",
                                  lead_unit_id=task.lead, document_id=document_id, created_at=at))
        # numbers in the order issued, per prefix and year, from the app's sequences (which keep the last)
        by_sequence: dict[tuple[str, int], list[dict]] = defaultdict(list)
        for row in sorted(documents, key=lambda r: (r["issued_on"], r["task_id"], r["level"])):
            by_sequence[row["prefix"], row["year"]].append(row)
        for (prefix, year), rows in sorted(by_sequence.items()):
            first = reserve_serials(prefix, year, len(rows))
            for offset, row in enumerate(rows):
                row["serial"] = first + offset
        self.db.session.commit()
        return documents, steps

    # ---- 建议提案 ----------------------------------------------------------------------------------
    def proposal_rows(self, count: int):
        """Yields (kind, row) for one session of ``count`` items: proposals, proposers, co-units, receipts and
        their history (audit events), parents first."""
        from tracker.proposals.handling import sign_working_days

        rng, cal = self.rng, self.cal
        sign_days = sign_working_days()
        pool = sorted(u for u, unit in self.gen.units.items() if unit.users)  # 主办/协办: busier units more often
        weights = [self.gen.units[u].weight for u in pool]
        coordinator = self.gen.coordinators[0]
        items, people, co_rows, receipts, audit = [], [], [], [], []
        for i in range(1, count + 1):
            pid = self._id("proposals")
            label = f"{self.meeting}第{i:04d}号"
            assigned = SESSION_DAY if rng.random() < 0.85 else self._day_between(date(2026, 3, 2), date(2026, 6, 12))
            year, month = _add_months(assigned.year, assigned.month, 3)
            due = _month_day(year, month, assigned.day)
            sign_due = cal.add_working_days(assigned, sign_days)
            main = rng.choices(pool, weights)[0]
            co = []
            for _ in range(rng.choices((0, 1, 2), (45, 40, 15))[0]):
                unit = rng.choices(pool, weights)[0]
                if unit != main and unit not in co:
                    co.append(unit)
            if due < AS_OF:
                state = rng.choices(("replied", "feedback_received", "replying", "assigned"), (55, 25, 14, 6))[0]
            else:
                state = rng.choices(("replied", "replying", "assigned"), (30, 50, 20))[0]
            names = [_person(rng) for _ in range(rng.choices((1, 2, 3), (60, 25, 15))[0])]
            title = f"关于{rng.choice(VERBS)}{rng.choice(OBJECTS)}的建议"
            created = _beijing(assigned - timedelta(days=rng.randint(1, 10)), 9)
            item = dict(id=pid, kind="cppcc", meeting=self.meeting, number=f"第{i:04d}号", title=title,
                        points=[f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}。" for _ in range(rng.randint(2, 4))],
                        proposers="、".join(names) + ("等委员" if len(names) > 1 else "委员"), main_unit_id=main,
                        assigned_on=assigned, reply_due_on=due, state=state, reply_doc_number="", reply_on=None,
                        result_category="", publicity="", contact_name="", contact_phone="", contact_address="",
                        postal_code="", reply_text="", commitments=[], feedback="", rehandling_count=0,
                        follow_up_plan_id=None, created_at=created, updated_at=created, version=1)
            events = [(created, coordinator, "proposal.created", {"meeting": self.meeting, "number": item["number"]}),
                      (created, coordinator, "proposal.proposers_set", {"proposers": [[], names]}),
                      (created, coordinator, "proposal.points_set", {"points": [[], item["points"]]})]
            for position, name in enumerate(names, start=1):
                people.append(dict(id=self._id("proposers"), proposal_id=pid, position=position, name=name,
                                   group=rng.choice(GROUPS), contact=f"139{rng.randint(10000000, 99999999)}"))
            co_rows += [dict(proposal_id=pid, unit_id=unit) for unit in co]
            roles = {self.unit_names[main][1]: "main", **{self.unit_names[u][1]: "co" for u in co}}
            assigned_at = _beijing(assigned, 10)
            events.append((assigned_at, coordinator, "proposal.assigned",
                           {"units": roles, "sign_due_on": sign_due.isoformat(), "reply_due_on": due.isoformat()}))
            for unit, role in [(main, "main")] + [(u, "co") for u in co]:
                signed_at = acted = None
                if not (state == "assigned" and due >= AS_OF and rng.random() < 0.5):
                    signed_at = min(_beijing(cal.add_working_days(assigned, rng.randint(1, sign_days)), 15),
                                    _beijing(AS_OF - timedelta(days=1), 15))
                    acted = self._user(unit)
                    events.append((signed_at, acted, "proposal.signed",
                                   {"unit": self.unit_names[unit][1], "role": role}))
                receipts.append(dict(id=self._id("proposal_receipts"), proposal_id=pid, unit_id=unit, role=role,
                                     assigned_on=assigned, sign_due_on=sign_due, signed_at=signed_at, returned_at=None,
                                     return_reason="", acted_by_id=acted))
            if state != "assigned":
                handling_at = _beijing(min(AS_OF - timedelta(days=1), assigned + timedelta(days=rng.randint(12, 20))), 11)
                events.append((handling_at, coordinator, "proposal.updated", {"state": ["assigned", "replying"]}))
            if state in ("replied", "feedback_received"):
                last = min(due, AS_OF - timedelta(days=2))
                if due < AS_OF and rng.random() < 0.08:  # answered late
                    last = min(due + timedelta(days=rng.randint(1, 30)), AS_OF - timedelta(days=2))
                reply_on = self._day_between(min(last, assigned + timedelta(days=25)), last)
                short = self.unit_names[main][1]
                contact = _person(rng)
                item.update(reply_on=reply_on, reply_doc_number=f"{short}提复〔2026〕{i}号",
                            result_category=rng.choices(RESULTS, (35, 25, 15, 10, 10, 5))[0],
                            publicity=rng.choices(PUBLICITY, (60, 30, 10))[0], contact_name=contact,
                            contact_phone=f"021-{rng.randint(50000000, 69999999)}",
                            contact_address=f"{rng.choice(('人民路', '中山路', '建设路'))}{rng.randint(1, 300)}号",
                            postal_code=f"20{rng.randint(1000, 9999)}",
                            reply_text=f"{'、'.join(names)}委员：\n您提出的《{title}》收悉，现答复如下。\n"
                                       f"一、{rng.choice(VERBS)}{rng.choice(OBJECTS)}。{rng.choice(NEXT_STEPS)}\n"
                                       f"二、{rng.choice(VERBS)}{rng.choice(OBJECTS)}。{rng.choice(NEXT_STEPS)}\n"
                                       f"感谢您对我区工作的关心和支持。\n联系人：{contact}",
                            updated_at=_beijing(reply_on, 16))
                events.append((_beijing(reply_on, 16), coordinator, "proposal.updated",
                               {"state": ["replying", "replied"], "reply_on": [None, reply_on.isoformat()],
                                "result_category": ["", item["result_category"]]}))
                if state == "feedback_received":
                    rating = rng.choices(RATINGS, (70, 25, 5))[0]
                    rated = min(reply_on + timedelta(days=rng.randint(3, 20)), AS_OF - timedelta(days=1))
                    item.update(feedback=rating, updated_at=_beijing(rated, 10))
                    events.append((_beijing(rated, 10), None, "proposal.rated", {"proposer": names[0], "rating": rating}))
            items.append(item)
            for at, actor, action, changes in events:
                audit.append(dict(id=self._id("audit"), at=at, actor_id=actor, action=action, object_type="proposals",
                                  object_id=pid, task_id=None, changes=changes, summary=f"{label} {title}"[:200]))
        yield from (("proposals", row) for row in items)
        yield from (("proposers", row) for row in people)
        yield from (("proposal_co", row) for row in co_rows)
        yield from (("proposal_receipts", row) for row in receipts)
        yield from (("audit", row) for row in audit)


def load_loop(db, gen, loader, proposals: int, with_audit: bool = True) -> None:
    """Generates and loads the loop's rows and the proposals (see the module docstring)."""
    from sqlalchemy import update

    from tracker.plans.models import Plan

    loop = LoopGenerator(db, gen)
    t = loop.t
    public = [plan_id for plan_id, (status, _title, _doc) in gen.plan_info.items() if status == "active"][::5]
    with db.engine.begin() as conn:  # 主动公开: every fifth active plan, on the public pages
        conn.execute(update(Plan.__table__).where(Plan.__table__.c.id.in_(public)).values(is_public=True))
    loader.insert(t["receipts"], loop.receipts_rows())
    loader.insert(t["extensions"], loop.extension_rows())
    loader.insert(t["closures"], loop.closure_rows())
    documents, steps = loop.ladder_rows()
    loader.insert(t["documents"], documents)
    loader.insert(t["ladder"], steps)
    buffers: dict[str, list] = defaultdict(list)
    for kind, row in loop.proposal_rows(proposals):
        buffers[kind].append(row)
    for kind in ("proposals", "proposers", "proposal_co", "proposal_receipts"):
        loader.insert(t[kind], buffers[kind])
    if with_audit:
        loader.insert(gen.t["audit"], buffers["audit"])
    gen.next_id["audit"] = loop.next_id["audit"]


def issue_bulletin(db) -> None:
    """The 2026-05 督查通报 drafted and issued (印发) by the app's services on 2026-06-03, as a coordinator would
    (numbered 督查通报〔2026〕N号 from the register); skipped when the month already has one."""
    from sqlalchemy import select

    from tracker.auth.models import Role, User
    from tracker.bulletins.models import Bulletin
    from tracker.bulletins.services import draft_bulletin, issue_bulletin as issue
    from tracker.common.clock import frozen_at

    if db.session.scalar(select(Bulletin.id).where(Bulletin.month == BULLETIN_MONTH)) is not None:
        return
    actor = db.session.scalar(select(User).where(User.role == Role.coordinator).order_by(User.login != "coordinator",
                                                                                          User.id))
    with frozen_at(datetime(BULLETIN_DAY.year, BULLETIN_DAY.month, BULLETIN_DAY.day, 10, 0)):
        bulletin = draft_bulletin(actor, month_key=BULLETIN_MONTH, today=BULLETIN_DAY)
        db.session.flush()
        issue(actor, bulletin, today=BULLETIN_DAY)
    db.session.commit()
    db.session.remove()
