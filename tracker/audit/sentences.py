"""Audit history in plain language (操作留痕): every audit event read as a sentence in the user's language.

The audit log keeps the raw record (action code such as ``update.accepted``, ``changes`` as
``{field: [before, after]}``); the database and the JSON API keep showing it as stored. Pages show
``describe(events)``: for each event an ``Entry`` with the moment, who did it, one sentence
("区府办督查科 采纳了 区科委 2026年6月的报送") and the changes as sentences ("完成时限 由 2026-04-30 调整为
2026-06-30"): fields by their labels, units, users, groups, tasks and plans by name, enum values by their
labels. The template is ``templates/audit/_history.html`` (macro ``history(entries)``).

The registry ``SENTENCES`` maps each action code to a builder. An action without one gets a generic
sentence built from its object and verb ("系统管理员 修改了 单位"), never the code.

How to add a sentence for a new event (e.g. 签收 ``task.signed_for``, 延期 ``task.extension_requested``):

    from flask_babel import gettext as _
    from tracker.audit.sentences import Said, sentence

    @sentence("task.signed_for")
    def _signed_for(event, names):
        # event: Event (actor, changes, summary, object_type, object_id, task_id, raw);
        # names: Names, resolving ids read from changes: names.unit(id), names.user(id), names.task(id)…
        return Said(_("%(actor)s 签收了任务", actor=event.actor), details=event.changed(),
                    note=event.summary)

- a builder returns ``Said(text, details=[...], note="")`` or just the sentence (a ``str``);
- ``event.changed()`` renders ``{field: [before, after]}`` changes, ``event.listed()`` a created
  object's ``{field: value}`` (both skip unchanged and internal fields); ``event.value(field, v)``
  one value as shown;
- a new field gets its label in ``FIELD_NAMES`` (or ``tracker.common.labels.FIELD_LABELS``, or
  ``OBJECT_FIELD_NAMES`` when it means something else on one kind of record); a field
  holding ids gets its kind in ``REFERENCES`` so the ids are resolved to names (in one query per kind
  for the whole page, by the loader the kind's domain registers: ``register_names`` in its ``history.py``); the values of an enum field get their labels in ``VALUE_LABELS`` (or ``LABELS``);
- a new object type gets its name in ``OBJECT_NAMES`` (used by the generic sentence);
- every msgid goes into ``tracker/translations/en/LC_MESSAGES/messages.po``; ``tests/test_history_sentences.py``
  fails on an action code written by the code without a sentence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Optional, Union

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.common import labels
from tracker.common.clock import to_beijing
from tracker.extensions import db


# ---------------------------------------------------------------------------------------------------------
# What a page shows
# ---------------------------------------------------------------------------------------------------------

@dataclass
class Said:
    """What a builder says: the sentence, the changes as sentences, and a note (a comment, a text)."""
    text: str
    details: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Entry:
    """One line of a history as a page shows it."""
    at: Optional[datetime]
    actor: str
    text: str
    details: list[str]
    note: str
    action: str  # the raw code, for the page's data attribute and the API only


Builder = Callable[["Event", "Names"], Union[Said, str]]
SENTENCES: dict[str, Builder] = {}


def sentence(*actions: str) -> Callable[[Builder], Builder]:
    """Registers the decorated builder for one or more action codes."""

    def register(builder: Builder) -> Builder:
        for action in actions:
            SENTENCES[action] = builder
        return builder

    return register


def register(action: str, builder: Builder) -> None:
    """``SENTENCES[action] = builder``, for code that builds sentences without the decorator."""
    SENTENCES[action] = builder


# ---------------------------------------------------------------------------------------------------------
# Words: field labels, references to other records, enum value labels, object names
# ---------------------------------------------------------------------------------------------------------

FIELD_NAMES = {
    # status updates and readings
    "period": _l("报送期次"), "percent": _l("完成进度"), "unit": _l("报送单位"), "evidence": _l("佐证材料"),
    "review_state": _l("审核状态"), "comment": _l("审核意见"), "value": _l("数值"), "lead_unit": _l("牵头单位"),
    # plans, groups, units
    "name": _l("名称"), "contact_person": _l("联系人"),
    "notification_emails": _l("通知邮箱"), "phone": _l("电话"),
    # users and tokens
    "login": _l("登录名"), "display_name": _l("姓名"), "role": _l("角色"), "unit_id": _l("所属单位"),
    "email": _l("邮箱"), "locale": _l("语言"), "is_active_user": _l("启用"), "overseen_units": _l("分管单位"),
    "password": _l("密码"), "locked_until": _l("锁定至"), "prefix": _l("令牌前缀"), "user_id": _l("用户"),
    # reminder settings and the calendar
    "report_due_offsets": _l("报送提醒（提前工作日）"), "deadline_offsets": _l("到期提醒（提前工作日）"),
    "escalate_after_days": _l("升级督办（逾期工作日）"), "overdue_digest_enabled": _l("逾期汇总"),
    "holidays": _l("节假日"), "makeup_workdays": _l("调休上班日"),
    # indicators
    "unit_of_measure": _l("计量单位"), "baseline": _l("基期值"), "baseline_on": _l("基期日期"),
    "target_value": _l("目标值"), "target_on": _l("目标日期"), "direction": _l("方向"), "task_id": _l("关联任务"),
    "responsible_unit_id": _l("责任单位"), "note": _l("备注"),
    # imports
    "filename": _l("文件名"), "state": _l("状态"), "plan_id": _l("方案"), "groups": _l("行动数"),
    "tasks": _l("任务数"), "indicators": _l("指标数"), "units_created": _l("新建单位"), "proposal_id": _l("提案"),
    "matched": _l("更新已有提案"),
    # proposals
    "meeting": _l("会议"), "proposers": _l("提案人"), "main_unit_id": _l("主办单位"), "co_unit_ids": _l("会办单位"),
    "assigned_on": _l("交办日期"), "reply_due_on": _l("答复期限"), "reply_doc_number": _l("答复文号"),
    "reply_on": _l("答复日期"), "result_category": _l("办理结果"), "publicity": _l("公开属性"),
    "contact_name": _l("联系人"), "contact_phone": _l("联系电话"), "contact_address": _l("联系地址"),
    "postal_code": _l("邮政编码"), "feedback": _l("反馈意见"),
    # webhooks
    "format": _l("格式"), "url": _l("地址"), "secret": _l("签名密钥"), "events": _l("推送事件"),
    "enabled": _l("启用"), "result": _l("结果"),
    # escalations
    "overdue_days": _l("逾期工作日"),
}

# Fields holding ids (or lists of ids) of other records: their kind, for ``Names``.
REFERENCES = {
    "lead_unit_id": "unit", "unit_id": "unit", "main_unit_id": "unit", "responsible_unit_id": "unit",
    "cooperating_unit_ids": "unit", "co_unit_ids": "unit", "group_id": "group", "task_id": "task",
    "plan_id": "plan", "user_id": "user", "proposal_id": "proposal",
}
# ``parent_id`` means another task on a task, another unit on a unit.
PARENT_KIND = {"tasks": "task", "units": "unit"}

TEXT_FIELDS = {"text", "source_text", "progress_text", "reply_text", "feedback", "note", "problems", "next_steps",
               "holidays", "makeup_workdays"}
PERCENT_FIELDS = {"percent", "progress"}
HIDDEN_FIELDS = {"version", "sort_key", "source_text"}

# Labels of enum values by field, or by "object_type.field" where the same field name means another enum;
# values not found here are looked up in ``tracker.common.labels.LABELS``.
VALUE_LABELS: dict[str, dict] = {
    "locale": {"zh_CN": "中文", "en": "English"},
    "import_drafts.state": {"draft": _l("待审核"), "applied": _l("已创建"), "discarded": _l("已放弃")},
    "import_drafts.kind": {"plan": _l("方案"), "proposal_reply": _l("提案答复")},
    "event": {"test": _l("测试消息")},
}
_DOMAIN_LABELS: dict[str, dict] = {}


def register_value_labels(field: str, labels: dict) -> None:
    """The labels a domain keeps itself for a field's values (指标方向, 提案 states), registered by that domain
    when its module is imported at start-up: the history reads them without importing the domains above it."""
    _DOMAIN_LABELS[field] = {getattr(key, "value", key): text for key, text in labels.items()}


def _value_labels() -> dict[str, dict]:
    """``VALUE_LABELS`` and the labels the domains registered (``register_value_labels``)."""
    return {**_DOMAIN_LABELS, **VALUE_LABELS}


OBJECT_NAMES = {
    "tasks": _l("任务"), "status_updates": _l("进展报送"), "plans": _l("方案"), "action_groups": _l("行动"),
    "units": _l("单位"), "users": _l("用户"), "indicators": _l("指标"), "indicator_readings": _l("指标填报"),
    "proposals": _l("提案"), "import_drafts": _l("导入草稿"), "reminder_settings": _l("提醒设置"),
    "holiday_years": _l("节假日安排"), "api_tokens": _l("API令牌"), "webhooks": _l("群机器人"),
    "escalations": _l("督办升级"),
}

VERBS = {"created": _l("创建了"), "updated": _l("修改了"), "deleted": _l("删除了"), "saved": _l("保存了"),
         "submitted": _l("提交了"), "accepted": _l("采纳了"), "returned": _l("退回了"), "revoked": _l("撤销了"),
         "applied": _l("应用了"), "discarded": _l("放弃了"), "edited": _l("修改了"), "tested": _l("测试了")}


# Where a field means something else on another kind of record ("object_type.field").
OBJECT_FIELD_NAMES = {
    "units.parent_id": _l("上级单位"), "proposals.title": _l("案由"), "proposals.number": _l("提案编号"),
    "indicators.name": _l("指标名称"), "users.unit_id": _l("所属单位"), "webhooks.unit_id": _l("推送范围"),
}


def field_name(name: str, object_type: str = "") -> str:
    """A field's label in the user's language; an unknown field reads as "其他信息", never its code."""
    text = (OBJECT_FIELD_NAMES.get(f"{object_type}.{name}") or labels.FIELD_LABELS.get(name)
            or FIELD_NAMES.get(name))
    return str(text) if text is not None else _("其他信息")


def period_text(key: Any) -> str:
    """"2026-06" → 2026年6月 (June 2026), "2026-Q2" → 2026年第2季度 (Q2 2026), "final" → 一次性报送."""
    key = str(key or "")
    try:
        if "-Q" in key:
            year, quarter = key.split("-Q")
            return _("%(year)s年第%(quarter)s季度", year=int(year), quarter=int(quarter))
        if key == "final":
            return _("一次性报送")
        year, month = key.split("-")
        return format_skeleton("yMMMM", date(int(year), int(month), 1), locale=get_locale() or "zh_CN")
    except ValueError:
        return key or "—"


# ---------------------------------------------------------------------------------------------------------
# Names: the ids an event mentions, resolved for a whole page at once
# ---------------------------------------------------------------------------------------------------------

NameLoader = Callable[[list[int]], dict[int, str]]
# kind ("task", "plan", "group", "proposal"...) -> the names of those ids, in one query: registered by the
# domain that owns the records (``register_names``), so the history reads them without importing it.
NAME_LOADERS: dict[str, NameLoader] = {}
# "update" -> {id: UpdateFacts}, "reading" -> {id: ReadingFacts}: registered the same way (``register_facts``).
FACT_LOADERS: dict[str, Callable[[list[int]], dict[int, Any]]] = {}


def register_names(kind: str, load: NameLoader) -> None:
    """The names of a kind of record the history mentions (``load(ids) -> {id: name}``, one query), registered
    by the domain that owns those records at start-up (its ``history.register``)."""
    NAME_LOADERS[kind] = load


def register_facts(kind: str, load: Callable[[list[int]], dict[int, Any]]) -> None:
    """The facts a sentence states about an update (``UpdateFacts``) or an indicator reading (``ReadingFacts``)."""
    FACT_LOADERS[kind] = load


def column_names(id_column, *columns, shown: Callable[..., str] | None = None) -> NameLoader:
    """A loader reading ``id_column`` and ``columns`` of the ids, each name ``shown(*values)`` (the first value)."""
    def load(ids: list[int]) -> dict[int, str]:
        rows = db.session.execute(select(id_column, *columns).where(id_column.in_(ids)))
        return {row[0]: (shown(*row[1:]) if shown else row[1]) for row in rows}

    return load


@dataclass
class UpdateFacts:
    unit: str
    period: str
    percent: Optional[int]


@dataclass
class ReadingFacts:
    indicator: str
    unit: str
    period: str
    value: str


class Names:
    """Names of the records the events mention, read in one query per kind for all of them."""

    def __init__(self, events: list) -> None:
        wanted: dict[str, set[int]] = {"unit": set(), "user": set(), "group": set(), "task": set(), "plan": set(),
                                       "proposal": set(), "update": set(), "reading": set()}
        for event in events:
            if event.actor_id:
                wanted["user"].add(event.actor_id)
            if event.object_type == "status_updates":
                wanted["update"].add(event.object_id)
            elif event.object_type == "indicator_readings":
                wanted["reading"].add(event.object_id)
            for name, change in (event.changes or {}).items():
                kind = _reference_kind(event.object_type, name)
                if kind:
                    wanted[kind].update(_ids(change))
        self._names: dict[str, dict[int, str]] = {kind: {} for kind in wanted}
        self.updates: dict[int, UpdateFacts] = {}
        self.readings: dict[int, ReadingFacts] = {}
        self._load(wanted)

    def _load(self, wanted: dict[str, set[int]]) -> None:
        for kind, load in NAME_LOADERS.items():
            ids = sorted(wanted.get(kind, ()))
            if ids:
                self._names.setdefault(kind, {}).update(load(ids))
        if wanted["update"] and "update" in FACT_LOADERS:
            self.updates.update(FACT_LOADERS["update"](sorted(wanted["update"])))
        if wanted["reading"] and "reading" in FACT_LOADERS:
            for reading_id, facts in FACT_LOADERS["reading"](sorted(wanted["reading"])).items():
                self.readings[reading_id] = ReadingFacts(facts.indicator, facts.unit, facts.period, _number(facts.value))

    def name(self, kind: str, record_id: Any) -> str:
        try:
            return self._names[kind].get(int(record_id)) or _("（已删除）")
        except (TypeError, ValueError):
            return str(record_id)

    def unit(self, unit_id: Any) -> str:
        return self.name("unit", unit_id)

    def user(self, user_id: Any) -> str:
        return self.name("user", user_id)

    def task(self, task_id: Any) -> str:
        return self.name("task", task_id)

    def plan(self, plan_id: Any) -> str:
        return self.name("plan", plan_id)

    def group(self, group_id: Any) -> str:
        return self.name("group", group_id)


def _reference_kind(object_type: str, field_name_: str) -> Optional[str]:
    if field_name_ == "parent_id":
        return PARENT_KIND.get(object_type)
    return REFERENCES.get(field_name_)


def _ids(change: Any) -> list[int]:
    found = []
    stack = [change]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            found.append(item)
        elif isinstance(item, str) and item.isdigit():
            found.append(int(item))
    return found


def _number(value: Any) -> str:
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except (InvalidOperation, ValueError):
        return str(value)


# ---------------------------------------------------------------------------------------------------------
# The event as builders see it
# ---------------------------------------------------------------------------------------------------------

class Event:
    """An audit event with its actor's name and helpers that render its changes as sentences."""

    def __init__(self, raw, names: Names) -> None:
        self.raw, self.names = raw, names
        self.action: str = raw.action
        self.object_type: str = raw.object_type
        self.object_id: int = raw.object_id
        self.task_id: Optional[int] = raw.task_id
        self.changes: dict[str, Any] = dict(raw.changes or {})
        self.summary: str = raw.summary or ""
        self.actor: str = names.user(raw.actor_id) if raw.actor_id else _("系统")

    @property
    def object_name(self) -> str:
        return str(OBJECT_NAMES.get(self.object_type, _("记录")))

    @property
    def update(self) -> UpdateFacts:
        """The status update an ``update.*`` event is about (its unit, period, percent)."""
        facts = self.names.updates.get(self.object_id)
        if facts is None:  # the update is gone: what the event itself says
            facts = UpdateFacts(str(self.changes.get("unit") or ""), str(self.changes.get("period") or ""),
                                self.changes.get("percent"))
        return facts

    @property
    def reading(self) -> ReadingFacts:
        facts = self.names.readings.get(self.object_id)
        if facts is None:
            facts = ReadingFacts(self.summary, "", str(self.changes.get("period") or ""),
                                 _number(self.changes.get("value", "")))
        return facts

    def value(self, name: str, value: Any) -> str:
        """One value of field ``name`` as a person reads it."""
        if value is None or value == "" or value == []:
            return _("（空）")
        kind = _reference_kind(self.object_type, name)
        if kind:
            ids = value if isinstance(value, (list, tuple)) else [value]
            return "、".join(self.names.name(kind, item) for item in ids) or _("（空）")
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if name in PERCENT_FIELDS and isinstance(value, (int, float)):
            return f"{value}%"
        if name == "period":
            return period_text(value)
        if isinstance(value, (list, tuple)):
            return "、".join(self.value(name, item) for item in value) or _("（空）")
        if name == "events" and isinstance(value, str):  # a webhook's events, comma-separated
            return "、".join(self.value("event", item) for item in value.split(",") if item) or _("（空）")
        if isinstance(value, str):
            tables = _value_labels()
            table = tables.get(f"{self.object_type}.{name}") or tables.get(name)
            if table and value in table:
                return str(table[value])
            if value in labels.LABELS and name not in ("name", "title", "login", "display_name", "number"):
                return str(labels.LABELS[value])
            moment = _as_moment(value)
            if moment is not None:
                return moment
            return value if len(value) <= 60 else value[:59] + "…"
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        return str(value)

    def change(self, name: str, before: Any, after: Any) -> str:
        """"完成时限 由 2026-04-30 调整为 2026-06-30"."""
        label = field_name(name, self.object_type)
        if name in TEXT_FIELDS or name in ("password", "url", "secret"):
            return _("修改了%(field)s", field=label)
        if before in (None, "", []):
            return _("%(field)s 设为 %(after)s", field=label, after=self.value(name, after))
        if after in (None, "", []):
            return _("%(field)s 已清空（原为 %(before)s）", field=label, before=self.value(name, before))
        return _("%(field)s 由 %(before)s 调整为 %(after)s", field=label, before=self.value(name, before),
                 after=self.value(name, after))

    def changed(self, skip: Iterable[str] = ()) -> list[str]:
        """The ``{field: [before, after]}`` changes as sentences (a value that is not a pair: as listed)."""
        skipped = set(skip) | HIDDEN_FIELDS
        lines = []
        for name, change in self.changes.items():
            if name in skipped:
                continue
            if isinstance(change, (list, tuple)) and len(change) == 2 and not _ids_list(name, change):
                if change[0] != change[1]:
                    lines.append(self.change(name, change[0], change[1]))
            else:
                lines.append(self.item(name, change))
        return lines

    def item(self, name: str, value: Any) -> str:
        """"牵头单位：区科委"."""
        if name in TEXT_FIELDS:
            return _("%(field)s：%(value)s", field=field_name(name, self.object_type), value=_("（已填写）") if value else _("（空）"))
        return _("%(field)s：%(value)s", field=field_name(name, self.object_type), value=self.value(name, value))

    def listed(self, skip: Iterable[str] = (), empty: bool = False) -> list[str]:
        """A created object's ``{field: value}`` as "label：value" items (empty values left out)."""
        skipped = set(skip) | HIDDEN_FIELDS
        return [self.item(name, value) for name, value in self.changes.items()
                if name not in skipped and (empty or value not in (None, "", [], False))]


