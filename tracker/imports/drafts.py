"""Import drafts: an uploaded or pasted document becomes a draft the coordinator reviews; applying it
creates the plan (groups, tasks, indicators, new units) or the proposal in one transaction.

The payload of a draft is the parser's ``to_dict()`` plus the review fields, all plain JSON:

- plan drafts: ``plan_status``, ``reporting_cycle``/``report_day`` (from the notice's reporting rule),
  ``new_units`` (names written in assignments that are not in the unit register, each with ``create``),
  ``targets_unit``; each task gets ``group`` (label), ``lead_unit``, ``cooperating_units``, ``start_on``,
  ``due_on``, ``reporting_cycle``, ``report_day``, ``skip`` and ``suggested_matches``; each target gets
  ``create``, ``owner_unit`` (the unit that reports it), ``target_on``, ``direction``.
- reply drafts: ``main_unit``, ``co_units``, ``new_units``, ``assigned_on``, ``reply_due_on``,
  ``existing_proposal_id``.

A unit reference (``lead_unit`` …) is a string: a unit id ("12"), ``"new:<i>"`` for ``new_units[i]``,
or "" for none. Services never commit; the view commits through ``run_service``.
"""
from __future__ import annotations

import calendar
import copy
import difflib
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from flask import current_app, has_app_context
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit.services import record
from tracker.common.errors import ValidationFailed
from tracker.common.forms import MAX_YEAR, MIN_YEAR
from tracker.common.plain_text import clean_text
from tracker.common.races import check_version
from tracker.extensions import db
from tracker.imports.documents import DEFAULT_MAX_BYTES, DocumentError, chinese_number, extract_text, find_date
from tracker.imports.models import DraftKind, DraftState, ImportDraft
from tracker.imports.plan_parser import find_reporting_rule
from tracker.imports.reader import parse_plan
from tracker.imports.reply_parser import parse_reply
from tracker.plans.models import Plan, PlanKind, PlanStatus
from tracker.plans.services import save_group, save_plan
from tracker.tasks.models import ReportingCycle
from tracker.tasks.services import save_task
from tracker.units.models import Unit, UnitKind
from tracker.units.services import save_unit

DEFAULT_HOME_DISTRICT = "青浦区"
DEFAULT_REPORT_DAY = 25
MAX_PASTED_CHARS = 500_000
PASTED_FILENAME = "粘贴文本.txt"
NEW_PREFIX = "new:"


def _config(name: str, default):
    return current_app.config.get(name, default) if has_app_context() else default


def _pick(error: DocumentError) -> str:
    """The parser's own message in the user's language (Chinese unless the interface is English)."""
    try:
        locale = str(get_locale() or "zh_CN")
    except Exception:  # outside a request Babel may have no locale
        locale = "zh_CN"
    return error.message_en if locale.startswith("en") else error.message_zh


# ---------------------------------------------------------------------------------------------------------
# Unit names → the unit register
# ---------------------------------------------------------------------------------------------------------

_WORD_ABBREVIATIONS = (
    ("发展和改革", "发改"), ("发展改革", "发改"), ("科学技术", "科"), ("经济和信息化", "经信"),
    ("经济信息化", "经信"), ("人力资源和社会保障", "人社"), ("人力资源社会保障", "人社"),
    ("规划和自然资源", "规划资源"), ("卫生健康", "卫健"), ("卫生和健康", "卫健"), ("住房和城乡建设管理", "建管"),
    ("住房城乡建设管理", "建管"), ("生态环境", "生态环境"), ("金融工作", "金融"), ("市场监督管理", "市场监管"),
    ("农业农村", "农业农村"), ("文化和旅游", "文旅"), ("文化旅游", "文旅"), ("经济", "经"),
)
_SUFFIX_ABBREVIATIONS = (("委员会", "委"), ("办公室", "办"), ("有限责任公司", ""), ("有限公司", ""),
                         ("人民政府", ""), ("办事处", ""))
_PUNCTUATION = re.compile(r"[\s（）()“”\"'《》·]")


def normalise_unit_name(name: str, home_district: str | None = None) -> str:
    """A comparison key: 青浦区科学技术委员会, 青浦区科委 and 区科委 all give "区科委";
    上海市科学技术委员会 and 市科委 give "市科委"; 青浦区金泽镇人民政府 gives "金泽镇"."""
    home = home_district if home_district is not None else _config("IMPORT_HOME_DISTRICT", DEFAULT_HOME_DISTRICT)
    key = _PUNCTUATION.sub("", name or "")
    for prefix in ("上海市", "上海"):
        if key.startswith(prefix):
            rest = key[len(prefix):]
            # 上海市普陀区… names another district; 上海市科委 is a municipal body (市…).
            key = rest if re.match(r"^[\u4e00-\u9fff]{1,4}区", rest) or rest.startswith(home) else "市" + rest
            break
    if home and key.startswith(home):
        key = "区" + key[len(home):]
    for long, short in _SUFFIX_ABBREVIATIONS:
        if key.endswith(long):
            key = key[: -len(long)] + short
    for long, short in _WORD_ABBREVIATIONS:
        key = key.replace(long, short)
    if re.search(r"(镇|街道)$", key) and key.startswith("区"):
        key = key[1:]  # a town is named without its district
    return key


