"""每周汇总 at city scale: the coordinators' weekly digest shows the lead units and action groups with
the most overdue items, each linked to the overdue list filtered to it, and adds up the rest in one line
instead of listing 2,000 units."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import select

from tracker.common.workdays import BEIJING
from tracker.extensions import db
from tracker.outbox.models import Notification
from tracker.reminders.scan import run_scan
from tracker.overdue.queries import overdue_refs
from tracker.units.models import Unit

MONDAY = datetime(2026, 6, 29, 9, 30, tzinfo=BEIJING)


def _weekly_digest_text() -> str:
    texts = db.session.scalars(select(Notification.body_text).where(Notification.kind == "weekly_digest",
                                                                     Notification.recipient_email != ""))
    texts = list(texts)
    assert texts and len(set(texts)) == 1  # every coordinator gets the same digest
    return texts[0]


@pytest.mark.parametrize("lines", [2, 20])
def test_the_weekly_digest_lists_the_worst_units_and_adds_up_the_rest(seeded, on_date, app, monkeypatch, lines):
    monkeypatch.setitem(app.config, "WEEKLY_DIGEST_LINES", lines)
    on_date(MONDAY.date())
    per_unit = Counter(row.lead_unit_id for row in overdue_refs(MONDAY.date()))
    per_group = Counter((row.plan_id, row.group_id) for row in overdue_refs(MONDAY.date()))
    assert len(per_unit) > 2 and len(per_group) > 2  # the seed has enough to cut

    run_scan(MONDAY)
    db.session.commit()
    text = _weekly_digest_text()
    ranked = sorted(per_unit.items(), key=lambda item: (-item[1], db.session.get(Unit, item[0]).short_name))
    shown = ranked[:lines]
    for unit_id, count in shown:
        unit = db.session.get(Unit, unit_id)
        assert f"- {unit.short_name}：{count}  http://127.0.0.1:5000/overdue?unit_id={unit_id}\n" in text
    assert text.count("/overdue?unit_id=") == len(shown)
    assert text.count("/overdue?plan_id=") == min(lines, len(per_group))
    if lines < len(per_unit):
        rest = sum(count for _unit, count in ranked[lines:])
        assert f"其余{len(per_unit) - lines}个单位共{rest}项" in text
        assert "其余" in text.split("按行动")[1]  # the action groups are cut as well
    else:
        assert "其余" not in text
    assert f"逾期事项共{sum(per_unit.values())}项" in text
