"""How well the importer reads real published plans (tests/imports/real_corpus/) and the written corpus.

    .venv/bin/python bench/import_score.py            # both tables, per document and in total
    .venv/bin/python bench/import_score.py --json     # the same figures as JSON

The real corpus (excerpts of plans published by government offices, see its README.md) is the measure: per
document, tasks found/expected, task titles, groups, lead units, cooperating units and due dates, each compared
with the expected JSON written by hand, and the milestones (节点: title and due date) of the tasks that have them
(a task expected without milestones must be read without any). The written corpus below it stays as a regression check (still 100 %).

Each document is read as an upload would be (``extract_text``, then the draft payload without the unit
register) and compared with the expected JSON beside it: tasks found/expected, titles exact, lead units,
cooperating units, due dates (a date, ``recurring:<cycle>`` or ``open``), targets (name, value, unit, the
task and lead unit of a target written as a task) and the reporting rule. tests/imports/test_corpus.py
asserts every field; this script prints the score.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "imports" / "corpus"
REAL_CORPUS = ROOT / "tests" / "imports" / "real_corpus"
REAL_COLUMNS = ("tasks", "titles", "groups", "lead units", "cooperating units", "due dates", "milestones")
COLUMNS = ("tasks", "titles", "groups", "lead units", "cooperating units", "due dates", "targets", "reporting rule")


def documents(corpus: Path = CORPUS) -> list[Path]:
    return sorted(path for path in corpus.iterdir() if path.suffix in (".txt", ".docx", ".xlsx"))


_WIDE = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"})


def same_text(a, b) -> bool:
    """Equal once bracket and punctuation width and spaces are ignored (the stored pages use half-width)."""
    def norm(value):
        if isinstance(value, list):
            return [norm(item) for item in value]
        return None if value is None else "".join(str(value).split()).translate(_WIDE)
    return norm(a) == norm(b)


def real_score(path: Path) -> "Score":
    """One real document against its hand-written expected JSON; tasks are matched by their number."""
    wanted = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    actual = read_actual(path)
    result = Score(path.name, wanted["layout"])
    found_by_number = {"".join(task["number"].split()).translate(_WIDE): task for task in actual["tasks"]}
    result.total["tasks"] = len(wanted["tasks"])
    result.right["tasks"] = 0
    for task in wanted["tasks"]:
        found = found_by_number.get("".join(task["number"].split()).translate(_WIDE))
        label = f"task {task['number']}"
        if found is None:
            result.problems.append(f"{label} not found")
            found = {}
        else:
            result.right["tasks"] += 1
        for column, key in (("titles", "title"), ("groups", "group"), ("lead units", "lead_unit"),
                            ("cooperating units", "cooperating_units"), ("due dates", "due")):
            ok = same_text(found.get(key), task[key]) if found else False
            result.add(column, ok, f"{label} {key}: {found.get(key)!r} != {task[key]!r}")
        read = found.get("milestones") or []
        if "milestones" in task:
            for position, wanted_one in enumerate(task["milestones"]):
                got = read[position] if position < len(read) else {}
                ok = same_text(got.get("title"), wanted_one["title"]) and got.get("due") == wanted_one["due"]
                result.add("milestones", ok, f"{label} milestone {position + 1}: {got!r} != {wanted_one!r}")
            if len(read) > len(task["milestones"]):
                result.add("milestones", False, f"{label} milestones not expected: {read[len(task['milestones']):]}")
        elif read:
            result.problems.append(f"{label} milestones not expected: {read}")
    extra = len(actual["tasks"]) - result.right["tasks"]
    if extra > 0:
        result.total["tasks"] += extra  # found but not expected counts against the score
        result.problems.append(f"{extra} task(s) not expected: {[t['number'] for t in actual['tasks']]}")
    return result


def percent(scores: list["Score"], column: str) -> float | None:
    right = sum(item.right.get(column, 0) for item in scores)
    total = sum(item.total.get(column, 0) for item in scores)
    return 100 * right / total if total else None


def document_percent(item: "Score", columns=REAL_COLUMNS) -> float:
    right = sum(item.right.get(column, 0) for column in columns)
    total = sum(item.total.get(column, 0) for column in columns)
    return 100 * right / total if total else 100.0


def read_actual(path: Path) -> dict:
    """The importer's reading of one corpus document, in the shape of the expected JSON."""
    from tracker.imports.documents import extract_text
    from tracker.imports.drafts import build_payload

    payload = build_payload("plan", extract_text(path.name, path.read_bytes()), with_database=False)
    groups = payload.get("groups") or []
    tasks = []
    for task in payload.get("tasks") or []:
        assignment = task.get("assignment") or {}
        index = task.get("group_index")
        kind = task.get("due_kind")
        due = task.get("due_on") if kind == "date" else f"recurring:{task.get('due_cycle')}" if kind == "recurring" \
            else "open"
        tasks.append({"number": task["number"], "title": task["title"],
                      "group": groups[index]["title"] if index is not None and 0 <= index < len(groups) else None,
                      "lead_unit": assignment.get("lead_unit"),
                      "cooperating_units": list(assignment.get("cooperating_units") or []), "due": due,
                      "milestones": [{"title": m["title"], "due": m.get("due_on") or "open"}
                                     for m in task.get("milestones") or []]})
    reporting = payload.get("reporting")
    return {
        "title": payload.get("title"), "doc_number": payload.get("doc_number"), "issuer": payload.get("issuer"),
        "reporting": {key: reporting.get(key) for key in ("cycle", "day", "month_in_quarter")} if reporting else None,
        "tasks": tasks,
        "targets": [{"name": t["name"], "value": t["value"], "unit": t["unit"], "task_number": t.get("task_number"),
                     "lead_unit": t.get("lead_unit")} for t in payload.get("targets") or []],
    }


