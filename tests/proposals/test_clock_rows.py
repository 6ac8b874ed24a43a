"""``clock_rows`` read as plain columns (issue 25): who owes what on each kind of item (a 分办 unit that
returned the item owes no reply, a 协办 that returned it no opinion, a 协办 that has not signed no 会签, a
draft of an earlier round no 会签 after 重新办理), and the statements it runs do not grow with the items
(bench/proposal_clock.py measures the time)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import event

from tests.proposals.c2_helpers import coordinator, item, unit_id, unit_user
from tracker.extensions import db
from tracker.proposals.clock import CO_OPINION, COSIGN, REPLY, clock_rows, overdue_obligations
from tracker.proposals.cosign import cosign, send_draft
from tracker.proposals.handling import assign, return_item, sign

NOW = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)
LATE = date(2026, 6, 10)  # every deadline below is past: the replies (06-02), opinions (04-02), 会签


def rows(**kwargs) -> set[tuple]:
    return {(r.proposal.number, r.kind, r.unit.short_name, r.due_on) for r in clock_rows(LATE, **kwargs)}


def test_who_owes_what_on_split_co_and_rehandled_items(seeded):
    split = item("0601", co_units=(), assigned_on=date(2026, 3, 2))
    assign(coordinator(), split, today=date(2026, 3, 2), split_unit_ids=[unit_id("区人社局"), unit_id("区财政局")])
    return_item(unit_user("区财政局"), split, reason="不属本局职能。", today=date(2026, 3, 3), now=NOW)
    co = item("0602", co_units=("区发改委", "区财政局", "区商务委"), assigned_on=date(2026, 3, 2))
    return_item(unit_user("区商务委"), co, reason="不属本委职能。", today=date(2026, 3, 3), now=NOW)
    for unit in ("区人社局", "区发改委"):  # 区财政局 has not signed: owes its opinion, not a 会签
        sign(unit_user(unit), co, now=NOW)
    send_draft(unit_user("区人社局"), co, "答复稿", today=date(2026, 3, 24), now=NOW)  # 会签 due 03-31
    rehandled = item("0603", co_units=("区发改委",), assigned_on=date(2026, 3, 2))
    for unit in ("区人社局", "区发改委"):
        sign(unit_user(unit), rehandled, now=NOW)
    send_draft(unit_user("区人社局"), rehandled, "第一轮答复稿", today=date(2026, 3, 24), now=NOW)
    cosign(unit_user("区发改委"), rehandled, agreed=True, reason="", now=NOW)
    rehandled.rehandling_count = 1  # 重新办理: the first round's draft asks nothing any more
    db.session.commit()
    opinion_due, cosign_due, reply_due = date(2026, 4, 2), date(2026, 3, 31), date(2026, 6, 2)
    assert rows() == {
        ("第0601号", REPLY, "区人社局", reply_due),
        ("第0602号", REPLY, "区人社局", reply_due), ("第0602号", CO_OPINION, "区发改委", opinion_due),
        ("第0602号", CO_OPINION, "区财政局", opinion_due), ("第0602号", COSIGN, "区发改委", cosign_due),
        ("第0603号", REPLY, "区人社局", reply_due), ("第0603号", CO_OPINION, "区发改委", opinion_due)}
    assert rows(unit_id=unit_id("区财政局")) == {("第0602号", CO_OPINION, "区财政局", opinion_due)}
    assert {(r.proposal.number, r.kind) for r in overdue_obligations(LATE, unit_id("区发改委"))} == {
        ("第0602号", CO_OPINION), ("第0602号", COSIGN), ("第0603号", CO_OPINION)}
    assert rows(proposal_ids=[co.id]) == {r for r in rows() if r[0] == "第0602号"}


def test_the_statements_do_not_grow_with_the_items(seeded, app):
    def statements(**kwargs) -> tuple[int, int]:
        count = [0]

        def counted(*args):
            count[0] += 1

        db.session.remove()
        event.listen(db.engine, "before_cursor_execute", counted)
        try:
            found = clock_rows(LATE, **kwargs)
        finally:
            event.remove(db.engine, "before_cursor_execute", counted)
        return count[0], len(found)

    def more(first: int, count: int) -> None:
        for n in range(first, first + count):
            proposal = item(f"07{n:02d}", co_units=("区发改委", "区财政局"), assigned_on=date(2026, 3, 2))
            for unit in ("区人社局", "区发改委", "区财政局"):
                sign(unit_user(unit), proposal, now=NOW)
            send_draft(unit_user("区人社局"), proposal, "答复稿", today=date(2026, 3, 24), now=NOW)
        db.session.commit()

    more(0, 2)
    few, few_rows = statements()
    more(2, 18)
    many, many_rows = statements()
    assert many_rows == 10 * few_rows and many == few
    assert statements(unit_id=unit_id("区发改委"))[0] == few
