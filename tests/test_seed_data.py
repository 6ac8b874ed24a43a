"""Consistency checks for the pure-data seeds (no Flask, no database).

Only seeds/documents/ is read; the texts there are compared after removing
layout artefacts (list markers, markdown bold, all whitespace).
"""

import re
import sys
from collections import defaultdict
from datetime import date, datetime, time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "seeds" / "documents"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from seeds.proposals import PROPOSALS  # noqa: E402
from seeds.units import UNITS  # noqa: E402
from seeds.xicen_plan import DEMO_DATE, DEMO_UPDATES, GROUPS, PLAN, TASKS  # noqa: E402

PLAN_FILE = "xicen-action-plan-2025-2026.txt"
TASK_STATUSES = {"not_started", "in_progress", "completed", "suspended"}
REVIEW_STATES = {"accepted", "returned", "submitted"}
UNIT_KINDS = {"district_bureau", "town", "state_owned_company", "municipal_commission", "other"}

UNITS_BY_SHORT = {u["short_name"]: u for u in UNITS}
TASKS_BY_NUMBER = {t["number"]: t for t in TASKS}

# Full-width brackets and the document's half-width ones compare equal.
_FOLD = str.maketrans({"（": "(", "）": ")"})


def normalize(text):
    """Remove layout artefacts: "- " list markers, markdown bold, all whitespace."""
    text = re.sub(r"(?m)^\s*-\s+", "", text)
    text = text.replace("**", "")
    text = re.sub(r"\s+", "", text)
    return text.translate(_FOLD)


def squeeze(text):
    return re.sub(r"\s+", "", text).translate(_FOLD)


def read_doc(name):
    path = DOCS / name
    assert path.is_file(), f"missing seeds/documents/{name}"
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plan_doc():
    return normalize(read_doc(PLAN_FILE))


def end_of_day(d):
    return datetime.combine(d, time(23, 59, 59))


# ---------------------------------------------------------------------------
# documents
# ---------------------------------------------------------------------------

def test_documents_present():
    names = {p.name for p in DOCS.iterdir()}
    assert PLAN["source_document"] in names
    for p in PROPOSALS:
        assert p["source_document"] in names
    assert len([n for n in names if n.endswith(".txt")]) == 3


# ---------------------------------------------------------------------------
# plan, groups, tasks
# ---------------------------------------------------------------------------

def test_plan_metadata(plan_doc):
    assert PLAN["source_document"] == PLAN_FILE
    assert PLAN["doc_number"] in plan_doc
    assert squeeze(PLAN["title"]) in plan_doc
    assert PLAN["issuer"] in plan_doc
    issued = PLAN["issued_on"]
    assert f"{issued.year}年{issued.month}月{issued.day}日" in plan_doc
    assert PLAN["period_start"] <= PLAN["period_end"]
    assert PLAN["period_end"] == date(2026, 12, 31)
    assert PLAN["kind"] == "action_plan"
    assert PLAN["status"] == "active"


def test_groups(plan_doc):
    assert len(GROUPS) == 6
    assert [g["number"] for g in GROUPS] == ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]
    for g in GROUPS:
        assert squeeze(g["number"] + g["title"]) in plan_doc, g


def test_task_numbers_and_groups():
    assert len(TASKS) == 16
    assert [t["number"] for t in TASKS] == [str(i) for i in range(1, 17)]
    groups = [t["group"] for t in TASKS]
    assert groups == sorted(groups)
    assert set(groups) == set(range(1, len(GROUPS) + 1))


def test_task_order_matches_document(plan_doc):
    positions = []
    for t in TASKS:
        marker = f"{t['number']}.{t['title']}。"
        assert marker in plan_doc, marker
        positions.append(plan_doc.index(marker))
    assert positions == sorted(positions)
    # each task sits under its group's heading
    heads = [plan_doc.index(squeeze(g["number"] + g["title"])) for g in GROUPS]
    for t, pos in zip(TASKS, positions):
        g = t["group"] - 1
        assert heads[g] < pos
        if g + 1 < len(heads):
            assert pos < heads[g + 1]


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t["number"])
def test_task_text_matches_document(task, plan_doc):
    title, text = task["title"], task["text"]
    assert title and title in plan_doc
    assert text.startswith(title + "。")
    first_sentence = text.split("。")[0] + "。"
    assert squeeze(first_sentence) in plan_doc
    # the whole cleaned text is the document's own wording
    assert squeeze(text) in plan_doc
    # no layout artefacts left
    assert "\n" not in text and "- " not in text
    assert not re.search(r"[\u4e00-\u9fff，。、,]\s+[\u4e00-\u9fff，。、,]", text)
    assert not re.match(r"\s*\d", text)