class UnitIndex:
    """The unit register with its aliases (单位别名), loaded once, answering "which unit is this name?"."""

    def __init__(self, units: Iterable[Unit] | None = None, aliases: Iterable[tuple[int, str]] | None = None):
        from tracker.units.models import UnitAlias

        with_database = units is None
        self.units = list(units if units is not None else db.session.scalars(select(Unit).order_by(Unit.id)))
        if aliases is None:
            aliases = db.session.execute(select(UnitAlias.unit_id, UnitAlias.alias)).all() if with_database else []
        self.exact: dict[str, int] = {}
        keyed: dict[str, set[int]] = {}
        names = [(unit.id, unit.name) for unit in self.units] + [(unit.id, unit.short_name) for unit in self.units]
        names += [(unit_id, alias) for unit_id, alias in aliases]
        for unit_id, name in names:
            self.exact.setdefault(name.strip(), unit_id)
            keyed.setdefault(normalise_unit_name(name), set()).add(unit_id)
        # An abbreviation two units share identifies neither.
        self.by_key = {key: next(iter(ids)) for key, ids in keyed.items() if len(ids) == 1}
        self.keys = [(key, unit_id) for key, ids in keyed.items() for unit_id in ids]
        self.short_names = {unit.id: unit.short_name for unit in self.units}

    def match(self, name: str) -> int | None:
        name = (name or "").strip()
        if not name:
            return None
        if name in self.exact:
            return self.exact[name]
        return self.by_key.get(normalise_unit_name(name))

    def propose(self, name: str, limit: int = 3) -> list[dict]:
        """Units of the register (by name, short name or alias) that a name not in it may mean, closest first."""
        key = normalise_unit_name(name)
        scored: dict[int, float] = {}
        for other, unit_id in self.keys:
            ratio = difflib.SequenceMatcher(None, key, other).ratio()
            if ratio >= 0.6 or (len(other) >= 3 and (other in key or key in other)):
                scored[unit_id] = max(scored.get(unit_id, 0), ratio)
        best = sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [{"unit": str(unit_id), "name": self.short_names.get(unit_id, "")} for unit_id, _ratio in best]


UNIT_GROUP = re.compile(r"^(?:各|全区各|区各|有关|相关)(?:相关|有关)?[\u4e00-\u9fff]{0,8}(?:单位|部门|街道|镇|委办局|镇街|街镇|集团|公司|园区)$")


def is_unit_group(name: str) -> bool:
    """"各街道", "各相关单位", "各镇": a group of units the coordinator resolves, never a unit of its own."""
    return bool(UNIT_GROUP.match((name or "").strip()))


def match_units(names: Iterable[str], index: UnitIndex | None = None) -> tuple[list[int], list[str]]:
    """(ids of the units the names refer to, names not in the register), each without repeats, in order."""
    index = index or UnitIndex()
    matched: list[int] = []
    unknown: list[str] = []
    for name in names:
        unit_id = index.match(name)
        if unit_id is not None:
            if unit_id not in matched:
                matched.append(unit_id)
        elif name and name.strip() and name.strip() not in unknown:
            unknown.append(name.strip())
    return matched, unknown


def guess_unit_kind(name: str) -> str:
    if re.search(r"(镇|街道)(人民政府|办事处)?$", name):
        return UnitKind.town.value
    if re.search(r"(集团|公司)$", name):
        return UnitKind.state_owned_company.value
    if name.startswith(("上海市", "市")):
        return UnitKind.municipal_commission.value
    return UnitKind.district_bureau.value


# ---------------------------------------------------------------------------------------------------------
# Due hints ("2025年二季度", "2026年底前") → dates
# ---------------------------------------------------------------------------------------------------------

_HINT = re.compile(
    r"(?P<year>\d{4})\s*年\s*(?:(?P<month>\d{1,2})\s*月(?:\s*(?P<day>\d{1,2})\s*日)?"
    r"|第?\s*(?P<quarter>[一二三四1-4])\s*季度|(?P<half>上半年|下半年)|(?P<end>底|末|内))?"
)
_BARE = re.compile(r"^\s*(?:第?[一二三四1-4]\s*季度|上半年|下半年|\d{1,2}\s*月|年底|年末|年内|底|末)")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def date_from_hint(hint: str | None, default_year: int | None = None) -> date | None:
    """The last day a written time limit allows: "2025年二季度" → 2025-06-30, "2026年" → 2026-12-31,
    "2025年6月底" → 2025-06-30; a hint without a year uses ``default_year``. None when nothing fits."""
    if not hint:
        return None
    exact = find_date(hint)
    if exact:
        return exact
    text = hint.strip()
    if default_year and not re.search(r"\d{4}\s*年", text) and _BARE.match(text):
        text = f"{default_year}年{text.lstrip('年')}"
    match = _HINT.search(text)
    if not match:
        return None
    year = int(match.group("year"))
    if not 1900 <= year <= 2200:
        return None
    try:
        if match.group("month"):
            month = int(match.group("month"))
            if match.group("day"):
                return date(year, month, int(match.group("day")))
            return _month_end(year, month)
        if match.group("quarter"):
            quarter = chinese_number(match.group("quarter")) or 4
            return _month_end(year, quarter * 3)
        if match.group("half") == "上半年":
            return date(year, 6, 30)
    except ValueError:
        return None
    return date(year, 12, 31)


