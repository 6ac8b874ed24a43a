"""单位排名 ranks by 考评 once a plan has scoring rules (issue 21): the page names its basis, the on-time
rate stays a column that sorts when clicked. Read off the page's rows, on the seeded demo after the
first scheduler run (so the ladder's levels weigh in the scores)."""
from __future__ import annotations

import re
from datetime import date, datetime, time

from sqlalchemy import select

from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.reminders.jobs import run_reminders

DAY = date(2026, 6, 30)
WEIGHTS = {"on_time_report": "1", "closure_on_time": "3", "overdue_day": "0.5", "returned": "1",
           "extension": "1", "escalation": "2"}


def _rows(html: str) -> list[tuple[str, float | None, float]]:
    """(unit, on-time rate or None, score) of each row of the ranking, in page order."""
    rows = []
    for unit, cells in re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', html, re.S):
        rate = re.search(r'data-field="on_time_rate">([^<]+)</td>', cells).group(1).strip()
        score = re.search(r'data-field="score">([^<]+)</td>', cells).group(1).strip()
        rows.append((unit, None if rate == "—" else float(rate.rstrip("%")), float(score)))
    return rows


def _basis(html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r'<p[^>]*id="ranking-basis"[^>]*>(.*?)</p>', html, re.S).group(1))


def test_the_ranking_follows_the_scores_once_the_plan_has_scoring_rules(seeded, on_date, browser):
    on_date(DAY)
    run_reminders(datetime.combine(DAY, time(9, 5), BEIJING))
    plan_id = db.session.scalar(select(Plan.id).where(Plan.doc_number == "青府发〔2025〕40号"))
    leader, coordinator = browser("leader"), browser("coordinator")

    # Without scoring rules: by on-time reporting rate, and the page says so.
    html = leader.get(f"/units/scoreboard?plan_id={plan_id}").text
    rows = _rows(html)
    assert len(rows) >= 8 and "按期报送率" in _basis(html) and "未设考评规则" in _basis(html)
    rates = [-1 if rate is None else rate for _unit, rate, _score in rows]
    assert rates == sorted(rates, reverse=True)
    by_rate = [unit for unit, _rate, _score in rows]

    response = coordinator.post(f"/plans/{plan_id}/scoring", WEIGHTS, token_from=f"/plans/{plan_id}/scoring")
    assert response.status_code == 302
    for url in (f"/units/scoreboard?plan_id={plan_id}", "/units/scoreboard"):
        html = leader.get(url).text
        rows = _rows(html)
        scores = [score for _unit, _rate, score in rows]
        assert scores == sorted(scores, reverse=True), url  # best 考评 first
        assert [unit for unit, *_ in rows] != by_rate  # the order really changed
        assert "考评得分" in _basis(html) and "设有考评规则" in _basis(html)
        # 排名 1 is the best score: a unit far below zero is not second.
        assert rows[1][2] >= rows[-1][2] and all(rows[0][2] >= score for score in scores)

    # The on-time rate remains a sortable column.
    html = leader.get(f"/units/scoreboard?plan_id={plan_id}&sort=on_time_rate&dir=desc").text
    assert [unit for unit, *_ in _rows(html)] == by_rate and "按期报送率" in _basis(html)
    assert "sort=on_time_rate" in html