def _ids_list(name: str, change) -> bool:
    """A two-id list of a reference field (e.g. two cooperating units) is a value, not a [before, after]."""
    return bool(REFERENCES.get(name, "").startswith("unit") and name.endswith("_ids")
                and all(isinstance(item, int) for item in change))


def _as_moment(text: str) -> Optional[str]:
    if len(text) < 16 or text[4] != "-" or "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    local = to_beijing(moment)
    return local.strftime("%Y-%m-%d %H:%M") if local else None


# ---------------------------------------------------------------------------------------------------------
# The sentences
# ---------------------------------------------------------------------------------------------------------

@sentence("update.submitted")
def _update_submitted(event: Event, names: Names) -> Said:
    facts = event.update
    return Said(_("%(actor)s 报送了 %(unit)s %(period)s的进展（完成进度%(percent)s%%）", actor=event.actor,
                  unit=facts.unit, period=period_text(facts.period), percent=facts.percent if facts.percent is not None else "—"),
                note=event.summary)


@sentence("update.resubmitted")
def _update_resubmitted(event: Event, names: Names) -> Said:
    facts = event.update
    return Said(_("%(actor)s 重新提交了 %(unit)s %(period)s的报送（完成进度%(percent)s%%）", actor=event.actor,
                  unit=facts.unit, period=period_text(facts.period), percent=facts.percent if facts.percent is not None else "—"),
                note=event.summary)