_RECURRING = (("monthly", re.compile(r"每(?:个)?月|按月|逐月|月度")), ("quarterly", re.compile(r"每(?:个)?季度?|按季度?|季度")),
              ("yearly", re.compile(r"每(?:一)?年|按年|年度|每半年")))
_OPEN_ENDED = re.compile(r"长期|持续|常态|久久为功|不断|适时|按需|根据需要|逐步|全年|年内滚动|动态")
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def classify_due(hint: str | None, default_year: int | None = None, period_end: str | None = None) -> dict:
    """A written 完成时限 for review: a date ("2026年6月底前" → 2026-06-30), a recurring cycle ("每季度"), or no
    fixed date ("长期坚持"); with nothing written, the plan's end. Keys: due_kind, due_on (ISO or None), due_cycle."""
    text = (hint or "").strip()
    if hint is not None and not text:  # a table's empty 完成时限 cell
        return {"due_kind": "open", "due_on": None, "due_cycle": None}
    if not text:
        return {"due_kind": "date" if period_end else "open", "due_on": period_end, "due_cycle": None}
    iso = _ISO_DAY.match(text)
    if iso:
        try:
            return {"due_kind": "date", "due_on": date(*map(int, iso.groups())).isoformat(), "due_cycle": None}
        except ValueError:
            pass
    day = date_from_hint(text, default_year)
    if day and re.search(r"\d{4}\s*年|\d{1,2}\s*月|季度|半年|年底|年末", text) and not re.match(r"^\s*每", text):
        return {"due_kind": "date", "due_on": day.isoformat(), "due_cycle": None}
    for cycle, pattern in _RECURRING:
        if pattern.search(text):
            return {"due_kind": "recurring", "due_on": period_end, "due_cycle": cycle}
    if _OPEN_ENDED.search(text):
        return {"due_kind": "open", "due_on": None, "due_cycle": None}
    if day:
        return {"due_kind": "date", "due_on": day.isoformat(), "due_cycle": None}
    return {"due_kind": "open", "due_on": None, "due_cycle": None}


def parse_iso(value, label: str, problems: list[str]) -> date | None:
    """An ISO date from the payload; a problem message (and None) when it is not one."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        day = None
    if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:  # years the working calendar (and date maths) handle
        problems.append(_("%(field)s“%(value)s”不是有效日期（应为YYYY-MM-DD）。", field=label, value=value))
        return None
    return day


# ---------------------------------------------------------------------------------------------------------
# Building the payload (read-only: used by the dry run too)
# ---------------------------------------------------------------------------------------------------------

def _ref(unit_id: int | None) -> str:
    return str(unit_id) if unit_id else ""


class _NewUnits:
    """Collects unknown names as new-unit offers, each once."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def ref(self, name: str, index: UnitIndex | None = None) -> str:
        for position, row in enumerate(self.rows):
            if row["name"] == name:
                return f"{NEW_PREFIX}{position}"
        self.rows.append({"name": name, "short_name": name[:60], "kind": guess_unit_kind(name), "create": False,
                          "proposals": index.propose(name) if index is not None else []})
        return f"{NEW_PREFIX}{len(self.rows) - 1}"


def _unit_ref(name: str | None, index: UnitIndex, new_units: _NewUnits) -> str:
    if not name or not name.strip() or is_unit_group(name):
        return ""
    unit_id = index.match(name)
    return _ref(unit_id) if unit_id else new_units.ref(name.strip(), index)


def build_plan_payload(text: str, index: UnitIndex | None = None,
                       mappings: dict[str, list[str]] | None = None) -> dict:
    index = index or UnitIndex()
    payload = parse_plan(text, mappings).to_dict()
    new_units = _NewUnits()
    reporting = payload.get("reporting") or {}
    cycle = reporting.get("cycle") if reporting.get("cycle") in ("monthly", "quarterly") else "monthly"
    report_day = reporting.get("day") or (31 if reporting else DEFAULT_REPORT_DAY)
    if reporting.get("cycle") == "quarterly" and reporting.get("month_in_quarter") not in (None, 3):
        payload.setdefault("warnings", []).append(
            "方案要求在季度内其他月份报送，系统按季度最后一个月的报送日提醒，请核对报送日。")
    period_end = payload.get("period_end")
    default_year = int(period_end[:4]) if period_end else None
    start_on = payload.get("period_start") or payload.get("issued_on")
    groups = payload.get("groups") or []
    for task in payload.get("tasks") or []:
        group_index = task.get("group_index")
        in_range = group_index is not None and 0 <= group_index < len(groups)
        task["group"] = f"{groups[group_index]['number']}{groups[group_index]['title']}" if in_range else ""
        assignment = task.get("assignment") or {}
        task["lead_unit"] = _unit_ref(assignment.get("lead_unit"), index, new_units)
        task["cooperating_units"] = [ref for ref in (_unit_ref(name, index, new_units)
                                                     for name in assignment.get("cooperating_units") or [])
                                     if ref and ref != task["lead_unit"]]
        written = [assignment.get("lead_unit"), *(assignment.get("cooperating_units") or [])]
        task["unit_groups"] = [name for name in written if name and is_unit_group(name)]
        task["suggested_matches"] = [{"name": name, "unit": _ref(index.match(name))}
                                     for name in task.get("suggested_units") or []]
        task.update(classify_due(task.get("due_hint"), default_year, period_end))
        for milestone in task.get("milestones") or []:  # 节点: "第一季度" → the quarter's last day in the plan's year
            milestone["due_on"] = classify_due(milestone.get("due_hint"), default_year, None)["due_on"]
        task["due_written"] = task.get("due_hint") is not None
        task["start_on"] = start_on
        task["reporting_cycle"] = cycle
        task["report_day"] = report_day
        if task["due_kind"] == "recurring" and task["due_cycle"] in ("monthly", "quarterly"):
            task["reporting_cycle"] = task["due_cycle"]
        written = _reporting_in_cell(task.get("reporting_hint"))
        if written:
            task["reporting_cycle"], task["report_day"] = written
        task["skip"] = False
    for target in payload.get("targets") or []:
        year = target.get("year") or default_year
        target["create"] = True
        # A target written as a numbered item with its own lead unit is reported by that unit.
        target["owner_unit"] = _unit_ref(target.get("lead_unit"), index, new_units) if target.get("lead_unit") else ""
        target["target_on"] = f"{year}-12-31" if year else ""
        target["direction"] = "lower" if target.get("comparator") == "≤" else "higher"
    payload.update({"kind": DraftKind.plan.value, "plan_status": PlanStatus.active.value,
                    "reporting_cycle": cycle, "report_day": report_day, "new_units": new_units.rows,
                    "targets_unit": "", "duplicates": [], "import_mode": "", "revision_of": ""})
    return payload


