"""Must show 4: the 考评 scores on the scoreboard (screen and Excel) match scores recomputed in this test
from the rows (reports, tasks, 延期, 办结, 督办等级, 退回, 签收) and the weights a coordinator set for the
plan on /plans/<id>/scoring (no code shared with tracker.bulletins or tracker.reports)."""
from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from tests.bulletins.loop_seed import seed_june_loop
from tests.reports.test_dashboard import OPEN, Facts, working_days_until
from tracker.audit.models import AuditEvent
from tracker.reports.models import ScoringRule
from tracker.common.clock import to_beijing
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.supervision.models import ClosureRequest, ExtensionRequest, LadderStep, Receipt
from tracker.units.models import Unit

DAY = date(2026, 7, 3)
WEIGHTS = {"on_time_report": "2", "closure_on_time": "5", "overdue_day": "0.25", "returned": "3",
           "extension": "1.5", "escalation": "4"}
COMPONENT_WEIGHT = {"on_time_reports": "on_time_report", "closures_on_time": "closure_on_time",
                    "overdue_days": "overdue_day", "returns": "returned", "extensions": "extension",
                    "levels": "escalation"}
PLUS = {"on_time_reports", "closures_on_time"}


def expected_scores() -> dict[str, dict]:
    """Per lead unit: each count from the rows, its points under the plan's weights, the total."""
    facts = Facts(DAY)
    units = {u.id: u.short_name for u in db.session.scalars(select(Unit))}
    in_scope = {t.id for t in facts.tasks}
    counts: dict[str, Counter] = {}

    def add(unit_id, component, n=1):
        counts.setdefault(units[unit_id], Counter())[component] += n

    for t in facts.tasks:
        counts.setdefault(t.lead_unit.short_name, Counter())
        for key, due in facts.periods_due(t):
            if facts.on_time(t, key, due):
                add(t.lead_unit_id, "on_time_reports")
        if t.status.value in OPEN and t.due_on < DAY:
            add(t.lead_unit_id, "overdue_days", working_days_until(t.due_on, DAY))
        add(t.lead_unit_id, "returns", sum(u.review_state.value == "returned" for u in facts.lead_updates[t.id]))
    for e in db.session.scalars(select(ExtensionRequest)):
        if e.state.value == "approved" and e.task_id in in_scope:
            add(e.unit_id, "extensions")
            add(e.unit_id, "extensions_shown")
    for s in db.session.scalars(select(LadderStep)):
        if s.task_id in in_scope:
            add(s.lead_unit_id, "levels")
    for c in db.session.scalars(select(ClosureRequest)):
        if c.state.value == "verified" and c.task_id in in_scope and to_beijing(c.decided_at).date() <= c.due_on:
            add(c.unit_id, "closures_on_time")
    for r in db.session.scalars(select(Receipt)):
        if r.state.value == "pending" and r.sign_by < DAY and r.task_id in in_scope:
            add(r.unit_id, "unsigned")
    result = {}
    for unit, row in counts.items():
        points = {c: (1 if c in PLUS else -1) * float(WEIGHTS[w]) * row[c] for c, w in COMPONENT_WEIGHT.items()}
        result[unit] = {"counts": {c: row[c] for c in COMPONENT_WEIGHT}, "points": points,
                        "total": round(sum(points.values()), 2), "unsigned": row["unsigned"],
                        "extensions": row["extensions_shown"]}
    return result


def test_scores_on_the_scoreboard_and_in_excel_match_the_rows(seeded, on_date, browser):
    on_date(DAY)
    seed_june_loop()
    plan_id = db.session.scalar(select(Plan.id).where(Plan.short_name == "西岑园"))
    assert db.session.scalar(select(Plan.id).where(Plan.status == "active", Plan.id != plan_id)) is None, \
        "the seed has one active plan: every task is scored with the weights set here"
    coordinator = browser("coordinator")
    assert browser("leader").get(f"/plans/{plan_id}/scoring").status_code == 403
    page = coordinator.get(f"/plans/{plan_id}/scoring").text
    assert 'value="0.5"' in page  # the default weight of an overdue working day
    refused = coordinator.post(f"/plans/{plan_id}/scoring", {**WEIGHTS, "returned": "-1"},
                               token_from=f"/plans/{plan_id}/scoring")
    assert refused.status_code == 400 and "0至100" in refused.text
    assert db.session.scalar(select(ScoringRule)) is None
    response = coordinator.post(f"/plans/{plan_id}/scoring", WEIGHTS, token_from=f"/plans/{plan_id}/scoring")
    assert response.status_code == 302
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "scoring_rules")) == "scoring.saved"

    expected = expected_scores()
    # The story the rows tell, so that the comparison below cannot pass on zeros.
    assert expected["区科委"]["counts"]["levels"] == 5 and expected["区科委"]["counts"]["closures_on_time"] == 1
    assert expected["区经委"]["counts"]["extensions"] == 1 and expected["区发改委"]["unsigned"] == 1
    assert expected["青浦科创集团"]["counts"]["closures_on_time"] == 0  # task 3 was closed late
    assert expected["区人社局"]["counts"]["overdue_days"] > 0 and expected["区人社局"]["unsigned"] == 0

    html = browser("leader").get("/units/scoreboard?sort=score").text
    board = dict(re.findall(r'<tr data-unit="([^"]+)">.*?data-field="score">([^<]+)</td>', html, re.S))
    assert board == {unit: f"{row['total']:.2f}" for unit, row in expected.items()}
    shown_order = re.findall(r'<tr data-unit="([^"]+)">', html)
    assert [float(board[u]) for u in shown_order] == sorted((float(v) for v in board.values()), reverse=True)
    for unit, row in expected.items():
        line = re.search(rf'<tr data-unit="{unit}">(.*?)</tr>', html, re.S).group(1)
        assert re.search(r'data-field="unsigned">(?:<span[^>]*>)?(\d+)', line).group(1) == str(row["unsigned"])
        assert re.search(r'data-field="extensions">(\d+)', line).group(1) == str(row["extensions"])
        breakdown = re.search(rf'<tr data-score-unit="{unit}">(.*?)</tr>', html, re.S).group(1)
        cells = dict((c, (int(n), float(p))) for c, n, p in re.findall(
            r'data-component="(\w+)" data-count="(\d+)" data-points="([-\d.]+)"', breakdown))
        assert cells == {c: (row["counts"][c], round(row["points"][c], 2)) for c in COMPONENT_WEIGHT}

    workbook = load_workbook(io.BytesIO(browser("leader").get("/units/scoreboard.xlsx?sort=score").data))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[3]]
    rows = {r[1]: dict(zip(headers, r)) for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert [r[1] for r in sheet.iter_rows(min_row=4, values_only=True)] == shown_order
    for unit, row in expected.items():
        assert rows[unit]["考评得分"] == row["total"]
        assert (rows[unit]["未签收"], rows[unit]["延期"]) == (row["unsigned"], row["extensions"])
        assert rows[unit]["逾期工作日（次数）"] == row["counts"]["overdue_days"]
        assert rows[unit]["逾期工作日（得分）"] == row["points"]["overdue_days"]
        assert rows[unit]["督办升级（次数）"] == row["counts"]["levels"]
        assert rows[unit]["按期报送（得分）"] == row["points"]["on_time_reports"]