@sentence("update.accepted")
def _update_accepted(event: Event, names: Names) -> Said:
    facts = event.update
    return Said(_("%(actor)s 采纳了 %(unit)s %(period)s的报送", actor=event.actor, unit=facts.unit,
                  period=period_text(facts.period)), note=_comment(event))


@sentence("update.returned")
def _update_returned(event: Event, names: Names) -> Said:
    facts = event.update
    return Said(_("%(actor)s 退回了 %(unit)s %(period)s的报送", actor=event.actor, unit=facts.unit,
                  period=period_text(facts.period)), note=_comment(event))


def _comment(event: Event) -> str:
    comment = event.changes.get("comment") or event.summary
    return _("审核意见：%(comment)s", comment=comment) if comment else ""


@sentence("task.created")
def _task_created(event: Event, names: Names) -> Said:
    details = event.listed(skip=("number", "title", "text", "progress", "status", "report_day"))
    return Said(_("%(actor)s 创建了任务", actor=event.actor), details=details)


@sentence("task.updated")
def _task_updated(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 修改了任务", actor=event.actor), details=event.changed())


@sentence("task.progress")
def _task_progress(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 采纳报送后，任务进度随之更新", actor=event.actor), details=event.changed())


@sentence("task.rollup")
def _task_rollup(event: Event, names: Names) -> Said:
    return Said(_("任务进度按子任务的平均进度更新"), details=event.changed())


@sentence("task.escalated")
def _task_escalated(event: Event, names: Names) -> Said:
    days = event.changes.get("overdue_days")
    return Said(_("%(actor)s 将任务提请领导督办：已逾期%(days)s个工作日", actor=event.actor,
                  days=days if days is not None else "—"))


@sentence("plan.created")
def _plan_created(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 创建了方案“%(title)s”", actor=event.actor, title=_plain_summary(event)),
                details=event.listed(skip=("title",)))


@sentence("plan.updated")
def _plan_updated(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 修改了方案“%(title)s”", actor=event.actor, title=_plain_summary(event)),
                details=event.changed())


@sentence("group.created", "group.updated")
def _group(event: Event, names: Names) -> Said:
    if event.action.endswith("created"):
        return Said(_("%(actor)s 新增了行动“%(title)s”", actor=event.actor, title=_plain_summary(event)))
    return Said(_("%(actor)s 修改了行动“%(title)s”", actor=event.actor, title=_plain_summary(event)),
                details=event.changed())


@sentence("unit.created", "unit.updated")
def _unit(event: Event, names: Names) -> Said:
    if event.action.endswith("created"):
        return Said(_("%(actor)s 新增了单位“%(name)s”", actor=event.actor, name=_plain_summary(event)),
                    details=event.listed(skip=("name",)))
    return Said(_("%(actor)s 修改了单位“%(name)s”", actor=event.actor, name=_plain_summary(event)),
                details=event.changed())


@sentence("user.created", "user.updated", "user.locked", "user.password_changed", "user.sessions_ended")
def _user(event: Event, names: Names) -> Said:
    who = _plain_summary(event)
    if event.action == "user.created":
        return Said(_("%(actor)s 新建了用户“%(name)s”", actor=event.actor, name=who), details=event.listed())
    if event.action == "user.updated":
        return Said(_("%(actor)s 修改了用户“%(name)s”", actor=event.actor, name=who), details=event.changed())
    if event.action == "user.locked":
        return Said(_("用户“%(name)s”多次输错密码，账号已临时锁定", name=who), details=event.listed())
    if event.action == "user.sessions_ended":
        return Said(_("%(actor)s 结束了用户“%(name)s”的全部会话", actor=event.actor, name=who))
    return Said(_("%(actor)s 修改了自己的密码", actor=event.actor))


@sentence("reminders.settings")
def _reminder_settings(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 修改了方案“%(title)s”的提醒设置", actor=event.actor, title=_plain_summary(event)),
                details=event.changed())


@sentence("calendar.saved")
def _calendar(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 保存了%(year)s年的节假日安排", actor=event.actor, year=event.summary),
                details=event.changed())


@sentence("indicator.created", "indicator.updated")
def _indicator(event: Event, names: Names) -> Said:
    if event.action.endswith("created"):
        return Said(_("%(actor)s 新增了指标“%(name)s”", actor=event.actor, name=_plain_summary(event)),
                    details=event.listed(skip=("name", "note")))
    return Said(_("%(actor)s 修改了指标“%(name)s”", actor=event.actor, name=_plain_summary(event)),
                details=event.changed())


@sentence("indicator_reading.submitted", "indicator_reading.accepted", "indicator_reading.returned")
def _reading(event: Event, names: Names) -> Said:
    facts = event.reading
    values = dict(actor=event.actor, indicator=facts.indicator, period=period_text(facts.period), value=facts.value)
    if event.action.endswith("submitted"):
        return Said(_("%(actor)s 填报了指标“%(indicator)s” %(period)s的数值 %(value)s", **values), note=event.summary)
    if event.action.endswith("accepted"):
        return Said(_("%(actor)s 采纳了指标“%(indicator)s” %(period)s的填报", **values), note=_comment(event))
    return Said(_("%(actor)s 退回了指标“%(indicator)s” %(period)s的填报", **values), note=_comment(event))


@sentence("proposal.created", "proposal.updated")
def _proposal(event: Event, names: Names) -> Said:
    if event.action.endswith("created"):
        return Said(_("%(actor)s 登记了提案", actor=event.actor),
                    details=event.listed(skip=("title", "contact_name", "contact_phone", "contact_address",
                                               "postal_code")))
    return Said(_("%(actor)s 修改了提案", actor=event.actor), details=event.changed())


@sentence("proposal.commitment_tracked")
def _commitment(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 将答复中的承诺事项转为跟踪任务 %(task)s", actor=event.actor,
                  task=names.task(event.changes.get("task_id") or event.task_id)),
                details=event.listed(skip=("task_id",)))


@sentence("import.created", "import.edited", "import.discarded", "import.applied", "import.columns_mapped",
          "import.prose_mapped")
def _import(event: Event, names: Names) -> Said:
    what = dict(actor=event.actor, name=_plain_summary(event))
    if event.action == "import.columns_mapped":
        return Said(_("%(actor)s 指定了导入草稿“%(name)s”中表格各列的内容，草稿已重新识别", **what))
    if event.action == "import.prose_mapped":
        return Said(_("%(actor)s 指定了导入草稿“%(name)s”的逐项识别方式，草稿已重新识别", **what))
    if event.action == "import.created":
        return Said(_("%(actor)s 导入了“%(name)s”，生成待审核的草稿", **what), details=event.listed(skip=("filename",)))
    if event.action == "import.edited":
        return Said(_("%(actor)s 修改了导入草稿“%(name)s”", **what))
    if event.action == "import.discarded":
        return Said(_("%(actor)s 放弃了导入草稿“%(name)s”", **what))
    return Said(_("%(actor)s 按导入草稿创建了“%(name)s”", **what), details=event.listed())


@sentence("api_token.created", "api_token.revoked")
def _token(event: Event, names: Names) -> Said:
    name = event.changes.get("name") or _plain_summary(event)
    if event.action.endswith("created"):
        return Said(_("%(actor)s 创建了API令牌“%(name)s”", actor=event.actor, name=name))
    return Said(_("%(actor)s 撤销了API令牌“%(name)s”", actor=event.actor, name=name))


@sentence("webhook.created", "webhook.updated", "webhook.deleted", "webhook.tested")
def _webhook(event: Event, names: Names) -> Said:
    what = dict(actor=event.actor, name=_plain_summary(event))
    if event.action == "webhook.created":
        return Said(_("%(actor)s 新增了群机器人“%(name)s”", **what), details=event.listed(skip=("name", "url", "secret")))
    if event.action == "webhook.updated":
        return Said(_("%(actor)s 修改了群机器人“%(name)s”", **what), details=event.changed())
    if event.action == "webhook.deleted":
        return Said(_("%(actor)s 删除了群机器人“%(name)s”", **what))
    result = event.changes.get("result")
    return Said(_("%(actor)s 向群机器人“%(name)s”发送了测试消息", **what),
                note=_("发送成功") if result == "ok" else _("发送失败：%(error)s", error=result or "—"))


def _plain_summary(event: Event) -> str:
    """The event's summary without the seed's "（演示数据）" mark (the object's name or title)."""
    return event.summary.replace("（演示数据）", "").strip() or event.object_name


def generic(event: Event, names: Names) -> Said:
    """For an action without a sentence: "<who> <verb> <object>", and its changes as sentences."""
    verb = VERBS.get(event.action.rsplit(".", 1)[-1])
    text = (_("%(actor)s %(verb)s %(object)s", actor=event.actor, verb=verb, object=event.object_name) if verb
            else _("%(actor)s 处理了 %(object)s", actor=event.actor, object=event.object_name))
    return Said(text, details=event.changed(), note=event.summary)


# ---------------------------------------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------------------------------------

def describe(events: Iterable) -> list[Entry]:
    """The events (``AuditEvent`` rows, in the order to show) as entries of a history, in the request's
    language; the ids they mention are read in one query per kind for all of them."""
    events = list(events)
    names = Names(events)
    entries = []
    for raw in events:
        event = Event(raw, names)
        said = SENTENCES.get(raw.action, generic)(event, names)
        if isinstance(said, str):
            said = Said(said)
        note = said.note if len(said.note) <= 120 else said.note[:119] + "…"
        entries.append(Entry(raw.at, event.actor, said.text, said.details, note, raw.action))
    return entries


@sentence("plan.revised")
def _plan_revised(event: Event, names: Names) -> Said:
    counts = event.changes.get("counts") or {}
    return Said(_("%(actor)s 按修订后的文件更新了方案：新增%(added)s项、撤销%(removed)s项、改名%(renamed)s项、改派%(reassigned)s项、"
                  "调整时限%(redated)s项", actor=event.actor, added=counts.get("added", 0),
                  removed=counts.get("removed", 0), renamed=counts.get("renamed", 0),
                  reassigned=counts.get("reassigned", 0), redated=counts.get("redated", 0)))


@sentence("unit.alias_added", "unit.alias_removed")
def _unit_alias(event: Event, names: Names) -> Said:
    before, after = (event.changes.get("alias") or [None, None])[:2]
    if event.action.endswith("added"):
        return Said(_("%(actor)s 为单位“%(name)s”添加了别名“%(alias)s”", actor=event.actor, name=event.summary,
                      alias=after or ""))
    return Said(_("%(actor)s 删除了单位“%(name)s”的别名“%(alias)s”", actor=event.actor, name=event.summary,
                  alias=before or ""))


@sentence("bulletin.drafted", "bulletin.edited", "bulletin.issued")
def _bulletin(event: Event, names: Names) -> Said:
    if event.action.endswith("drafted"):
        return Said(_("%(actor)s 起草了督查通报“%(title)s”", actor=event.actor, title=event.summary))
    if event.action.endswith("issued"):
        return Said(_("%(actor)s 印发了督查通报“%(title)s”（%(number)s）", actor=event.actor, title=event.summary,
                      number=event.changes.get("number") or ""))
    return Said(_("%(actor)s 修改了督查通报“%(title)s”", actor=event.actor, title=event.summary))


@sentence("scoring.saved")
def _scoring(event: Event, names: Names) -> Said:
    return Said(_("%(actor)s 修改了方案“%(title)s”的考评规则", actor=event.actor, title=event.summary))