def _reporting_in_cell(text: str | None) -> tuple[str, int] | None:
    """A table's 报送要求 cell ("每月25日前报送", "每季度") → (cycle, report day)."""
    if not text:
        return None
    rule = find_reporting_rule([text if re.search(r"报", text) else text + "报送"])
    if rule:
        return rule.cycle, rule.day or 31
    if re.search(r"每(?:个)?季度?|按季度?", text):
        return "quarterly", 31
    if re.search(r"每(?:个)?月|按月", text):
        return "monthly", DEFAULT_REPORT_DAY
    return None


# 提案答复: the registered item a reply answers (same meeting and number) is found by proposals, the domain
# above that owns the items; it registers its finder at start-up (``tracker.proposals.handlers``).
_registered_reply_finders: list[Callable[[str, str], Any]] = []


def find_registered_reply_with(finder: Callable[[str, str], Any]) -> None:
    """``finder(meeting, number)`` → the registered item (with ``id``, ``co_units``, ``assigned_on``,
    ``reply_due_on``, ``main_unit_id``) or None."""
    _registered_reply_finders[:] = [finder]


def build_reply_payload(text: str, index: UnitIndex | None = None, *, look_up: bool = True) -> dict:
    index = index or UnitIndex()
    payload = parse_reply(text).to_dict()
    new_units = _NewUnits()
    payload["main_unit"] = _unit_ref(payload.get("issuer"), index, new_units)
    if payload["main_unit"].startswith(NEW_PREFIX):
        new_units.rows[-1]["create"] = True  # the replying body exists; offer it ticked
    existing = None
    if look_up and payload.get("meeting") and payload.get("proposal_number") and _registered_reply_finders:
        existing = _registered_reply_finders[0](payload["meeting"], payload["proposal_number"])
    payload.update({
        "kind": DraftKind.proposal_reply.value, "new_units": new_units.rows,
        "co_units": [str(unit.id) for unit in existing.co_units] if existing else [],
        "assigned_on": existing.assigned_on.isoformat() if existing and existing.assigned_on else None,
        "reply_due_on": existing.reply_due_on.isoformat() if existing and existing.reply_due_on else None,
        "existing_proposal_id": existing.id if existing else None,
    })
    if existing is not None and not payload["main_unit"]:
        payload["main_unit"] = str(existing.main_unit_id)
    return payload


def build_payload(kind: DraftKind | str, text: str, *, with_database: bool = True) -> dict:
    """The draft payload for ``text``; reads the unit register (and the proposal register) but writes nothing.
    ``with_database=False`` skips every lookup: all unit names then show as unknown."""
    kind = DraftKind(kind)
    index = UnitIndex() if with_database else UnitIndex([])
    if kind == DraftKind.plan:
        payload = build_plan_payload(text, index, column_mappings() if with_database else None)
        if with_database:
            from tracker.imports.revisions import duplicate_plans

            payload["duplicates"] = duplicate_plans(payload.get("title"), payload.get("doc_number"))
            if payload["duplicates"]:
                payload["revision_of"] = str(payload["duplicates"][0]["id"])
        return payload
    return build_reply_payload(text, index, look_up=with_database)


def column_mappings() -> dict[str, list[str]]:
    """列对应 remembered per header set: {header signature: column kinds}."""
    from tracker.imports.models import ColumnMapping

    return {row.signature: list(row.columns or []) for row in db.session.scalars(select(ColumnMapping))}