@dataclass
class Score:
    name: str
    layout: str
    right: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, column: str, ok: bool, problem: str = "") -> None:
        self.total[column] = self.total.get(column, 0) + 1
        self.right[column] = self.right.get(column, 0) + (1 if ok else 0)
        if not ok and problem:
            self.problems.append(problem)


def _same_target(a: dict, b: dict) -> bool:
    return (a["name"] == b["name"] and float(a["value"]) == float(b["value"]) and a["unit"] == b["unit"]
            and a.get("task_number") == b.get("task_number") and a.get("lead_unit") == b.get("lead_unit"))


def score(path: Path) -> Score:
    wanted = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    actual = read_actual(path)
    result = Score(path.name, wanted["layout"])
    by_number = {task["number"]: task for task in actual["tasks"]}
    result.total["tasks"] = len(wanted["tasks"])
    result.right["tasks"] = sum(1 for task in wanted["tasks"] if task["number"] in by_number)
    extra = len(actual["tasks"]) - result.right["tasks"]
    if extra:
        result.problems.append(f"{extra} task(s) not expected: {[t['number'] for t in actual['tasks']]}")
    for task in wanted["tasks"]:
        found = by_number.get(task["number"], {})
        label = f"task {task['number']}"
        for column, key in (("titles", "title"), ("groups", "group"), ("lead units", "lead_unit"),
                            ("cooperating units", "cooperating_units"), ("due dates", "due")):
            result.add(column, found.get(key) == task[key], f"{label} {key}: {found.get(key)!r} != {task[key]!r}")
    for target in wanted["targets"]:
        ok = any(_same_target(target, other) for other in actual["targets"])
        result.add("targets", ok, f"target {target['name']} not found in {actual['targets']}")
    if len(actual["targets"]) > len(wanted["targets"]):
        result.add("targets", False, f"targets not expected: {actual['targets']}")
    result.add("reporting rule", actual["reporting"] == wanted["reporting"],
               f"reporting {actual['reporting']} != {wanted['reporting']}")
    for key in ("title", "doc_number", "issuer"):
        if actual[key] != wanted[key]:
            result.problems.append(f"{key}: {actual[key]!r} != {wanted[key]!r}")
    if extra:
        result.total["tasks"] += extra  # found but not expected counts against the score
    return result


def _cell(right: int, total: int) -> str:
    return f"{right}/{total}" if total else "—"


def table(scores: list[Score], columns=COLUMNS, with_layout: bool = True) -> str:
    lines = ["| document | " + ("layout | " if with_layout else "") + " | ".join(columns) + " |",
             "|---|" + ("---|" if with_layout else "") + "---|" * len(columns)]
    for item in scores:
        lines.append(f"| {item.name} | " + (f"{item.layout} | " if with_layout else "")
                     + " | ".join(_cell(item.right.get(c, 0), item.total.get(c, 0)) for c in columns) + " |")
    totals = []
    for column in columns:
        right = sum(item.right.get(column, 0) for item in scores)
        total = sum(item.total.get(column, 0) for item in scores)
        totals.append(f"{_cell(right, total)} ({100 * right / total:.0f} %)" if total else "—")
    lines.append(f"| **total** ({len(scores)} documents) | " + ("| " if with_layout else "") + " | ".join(totals) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    real = [real_score(path) for path in documents(REAL_CORPUS)]
    scores = [score(path) for path in documents()]
    if args.json:
        print(json.dumps({name: [{"document": s.name, "right": s.right, "total": s.total, "problems": s.problems}
                                 for s in group] for name, group in (("real", real), ("written", scores))},
                         ensure_ascii=False, indent=2))
        return 0
    print("Real corpus (tests/imports/real_corpus/):")
    print(table(real, REAL_COLUMNS, with_layout=False))
    lowest = min(real, key=document_percent)
    print(f"lowest document: {lowest.name} {document_percent(lowest):.0f} %")
    for item in real:
        for problem in item.problems:
            print(f"  {item.name}: {problem}")
    print()
    print("Written corpus (tests/imports/corpus/):")
    print(table(scores))
    for item in scores:
        for problem in item.problems:
            print(f"  {item.name}: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