# ---------------------------------------------------------------------------
# units
# ---------------------------------------------------------------------------

def test_units_unique_and_wellformed():
    for key in ("name", "short_name", "login"):
        values = [u[key] for u in UNITS]
        assert len(values) == len(set(values)), key
    for u in UNITS:
        assert u["kind"] in UNIT_KINDS, u
        assert re.fullmatch(r"[a-z][a-z0-9_]*", u["login"]), u
        assert u["contact_person"]
        assert 1 <= len(u["emails"]) <= 2
        for e in u["emails"]:
            assert re.fullmatch(r"[a-z0-9._-]+@example\.gov\.cn", e), e
        assert re.fullmatch(r"021-\d{8}", u["phone"]), u
        assert u["parent"] is None or u["parent"] in UNITS_BY_SHORT
        assert u["parent"] != u["short_name"]


def test_required_units():
    required = {
        "青西办": ("qingxiban", "district_bureau"),
        "区科委": ("kejiwei", None),
        "区经委": ("jingwei", None),
        "区发改委": ("fagaiwei", None),
        "区财政局": ("caizhengju", None),
        "区人社局": ("rensheju", None),
        "青浦科创集团": ("kechuangjituan", "state_owned_company"),
        "金泽镇": ("jinzezhen", "town"),
        "朱家角镇": ("zhujiajiaozhen", "town"),
        "市科委": ("shikewei", "municipal_commission"),
        "普陀区科委": ("putuokewei", "other"),
    }
    for short, (login, kind) in required.items():
        unit = UNITS_BY_SHORT[short]
        assert unit["login"] == login
        if kind:
            assert unit["kind"] == kind
    assert UNITS_BY_SHORT["青西办"]["name"] == "青浦区青西协同发展专项办公室"
    assert UNITS_BY_SHORT["市科委"]["name"] == "上海市科学技术委员会"
    assert UNITS_BY_SHORT["普陀区科委"]["name"] == "上海市普陀区科学技术委员会"


def test_task_units_exist():
    for t in TASKS:
        assert t["lead"] in UNITS_BY_SHORT, t["number"]
        coop = t["cooperating"]
        assert 1 <= len(coop) <= 3
        assert len(coop) == len(set(coop))
        assert t["lead"] not in coop
        for s in coop:
            assert s in UNITS_BY_SHORT, (t["number"], s)


# ---------------------------------------------------------------------------
# task scheduling and states
# ---------------------------------------------------------------------------

def test_task_dates_and_states():
    for t in TASKS:
        n = t["number"]
        assert PLAN["period_start"] <= t["start_on"] <= t["due_on"] <= PLAN["period_end"], n
        assert t["reporting_cycle"] == "monthly"
        assert t["report_day"] == 25
        assert t["status"] in TASK_STATUSES
        assert t["status"] != "suspended"
        assert isinstance(t["progress"], int) and 0 <= t["progress"] <= 100
        if t["status"] == "completed":
            assert t["completed_on"] is not None, n
            assert t["completed_on"] <= t["due_on"], n
            assert t["progress"] == 100
        else:
            assert t["completed_on"] is None, n
            assert t["progress"] < 100
        if t["status"] == "not_started":
            assert t["progress"] == 0


def test_demo_overdue_and_completed_sets():
    overdue = {t["number"] for t in TASKS
               if t["status"] != "completed" and t["due_on"] < DEMO_DATE}
    assert overdue == {"3", "11", "12", "15"}
    completed = {t["number"] for t in TASKS if t["status"] == "completed"}
    assert completed == {"1", "2"}
    for n in completed:
        t = TASKS_BY_NUMBER[n]
        assert date(2026, 1, 1) <= t["due_on"] <= date(2026, 6, 30)
        assert t["completed_on"] < t["due_on"]
    rest = [t for t in TASKS if t["number"] not in overdue | completed]
    for t in rest:
        assert t["due_on"] in (date(2026, 9, 30), date(2026, 12, 31)), t["number"]
        assert t["status"] in ("in_progress", "not_started")
    assert sum(t["status"] == "not_started" for t in TASKS) <= 1


# ---------------------------------------------------------------------------
# demo updates
# ---------------------------------------------------------------------------

def _period_bounds(period):
    m = re.fullmatch(r"(\d{4})-(\d{2})", period)
    assert m, period
    year, month = int(m.group(1)), int(m.group(2))
    return date(year, month, 1), date(year, month, 25)