def remap_columns(actor, draft: ImportDraft, signature: str, columns: list[str],
                  expected_version: int | None = None) -> ImportDraft:
    """列对应: the coordinator says what each column of one table holds. The choice is remembered for the header
    set (next month's file of the same office imports without a question) and the draft is read again from its
    text, replacing the previous reading (edits made on the review screen before are read again too)."""
    from tracker.imports.models import ColumnMapping
    from tracker.imports.tables import MAPPABLE_KINDS

    check_open_draft(draft, expected_version)
    if draft.kind != DraftKind.plan:
        raise ValidationFailed(_("只有方案导入可以指定表格各列的内容。"))
    table = next((row for row in draft.payload.get("tables") or [] if row.get("signature") == signature), None)
    if table is None:
        raise ValidationFailed(_("找不到该表格，请刷新页面后重试。"))
    if len(columns) != len(table.get("header") or []) or any(kind not in MAPPABLE_KINDS for kind in columns):
        raise ValidationFailed(_("列的内容选择无效，请刷新页面后重试。"))
    if "task" not in columns:
        raise ValidationFailed(_("请至少指定一列为“任务”。"))
    if columns.count("task") > 1 or columns.count("number") > 1 or columns.count("due") > 1:
        raise ValidationFailed(_("“任务”“序号”“完成时限”各只能指定一列。"))
    mapping = db.session.scalar(select(ColumnMapping).where(ColumnMapping.signature == signature))
    before = list(mapping.columns) if mapping else list(table.get("columns") or [])
    if mapping is None:
        mapping = ColumnMapping(signature=signature)
        db.session.add(mapping)
    mapping.columns = list(columns)
    mapping.updated_by_id = getattr(actor, "id", None)
    payload = build_payload(DraftKind.plan, draft.source_text)
    draft.payload = payload
    record(actor, "import.columns_mapped", draft,
           changes={"columns": [before, list(columns)], "tasks": len(payload.get("tasks") or [])},
           summary=draft.filename)
    return draft


def remap_prose(actor, draft: ImportDraft, items: str, units: str,
                expected_version: int | None = None) -> ImportDraft:
    """逐项识别方式: the coordinator says what marks an item (numbers, or the （一） headings) and what marks its
    units (label lines, a closing bracket, nothing) in a prose document. The choice is remembered for the
    document's family (its issuer and title without the year: ``plan_parser.prose_signature``), like a table's
    列对应, and the draft is read again from its text."""
    from tracker.imports.models import ColumnMapping
    from tracker.imports.plan_parser import ITEM_MARKS, UNIT_MARKS

    check_open_draft(draft, expected_version)
    if draft.kind != DraftKind.plan:
        raise ValidationFailed(_("只有方案导入可以指定逐项识别方式。"))
    prose = draft.payload.get("prose") or {}
    if items not in ITEM_MARKS or units not in UNIT_MARKS:
        raise ValidationFailed(_("识别方式的选择无效，请刷新页面后重试。"))
    signature = prose.get("signature")
    before = [prose.get("chosen_items", "auto"), prose.get("chosen_units", "auto")]
    if signature:
        mapping = db.session.scalar(select(ColumnMapping).where(ColumnMapping.signature == signature))
        if mapping is None:
            mapping = ColumnMapping(signature=signature)
            db.session.add(mapping)
        mapping.columns = [items, units]
        mapping.updated_by_id = getattr(actor, "id", None)
        db.session.flush()
        payload = build_payload(DraftKind.plan, draft.source_text)
    else:  # a document without a title cannot be recognised next time: read this once with the choice
        payload = build_plan_payload(draft.source_text, UnitIndex(), {"prose:": [items, units]})
    draft.payload = payload
    record(actor, "import.prose_mapped", draft,
           changes={"reading": [before, [items, units]], "tasks": len(payload.get("tasks") or [])},
           summary=draft.filename)
    return draft


