"""办理情况统计: per session (届次会议) and per 主办 unit, for each kind of item (政协提案, 人大建议), computed
by grouped SQL queries (one per grouping, never a loop over the items).

Definitions (shown on the page, ``DEFINITIONS``):
- 件数: the items registered (every registered item has been assigned, 交办);
- 已答复: items in the state 已答复 or 已反馈 (an item sent back for 重新办理 counts again when answered again);
- 办复率 = 已答复 / 件数;
- 按时办复率 = items answered on or before their 答复期限 (an item without a 答复期限 counts as on time)
  / 件数;
- 满意率 = (满意 + 基本满意) / items the proposer has rated;
- 见面率 = answered items with at least one contact by 见面 or 座谈 (tracker.proposals.contacts.FACE_WAYS,
  any stage) / 已答复;
- A/B/C/D 占比 = answered items of the class / 已答复; the class comes from the stored 办理结果 through
  ``tracker.proposals.documents.CATEGORY_CLASSES`` (the one mapping, also used by ``result_class``);
- 重新办理: the number of times items were sent back for 重新办理 (不满意);
- 承诺事项: promises of B/C replies still open (待再次答复) and kept (已再次答复).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import and_, case, exists, func, or_, select

from tracker.common.export_text import write_cell
from tracker.common.office_files import xlsx_bytes
from tracker.extensions import db
from tracker.proposals.contacts import FACE_WAYS
from tracker.proposals.documents import CATEGORY_CLASSES, RESULT_CLASSES
from tracker.proposals.handling import KIND_LABELS
from tracker.proposals.models import (PromiseState, Proposal, ProposalContact, ProposalKind, ProposalPromise,
                                      ProposalState)
from tracker.units.models import Unit

CLASSES = tuple(RESULT_CLASSES)  # A, B, C, D
SATISFIED = ("满意", "基本满意")
RATED = ("满意", "基本满意", "不满意")
DEFINITIONS = (
    (_l("件数"), _l("登记的件数（均已交办）。")),
    (_l("办复率"), _l("已答复件数 ÷ 件数；已答复指状态为“已答复”或“已反馈”，退回重新办理的件再次答复后计入。")),
    (_l("按时办复率"), _l("在答复期限当日或之前答复的件数 ÷ 件数；未设答复期限的已答复件按按时计。")),
    (_l("满意率"), _l("（满意 + 基本满意）÷ 提案人已评价的件数。")),
    (_l("见面率"), _l("已答复件中与提案人至少有一次“见面”或“座谈”沟通（任一阶段）的件数 ÷ 已答复件数。")),
    (_l("A/B/C/D类占比"), _l("已答复件中该类办理结果的件数 ÷ 已答复件数（A 已解决/采纳，B 正在解决，C 列入计划，"
                            "D 留作参考；“解决采纳”“部分采纳或解决”等登记用语按统一对照归类）。")),
    (_l("重新办理"), _l("提案人评价“不满意”后退回重新办理的次数。")),
    (_l("承诺事项"), _l("B、C类答复的承诺事项：待再次答复的项数和已再次答复的项数。")),
)


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def percent(value: float | None) -> str:
    """85.7% (one decimal), or — when nothing to count."""
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass
class StatRow:
    """One line of the statistics: a session or a unit of one kind, or the kind's total (``label`` "")."""

    kind: ProposalKind
    label: str
    items: int = 0
    answered: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    met: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    rehandled: int = 0
    promises_open: int = 0
    promises_kept: int = 0

    @property
    def answer_rate(self) -> float | None:
        return ratio(self.answered, self.items)

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.items)

    @property
    def satisfaction_rate(self) -> float | None:
        return ratio(self.satisfied, self.rated)

    @property
    def meeting_rate(self) -> float | None:
        return ratio(self.met, self.answered)

    def class_share(self, klass: str) -> float | None:
        return ratio(self.classes.get(klass, 0), self.answered)