def test_updates_wellformed():
    assert 15 <= len(DEMO_UPDATES) <= 30
    for u in DEMO_UPDATES:
        task = TASKS_BY_NUMBER[u["task"]]
        unit = UNITS_BY_SHORT[u["unit"]]
        assert u["author"] == unit["login"], u
        assert u["unit"] == task["lead"] or u["unit"] in task["cooperating"], u
        first, due = _period_bounds(u["period"])
        assert first >= date(task["start_on"].year, task["start_on"].month, 1)
        assert PLAN["period_start"] <= due <= PLAN["period_end"]
        assert isinstance(u["submitted_at"], datetime)
        assert u["submitted_at"].tzinfo is None
        assert datetime.combine(first, time()) <= u["submitted_at"] <= end_of_day(due), u
        assert u["submitted_at"] <= end_of_day(DEMO_DATE)
        assert isinstance(u["percent"], int) and 0 <= u["percent"] <= 100
        assert u["progress_text"].strip() and u["next_steps"].strip()
        assert isinstance(u["problems"], str)
        assert u["review_state"] in REVIEW_STATES
        if u["review_state"] == "submitted":
            assert u["reviewed_at"] is None and u["reviewer"] is None
        else:
            assert u["reviewer"] == "coordinator"
            assert u["submitted_at"] <= u["reviewed_at"] <= end_of_day(DEMO_DATE)
        if u["review_state"] == "returned":
            assert u["review_comment"].strip(), u


def test_updates_cover_cooperating_units():
    coop = [u for u in DEMO_UPDATES if u["unit"] != TASKS_BY_NUMBER[u["task"]]["lead"]]
    assert len(coop) >= 2


def _accepted_lead_updates(task):
    ups = [u for u in DEMO_UPDATES
           if u["task"] == task["number"] and u["unit"] == task["lead"]
           and u["review_state"] == "accepted"]
    return sorted(ups, key=lambda u: (u["period"], u["submitted_at"]))


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t["number"])
def test_latest_accepted_lead_percent_is_task_progress(task):
    ups = _accepted_lead_updates(task)
    if ups:
        assert ups[-1]["percent"] == task["progress"]
        percents = [u["percent"] for u in ups]
        assert percents == sorted(percents)
    else:
        assert task["progress"] == 0
    if task["status"] == "completed":
        assert ups and ups[-1]["percent"] == 100
        assert ups[-1]["reviewed_at"].date() <= task["completed_on"]


def test_june_reporting_picture():
    june = defaultdict(set)
    for u in DEMO_UPDATES:
        task = TASKS_BY_NUMBER[u["task"]]
        if u["period"] == "2026-06" and u["unit"] == task["lead"]:
            june[u["task"]].add(u["review_state"])
    open_tasks = [t for t in TASKS if t["status"] != "completed"]
    assert len(open_tasks) == 14
    reported = {n for n, states in june.items() if states & {"accepted", "submitted"}}
    returned_only = {n for n, states in june.items() if states == {"returned"}}
    assert reported == {"4", "5", "6", "8", "9", "10", "12", "14"}
    assert returned_only == {"13"}
    # June report required: open tasks that started by the end of June
    required = {t["number"] for t in open_tasks if t["start_on"] <= date(2026, 6, 30)}
    missing = required - reported
    assert missing == {"3", "7", "11", "13", "15"}
    for n in {"1", "2"}:
        assert n not in june


# ---------------------------------------------------------------------------
# proposals
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("proposal", PROPOSALS, ids=lambda p: p["number"])
def test_proposal_matches_document(proposal):
    doc = normalize(read_doc(proposal["source_document"]))
    assert proposal["reply_doc_number"] in doc
    d = proposal["reply_date"]
    assert isinstance(d, date)
    assert f"{d.year}年{d.month}月{d.day}日" in doc
    for key in ("meeting", "number", "title", "proposers", "result_category", "publicity"):
        assert squeeze(proposal[key]) in doc, key
    assert squeeze(proposal["meeting"] + proposal["number"]) in doc
    for key in ("contact_name", "contact_phone", "contact_address"):
        if proposal[key] is not None:
            assert squeeze(proposal[key]) in doc, key
    main = UNITS_BY_SHORT[proposal["main_unit"]]
    assert main["name"] in doc
    for s in proposal["co_units"]:
        assert s in UNITS_BY_SHORT
        assert s != proposal["main_unit"]
    assert 1 <= len(proposal["commitments"]) <= 3
    assert all(c.strip() for c in proposal["commitments"])


def test_proposals_distinct():
    assert len(PROPOSALS) == 2
    assert len({p["reply_doc_number"] for p in PROPOSALS}) == 2
    assert len({p["source_document"] for p in PROPOSALS}) == 2