def read_document(filename: str | None, data: bytes | None = None, text: str | None = None) -> tuple[str, str]:
    """(filename, text) of an upload or a paste; ValidationFailed with a clear message for bad input."""
    if data is not None and (filename or data):
        try:
            extracted = extract_text(filename or "", data, max_bytes=_config("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
        except DocumentError as error:
            raise ValidationFailed(_pick(error)) from None
        return (filename or "")[:255], extracted
    if text is not None and text.strip():
        if len(text) > MAX_PASTED_CHARS:
            raise ValidationFailed(_("粘贴的文本过长（超过%(n)d字），请改为上传文件。", n=MAX_PASTED_CHARS))
        return (filename or PASTED_FILENAME)[:255], clean_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    raise ValidationFailed(_("请上传文件或粘贴文本。"))


def create_draft(actor, kind: DraftKind | str, filename: str | None, data: bytes | None = None,
                 text: str | None = None) -> ImportDraft:
    """Reads and parses the document and stores the draft for review; creates nothing else."""
    try:
        kind = DraftKind(kind)
    except ValueError:
        raise ValidationFailed(_("请选择导入类型。")) from None
    filename, content = read_document(filename, data, text)
    payload = build_payload(kind, content)
    draft = ImportDraft(kind=kind, filename=filename, created_by_id=getattr(actor, "id", None), payload=payload,
                        source_text=content, state=DraftState.draft)
    db.session.add(draft)
    counts = ({"tasks": len(payload.get("tasks") or []), "groups": len(payload.get("groups") or [])}
              if kind == DraftKind.plan else {"proposal": f"{payload.get('meeting') or ''}{payload.get('proposal_number') or ''}"})
    record(actor, "import.created", draft, changes={"kind": kind, "filename": filename, **counts}, summary=filename)
    return draft


# ---------------------------------------------------------------------------------------------------------
# Review: save edits, discard
# ---------------------------------------------------------------------------------------------------------

def check_open_draft(draft: ImportDraft, expected_version: int | None) -> None:
    check_version(draft, expected_version, {"state": draft.state.value})
    if draft.state != DraftState.draft:
        raise ValidationFailed(_("该导入草稿已处理（已创建或已放弃），不能再修改。"))


def save_draft_edits(actor, draft: ImportDraft, edited: dict, expected_version: int | None = None) -> ImportDraft:
    """Keeps the coordinator's edits on the draft without creating anything."""
    check_open_draft(draft, expected_version)
    draft.payload = copy.deepcopy(edited)
    record(actor, "import.edited", draft, summary=draft.filename)
    return draft


def discard_draft(actor, draft: ImportDraft, expected_version: int | None = None) -> ImportDraft:
    check_open_draft(draft, expected_version)
    draft.state = DraftState.discarded
    record(actor, "import.discarded", draft, changes={"state": ["draft", "discarded"]}, summary=draft.filename)
    return draft


# ---------------------------------------------------------------------------------------------------------
# Applying: everything or nothing
# ---------------------------------------------------------------------------------------------------------

def _int(value, default: int | None = None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _names(values: list[str]) -> str:
    return "、".join(values)


class _UnitResolver:
    """Turns unit references into unit ids, creating the ticked new units on first use."""

    def __init__(self, actor, new_units: list[dict]):
        self.actor = actor
        self.new_units = new_units
        self.created: dict[int, Unit] = {}
        self.existing = {unit.id for unit in db.session.scalars(select(Unit))}

    def problem(self, ref: str) -> str | None:
        """Why ``ref`` cannot be used, or None."""
        if not ref:
            return None
        if ref.startswith(NEW_PREFIX):
            index = _int(ref[len(NEW_PREFIX):])
            if index is None or not 0 <= index < len(self.new_units):
                return _("单位选择无效。")
            row = self.new_units[index]
            if not row.get("create"):
                return _("新单位“%(name)s”未勾选“新建单位”", name=row.get("name", ""))
            if not str(row.get("name") or "").strip():
                return _("新单位缺少名称")
            return None
        return None if _int(ref) in self.existing else _("单位选择无效。")

    def resolve(self, ref: str) -> int | None:
        if not ref:
            return None
        if not ref.startswith(NEW_PREFIX):
            return _int(ref)
        index = _int(ref[len(NEW_PREFIX):])
        if index not in self.created:
            row = self.new_units[index]
            try:
                kind = UnitKind(row.get("kind") or guess_unit_kind(row["name"]))
            except ValueError:
                kind = UnitKind.other
            self.created[index] = save_unit(self.actor, None, name=str(row["name"]).strip(),
                                            short_name=str(row.get("short_name") or row["name"]).strip()[:60],
                                            kind=kind)
        return self.created[index].id

    def create_all_ticked(self) -> None:
        for index, row in enumerate(self.new_units):
            if row.get("create") and str(row.get("name") or "").strip():
                self.resolve(f"{NEW_PREFIX}{index}")


def _validate_plan_payload(payload: dict, resolver: _UnitResolver) -> dict:
    """Checks everything before anything is written; one message listing every problem."""
    problems: list[str] = []
    plan = {"title": str(payload.get("title") or "").strip(), "doc_number": str(payload.get("doc_number") or ""),
            "issuer": str(payload.get("issuer") or "")}
    if not plan["title"]:
        problems.append(_("请填写方案标题。"))
    for field, label in (("issued_on", _("印发日期")), ("period_start", _("实施开始")), ("period_end", _("实施结束"))):
        plan[field] = parse_iso(payload.get(field), label, problems)
    try:
        plan["status"] = PlanStatus(payload.get("plan_status") or PlanStatus.active.value)
    except ValueError:
        problems.append(_("方案状态无效。"))
    groups = payload.get("groups") or []
    for position, group in enumerate(groups, start=1):
        if not str(group.get("title") or "").strip():
            problems.append(_("第%(n)d个行动缺少名称。", n=position))
    tasks = [task for task in payload.get("tasks") or [] if not task.get("skip")]
    if not tasks:
        problems.append(_("没有可创建的任务。"))
    numbers = [str(task.get("number") or "").strip() for task in tasks]
    if any(not number for number in numbers) or any(not str(t.get("title") or "").strip() for t in tasks):
        problems.append(_("每项任务都须有序号和名称。"))
    duplicates = sorted({number for number in numbers if number and numbers.count(number) > 1})
    if duplicates:
        problems.append(_("任务序号重复：%(numbers)s。", numbers=_names(duplicates)))
    missing_lead = []
    for task, number in zip(tasks, numbers):
        label = number or "?"
        if not task.get("lead_unit"):
            missing_lead.append(label)
        for ref in [task.get("lead_unit") or "", *(task.get("cooperating_units") or [])]:
            reason = resolver.problem(ref)
            if reason:
                problems.append(_("任务%(number)s：%(reason)s。", number=label, reason=reason.rstrip("。")))
        group_index = task.get("group_index")
        if group_index not in (None, "") and not (isinstance(group_index, int) and 0 <= group_index < len(groups)):
            problems.append(_("任务%(number)s所属行动无效。", number=label))
        start_on = parse_iso(task.get("start_on"), _("任务%(number)s的开始日期", number=label), problems)
        due_on = parse_iso(task.get("due_on"), _("任务%(number)s的完成时限", number=label), problems)
        if start_on and due_on and due_on < start_on:
            problems.append(_("任务%(number)s的完成时限早于开始日期。", number=label))
        if task.get("reporting_cycle") not in [cycle.value for cycle in ReportingCycle]:
            problems.append(_("任务%(number)s的报送周期无效。", number=label))
        day = _int(task.get("report_day"))
        if day is None or not 1 <= day <= 31:
            problems.append(_("任务%(number)s的报送日须在1至31之间。", number=label))
        for position, milestone in enumerate(task.get("milestones") or [], start=1):
            if not str(milestone.get("title") or "").strip():
                problems.append(_("任务%(number)s的第%(n)d个节点缺少名称。", number=label, n=position))
            milestone_due = parse_iso(milestone.get("due_on"),
                                      _("任务%(number)s第%(n)d个节点的完成时限", number=label, n=position), problems)
            if start_on and milestone_due and milestone_due < start_on:
                problems.append(_("任务%(number)s第%(n)d个节点的完成时限早于开始日期。", number=label, n=position))
            if milestone_number(number, position) in numbers:
                problems.append(_("任务序号重复：%(numbers)s。", numbers=milestone_number(number, position)))
    if missing_lead:
        problems.insert(0, _("以下任务未选择牵头单位：%(numbers)s。请为每项任务选择牵头单位（单位库中的单位或勾选新建的单位）。",
                             numbers=_names(missing_lead)))
    missing_owner = []
    for position, target in enumerate(payload.get("targets") or [], start=1):
        if not target.get("create"):
            continue
        name = str(target.get("name") or "").strip() or str(position)
        ref = target.get("owner_unit") or payload.get("targets_unit") or ""
        if not ref:
            missing_owner.append(name)
        elif resolver.problem(ref):
            problems.append(_("指标“%(name)s”：%(reason)s。", name=name, reason=resolver.problem(ref).rstrip("。")))
        if not parse_iso(target.get("target_on"), _("指标“%(name)s”的目标日期", name=name), problems):
            if not target.get("target_on"):
                problems.append(_("指标“%(name)s”缺少目标日期。", name=name))
        try:
            float(str(target.get("value")).replace(",", ""))
        except ValueError:
            problems.append(_("指标“%(name)s”的目标值须为数字。", name=name))
    if missing_owner:
        problems.append(_("以下指标未选择填报单位：%(names)s（或取消勾选“创建为指标”）。", names=_names(missing_owner)))
    if problems:
        raise ValidationFailed(_("未能创建：") + " ".join(problems))
    return {**plan, "tasks": tasks, "groups": groups}


def apply_plan_draft(actor, draft: ImportDraft, edited: dict | None, today: date,
                     expected_version: int | None = None) -> Plan:
    """Creates the plan, its groups, tasks, indicators and the ticked new units, or nothing at all."""
    check_open_draft(draft, expected_version)
    if draft.kind != DraftKind.plan:
        raise ValidationFailed(_("该草稿不是方案导入。"))
    payload = copy.deepcopy(edited if edited is not None else draft.payload)
    resolver = _UnitResolver(actor, payload.get("new_units") or [])
    mode = payload.get("import_mode") or ""
    if mode not in ("", "new", "separate", "revision"):
        raise ValidationFailed(_("导入方式无效。"))
    if mode == "revision":
        return _apply_revision(actor, draft, payload, resolver, today)
    duplicates = payload.get("duplicates") or []
    if duplicates and mode != "separate":
        first = duplicates[0]
        number = "（" + first["doc_number"] + "）" if first.get("doc_number") else ""
        raise ValidationFailed(_("已有文号或标题相同的方案“%(title)s”%(number)s。请选择“作为该方案的修订版导入”，"
                                 "或明确选择“另建一个新方案”。", title=first.get("title", ""), number=number))
    checked = _validate_plan_payload(payload, resolver)
    resolver.create_all_ticked()
    plan = save_plan(actor, None, title=checked["title"], doc_number=checked["doc_number"][:80],
                     issuer=checked["issuer"][:120], issued_on=checked["issued_on"],
                     period_start=checked["period_start"], period_end=checked["period_end"],
                     kind=PlanKind.action_plan, status=checked["status"], source_text=draft.source_text or None)
    groups = [save_group(actor, plan, None, number=str(group.get("number") or ""),
                         title=str(group.get("title") or ""), position=position)
              for position, group in enumerate(checked["groups"], start=1)]
    db.session.flush()
    tasks = []
    for task in checked["tasks"]:
        lead = resolver.resolve(task["lead_unit"])
        cooperating = [unit_id for unit_id in (resolver.resolve(ref) for ref in task.get("cooperating_units") or [])
                       if unit_id and unit_id != lead]
        group_index = task.get("group_index")
        tasks.append(save_task(
            actor, plan, None, number=str(task["number"]).strip(), title=str(task["title"]).strip()[:200],
            text=str(task.get("text") or ""), group_id=groups[group_index].id if isinstance(group_index, int) else None,
            lead_unit_id=lead, cooperating_unit_ids=cooperating, start_on=parse_iso(task.get("start_on"), "", []),
            due_on=parse_iso(task.get("due_on"), "", []), reporting_cycle=ReportingCycle(task["reporting_cycle"]),
            report_day=_int(task["report_day"]), today=today))
    milestones = _create_milestones(actor, plan, checked["tasks"], tasks, today)
    indicators = _create_indicators(actor, plan, payload, resolver,
                                    {task.number: task.id for task in tasks})
    draft.state = DraftState.applied
    draft.applied_plan = plan
    draft.payload = payload
    record(actor, "import.applied", draft,
           changes={"plan_id": plan.id, "groups": len(groups), "tasks": len(tasks), "milestones": milestones,
                    "indicators": indicators,
                    "units_created": [unit.short_name for unit in resolver.created.values()]},
           summary=plan.title)
    return plan


def milestone_number(task_number: str, position: int) -> str:
    """A milestone's own 序号 under its task's: "1" → "1.1", "1.2" …"""
    return f"{task_number}.{position}"


def _create_milestones(actor, plan: Plan, rows: list[dict], tasks: list, today: date) -> int:
    """A task's milestones (节点, e.g. one per quarter of a one-task form) become its sub-tasks: the same lead and
    cooperating units, each due at its own date; the task's progress is then the mean of theirs."""
    created = 0
    for row, task in zip(rows, tasks):
        for position, milestone in enumerate(row.get("milestones") or [], start=1):
            title = str(milestone.get("title") or "").strip()[:200]
            label = str(milestone.get("label") or "").strip()
            save_task(actor, plan, None, number=milestone_number(task.number, position), title=title,
                      text=f"{label}：{title}" if label else title, group_id=task.group_id, parent_id=task.id,
                      lead_unit_id=task.lead_unit_id, cooperating_unit_ids=[u.id for u in task.cooperating_units],
                      start_on=task.start_on, due_on=parse_iso(milestone.get("due_on"), "", []),
                      reporting_cycle=task.reporting_cycle, report_day=task.report_day, today=today)
            created += 1
    return created


def revision_target(payload: dict) -> Plan | None:
    """The plan a draft would revise: the one chosen on the review screen (or the duplicate found)."""
    plan_id = _int(payload.get("revision_of"))
    return db.session.get(Plan, plan_id) if plan_id else None


def _apply_revision(actor, draft: ImportDraft, payload: dict, resolver: _UnitResolver, today: date) -> Plan:
    from tracker.imports.revisions import apply_revision, fill_from_plan

    plan = revision_target(payload)
    if plan is None:
        raise ValidationFailed(_("请选择要修订的方案。"))
    payload = fill_from_plan(plan, payload)
    # A revision changes tasks; the plan's indicators stay as they are (edited on the indicator pages).
    checked = _validate_plan_payload({**payload, "title": payload.get("title") or plan.title, "targets": []},
                                     resolver)
    resolver.create_all_ticked()
    diff = apply_revision(actor, plan, checked, payload, resolver, today, parse_iso, _int)
    draft.state = DraftState.applied
    draft.applied_plan = plan
    draft.payload = payload
    record(actor, "import.applied", draft,
           changes={"plan_id": plan.id, "revision": diff["counts"],
                    "units_created": [unit.short_name for unit in resolver.created.values()]},
           summary=plan.title)
    return plan


def indicators_available() -> bool:
    try:
        from tracker.indicators.services import save_indicator  # noqa: F401
    except ImportError:
        return False
    return True


def _create_indicators(actor, plan: Plan, payload: dict, resolver: _UnitResolver,
                       task_ids: dict[str, int] | None = None) -> int:
    """The ticked targets become the plan's indicators (指标) through the indicator service."""
    if not indicators_available():
        return 0
    from tracker.indicators.models import Direction
    from tracker.indicators.services import save_indicator

    count = 0
    for target in payload.get("targets") or []:
        if not target.get("create"):
            continue
        ref = target.get("owner_unit") or payload.get("targets_unit") or ""
        save_indicator(actor, plan, None, name=str(target.get("name") or "").strip()[:200],
                       unit_of_measure=str(target.get("unit") or "")[:20],
                       baseline=target.get("baseline") or 0, target_value=target.get("value"),
                       target_on=parse_iso(target.get("target_on"), "", []),
                       direction=Direction(target.get("direction") or "higher"),
                       responsible_unit_id=resolver.resolve(ref), note=str(target.get("source") or ""),
                       task_id=(task_ids or {}).get(str(target.get("task_number") or "")))
        count += 1
    return count


def resolve_unit_refs(actor, new_units: list[dict], refs: dict[str, str | list[str]]) -> dict:
    """For other services (proposal import): checks and resolves named unit references at once."""
    resolver = _UnitResolver(actor, new_units)
    problems = []
    for label, value in refs.items():
        for ref in value if isinstance(value, list) else [value]:
            reason = resolver.problem(ref or "")
            if reason:
                problems.append(f"{label}：{reason.rstrip('。')}")
    if problems:
        raise ValidationFailed(_("未能导入：") + "；".join(problems) + "。")
    return {label: ([resolver.resolve(r) for r in value if r] if isinstance(value, list) else resolver.resolve(value or ""))
            for label, value in refs.items()}