def _one(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _measures():
    answered = Proposal.state.in_((ProposalState.replied, ProposalState.feedback_received))
    met = exists().where(ProposalContact.proposal_id == Proposal.id, ProposalContact.way.in_(FACE_WAYS))
    promises = (select(ProposalPromise.proposal_id.label("proposal_id"),
                       _one(ProposalPromise.state == PromiseState.open).label("open"),
                       _one(ProposalPromise.state == PromiseState.kept).label("kept"))
                .group_by(ProposalPromise.proposal_id).subquery())
    columns = [func.count(Proposal.id).label("items"), _one(answered).label("answered"),
               _one(and_(answered, or_(Proposal.reply_due_on.is_(None),
                                       Proposal.reply_on <= Proposal.reply_due_on))).label("on_time"),
               _one(Proposal.feedback.in_(RATED)).label("rated"),
               _one(Proposal.feedback.in_(SATISFIED)).label("satisfied"),
               _one(and_(answered, met)).label("met"),
               func.coalesce(func.sum(Proposal.rehandling_count), 0).label("rehandled"),
               func.coalesce(func.sum(promises.c.open), 0).label("promises_open"),
               func.coalesce(func.sum(promises.c.kept), 0).label("promises_kept")]
    for klass in CLASSES:
        wording = [klass, *(category for category, mapped in CATEGORY_CLASSES.items() if mapped == klass)]
        columns.append(_one(and_(answered, Proposal.result_category.in_(wording))).label(f"class_{klass}"))
    return columns, promises


GROUPINGS = {"meeting": (Proposal.meeting,), "unit": (Unit.short_name, Unit.id), "total": ()}


@cache
def _statement(grouping: str):
    """The grouped query of ``GROUPINGS``, built once per process: building its ~15 measures took longer
    than SQLite takes to run it (issue 24)."""
    group_columns = GROUPINGS[grouping]
    columns, promises = _measures()
    query = select(Proposal.kind, *group_columns, *columns).select_from(Proposal).outerjoin(
        promises, promises.c.proposal_id == Proposal.id)
    if grouping == "unit":
        query = query.join(Unit, Unit.id == Proposal.main_unit_id)
    return query.group_by(Proposal.kind, *group_columns).order_by(Proposal.kind, *group_columns)


def _rows(grouping: str, label_of) -> list[StatRow]:
    rows = []
    for row in db.session.execute(_statement(grouping)).mappings():
        rows.append(StatRow(kind=ProposalKind(row["kind"]), label=label_of(row), items=row["items"],
                            answered=row["answered"], on_time=row["on_time"], rated=row["rated"],
                            satisfied=row["satisfied"], met=row["met"], rehandled=row["rehandled"],
                            promises_open=row["promises_open"], promises_kept=row["promises_kept"],
                            classes={klass: row[f"class_{klass}"] for klass in CLASSES}))
    return rows


@dataclass
class KindStatistics:
    kind: ProposalKind
    by_meeting: list[StatRow]
    by_unit: list[StatRow]
    total: StatRow


def statistics() -> list[KindStatistics]:
    """Per kind (政协提案, 人大建议, those that have items): by session, by 主办 unit, and the total."""
    by_meeting = _rows("meeting", lambda row: row["meeting"])
    by_unit = _rows("unit", lambda row: row["short_name"])
    totals = {row.kind: row for row in _rows("total", lambda row: "")}
    return [KindStatistics(kind, [r for r in by_meeting if r.kind == kind], [r for r in by_unit if r.kind == kind],
                           totals[kind]) for kind in ProposalKind if kind in totals]


# ---------------------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------------------

def _headers(first: str) -> list[tuple[str, str]]:
    """(header, kind) with kind "text", "int" or "percent"."""
    headers = [(_("类别"), "text"), (first, "text"), (_("件数"), "int"), (_("已答复"), "int"), (_("办复率"), "percent"),
               (_("按时答复"), "int"), (_("按时办复率"), "percent"), (_("已评价"), "int"),
               (_("满意和基本满意"), "int"), (_("满意率"), "percent"), (_("见面件数"), "int"), (_("见面率"), "percent")]
    for klass in CLASSES:
        headers += [(_("%(klass)s类", klass=klass), "int"), (_("%(klass)s类占比", klass=klass), "percent")]
    return headers + [(_("重新办理次数"), "int"), (_("承诺待再次答复"), "int"), (_("承诺已再次答复"), "int")]


def row_values(row: StatRow, label: str) -> list:
    values = [str(KIND_LABELS[row.kind]), label, row.items, row.answered, row.answer_rate, row.on_time,
              row.on_time_rate, row.rated, row.satisfied, row.satisfaction_rate, row.met, row.meeting_rate]
    for klass in CLASSES:
        values += [row.classes.get(klass, 0), row.class_share(klass)]
    return values + [row.rehandled, row.promises_open, row.promises_kept]


def statistics_xlsx(tables: list[KindStatistics], today: date) -> bytes:
    """Sheets 按届次会议 and 按承办单位 (each kind's rows and its total), and 口径说明 (the definitions)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, first, rows_of in ((_("按届次会议"), _("届次会议"), lambda t: t.by_meeting),
                                  (_("按承办单位"), _("主办单位"), lambda t: t.by_unit)):
        sheet = workbook.create_sheet(title[:31])
        headers = _headers(first)
        write_cell(sheet, 1, 1, _("建议提案办理情况统计（%(title)s，截至%(day)s）", title=title, day=today.isoformat()))
        for column, (header, _kind) in enumerate(headers, start=1):
            write_cell(sheet, 2, column, header)
            sheet.column_dimensions[get_column_letter(column)].width = 24 if column == 2 else 12
        line = 3
        for table in tables:
            for row, label in [*((r, r.label) for r in rows_of(table)), (table.total, _("合计"))]:
                for column, ((_header, kind), value) in enumerate(zip(headers, row_values(row, label)), start=1):
                    cell = write_cell(sheet, line, column, value)
                    if kind == "percent":
                        cell.number_format = "0.0%"
                line += 1
        sheet.freeze_panes = "C3"
    notes = workbook.create_sheet(_("口径说明")[:31])
    for line, (term, definition) in enumerate(DEFINITIONS, start=1):
        write_cell(notes, line, 1, str(term))
        write_cell(notes, line, 2, str(definition))
    notes.column_dimensions["B"].width = 100
    return xlsx_bytes(workbook, title=_("建议提案办理情况统计"))
