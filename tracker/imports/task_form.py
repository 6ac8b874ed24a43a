"""A one-task form (一事一表 / 任务推进表 / 督办单): a page or sheet describing ONE task, its labels in the first
column (任务名称 / 牵头单位 / 协办单位 / 责任领导 / 工作目标 / 完成时限 …) and its milestones per quarter, written
as one line (row) per quarter ("第一季度工作进展：完成设计招标工作。", "一季度\t20%") or as quarter columns
("一季度\t二季度\t三季度\t四季度" over a row of values).

Such a form is one task whose quarterly lines are its milestones (节点), not a plan of many items nor a list of
indicator targets: its figures ("2个基地") belong to the task's text. The form is told by its content — label
lines, each unit label written once (one task's assignment), at least two quarter lines in order — never by the
name of a template.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.imports.documents import CJK, GROUP_HEADING, ITEM_NUMBER, PART_HEADING, tidy_lines
from tracker.imports.plan_parser import (
        MilestoneDraft, PlanDraft, SectionDraft, TaskDraft, _add_warnings, _assignment_from_labels, _label_kind,
        _LABELLED_VALUE, _leader_in, _period_from_text, _read_period, find_reporting_rule,
    )
from tracker.imports.tables import SHEET_MARK

# "第一季度工作进展", "一季度", "1季度", "第二季度目标": a quarter opening a label.
QUARTER = re.compile(r"^(?:第\s*)?(?P<q>[一二三四1-4])\s*季度")
# A line "label：value" (or a row "label<TAB>value"): a short label of Chinese words (no figures but a quarter's:
# "2017年民生实事：…" is a title, not a label), then its value.
_LABELLED = re.compile(rf"^(?P<label>(?:(?:第\s*)?[一二三四1-4]\s*季度)?[{CJK}（）()、/ ]{{0,14}}?)\s*(?:[：:]|\t)\s*"
                       rf"(?P<value>.*)$")
# A heading alone on its line ("进度安排", "落实情况", "时间节点"): short, no punctuation.
_BARE_HEADING = re.compile(rf"^[{CJK}]{{2,8}}$")
# Headings over what was done rather than what is planned: quarter lines under them report, they set no milestone.
_REPORT_HEADING = re.compile(r"落实情况|完成情况|进展情况|推进情况|执行情况|实际完成|办理情况|工作成效")
# Labels naming the task itself (its name, never a unit or a date): "任务名称", "项目名称", "工作任务", "督办事项".
_NAME_LABEL = re.compile(r"(?:名称|任务|事项|项目)$")
_NUMBER_LABEL = re.compile(r"^(?:序号|编号|任务编号|项目编号)$")
_QUARTER_NAMES = "一二三四"


@dataclass
class _Line:
    text: str
    label: str | None = None
    value: str = ""
    quarter: int | None = None
    heading: bool = False


def _quarter(label: str | None) -> int | None:
    found = QUARTER.match(label or "")
    if not found:
        return None
    return int(found.group("q")) if found.group("q").isdigit() else _QUARTER_NAMES.index(found.group("q")) + 1


def _read_line(text: str) -> _Line:
    cells = text.split("\t")
    if len(cells) > 2:
        return _Line(text)
    found = _LABELLED.match(text)
    if found:
        label = re.sub(r"\s+", "", found.group("label"))
        return _Line(text, label, found.group("value").strip(), _quarter(label))
    if _BARE_HEADING.match(text):
        return _Line(text, text, "", _quarter(text), heading=True)
    return _Line(text)


def _quarter_columns(lines: list[str]) -> dict[int, tuple[int, str, str]]:
    """Milestones written as quarter columns: a row whose cells are quarters in order ("一季度\t二季度\t…", or
    "时间节点\t一季度\t…") over a row of values at the same places. {row index: (quarter, label, value)}."""
    found: dict[int, tuple[int, str, str]] = {}
    for index, line in enumerate(lines[:-1]):
        cells = [cell.strip() for cell in line.split("\t")]
        places = [(position, _quarter(cell)) for position, cell in enumerate(cells) if _quarter(cell)]
        if len(places) < 2 or [q for _p, q in places] != sorted({q for _p, q in places}):
            continue
        values = [cell.strip() for cell in lines[index + 1].split("\t")]
        if len(values) != len(cells):
            continue
        for offset, (position, quarter) in enumerate(places):
            if values[position]:
                found[index * 10 + offset] = (quarter, cells[position], values[position])
    return found


def read_task_form(text: str):
    """The draft of a one-task form, or None when the text is not one (see the module's docstring)."""
    lines = [line for line in tidy_lines(text) if not SHEET_MARK.match(line)]
    if not 3 <= len(lines) <= 200:
        return None
    read = [_read_line(line) for line in lines]
    columns = _quarter_columns(lines)
    unit_kinds = []
    for line in read:
        labelled = _LABELLED_VALUE.match(line.text.replace("\t", "："))
        if labelled and labelled.start() == 0 and _label_kind(labelled.group("label")) in (
                "lead", "responsible", "cooperating"):
            unit_kinds.append(_label_kind(labelled.group("label")))
    # One task: its units labelled once each (a plan repeats 牵头单位 for every item).
    if not unit_kinds or len(unit_kinds) != len(set(unit_kinds)):
        return None
    runs = _milestone_runs(read)
    planned = next((run for heading, run in runs if not (heading and _REPORT_HEADING.search(heading))), None)
    if planned is None and columns:
        planned = [(quarter, label, value) for _key, (quarter, label, value) in sorted(columns.items())]
    if not planned or len(planned) < 2 or [q for q, _l, _v in planned] != sorted({q for q, _l, _v in planned}):
        return None

    first_label = next(index for index, line in enumerate(read) if line.label or "\t" in line.text)
    # A plan's parts (一、二、) or items above the labels make a plan with a schedule, not a one-task form.
    if sum(1 for line in lines if PART_HEADING.match(line)) >= 2 or any(
            ITEM_NUMBER.match(line) or GROUP_HEADING.match(line) or PART_HEADING.match(line)
            for line in lines[:first_label]):
        return None
    name = next((line.value for line in read if line.label and line.value and line.quarter is None
                 and _NAME_LABEL.search(line.label) and not _LABELLED_VALUE.match(line.text)), None)
    above = [line.text for line in read[:first_label]]
    if name is None and above:
        name, above = above[-1], above[:-1]
    if not name:
        return None
    number = next((line.value for line in read if line.label and _NUMBER_LABEL.match(line.label) and line.value),
                  "1")

    draft = PlanDraft(title="".join(above) or name)
    label_lines = [line.text.replace("\t", "：") for line in read
                   if _LABELLED_VALUE.match(line.text.replace("\t", "："))]
    assignment, due = _assignment_from_labels(label_lines)
    body = [line.text for line in read[first_label:]
            if line.text.replace("\t", "：") not in label_lines and line.value != name]
    milestones = [MilestoneDraft(label, _milestone_title(label, value), f"第{_QUARTER_NAMES[quarter - 1]}季度")
                  for quarter, label, value in planned]
    task = TaskDraft(number=number, title=name, text="\n".join(body), assignment=assignment,
                     due_hint=due or milestones[-1].due_hint, leader=_leader_in("\n".join(label_lines)),
                     item_style="form", milestones=milestones)
    draft.tasks.append(task)
    if above:
        draft.sections.append(SectionDraft("header", None, above))
    draft.sections.append(SectionDraft("tasks", name, lines[first_label:]))
    _read_period(draft)
    if draft.period_end is None:
        _period_from_text(draft, lines)
    draft.reporting = find_reporting_rule(lines)
    _add_warnings(draft)
    return draft


def _milestone_runs(read: list[_Line]) -> list[tuple[str | None, list[tuple[int, str, str]]]]:
    """Runs of quarter lines in order, each with the heading above it ("进度安排", "落实情况")."""
    runs: list[tuple[str | None, list[tuple[int, str, str]]]] = []
    heading: str | None = None
    current: list[tuple[int, str, str]] = []
    for line in read:
        if line.quarter is not None and line.label and (line.value or not line.heading):
            if current and line.quarter <= current[-1][0]:
                runs.append((heading, current))
                current = []
            current.append((line.quarter, line.label, line.value))
            continue
        if current:
            runs.append((heading, current))
            current = []
        if line.label and not line.value:
            heading = line.label
        elif line.label:
            heading = None
    if current:
        runs.append((heading, current))
    return runs


def _milestone_title(label: str, value: str) -> str:
    """The value names the milestone ("完成设计招标工作"); a bare figure ("20%") is named with its quarter."""
    title = value.strip().rstrip("。；;，,").strip()
    if not re.search(f"[{CJK}]", title):
        quarter = QUARTER.match(label)
        return f"{quarter.group(0) if quarter else label}完成{title}" if title else label
    return title[:200]
