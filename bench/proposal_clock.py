#!/usr/bin/env python
"""The clock of proposal handling (tracker/proposals/clock.py ``clock_rows``) on N open items.

    python bench/proposal_clock.py [--items 2000] [--repeat 15] [--database-url URL]

Builds a throw-away database (by default a SQLite file in a temporary folder; with ``--database-url`` the
database given, whose tables it DROPS and creates again): the demo seed, then ``--items`` open items
交办 between February and June 2026 (as of 2026-06-29, the benches' today), each to a 主办 with 0-3 协办
units (one in ten 分办 to 2-3 units instead), most receipts signed, half the 协办意见 sent, a draft sent for
会签 on two items in five with about half of its 会签 in. Then it times, ``--repeat`` times each:

- ``clock_rows(today)``: every deadline due within 10 working days or overdue (the coordinators' 工作台,
  /proposals/deadlines, the reminder scan's step ``proposal_clock`` with its own window);
- ``clock_rows(today, unit_id=…)``: one busy unit's (a unit's 工作台);
- ``overdue_obligations(today)``: the overdue list's 协办意见 and 会签;

and prints p50 and p95 of each, with the SQL statements one call runs and the rows it returns. It never
fails on a slow figure."""
from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TODAY = date(2026, 6, 29)  # bench/generate.py's AS_OF: a Monday


def build(items: int, seed: int = 42) -> None:
    """The demo seed and ``items`` open items with their receipts, opinions, drafts and 会签 (Core inserts)."""
    from sqlalchemy import func, insert, select

    from seeds.demo import load_demo
    from tracker.extensions import db
    from tracker.proposals.models import (CoOpinion, Cosign, CosignDraft, Proposal, ProposalReceipt, ProposalState,
                                          ReceiptRole, proposal_co_units)
    from tracker.proposals.services import add_months
    from tracker.units.models import Unit

    load_demo(flow_items=False)
    db.session.commit()
    rng = random.Random(seed)
    units = list(db.session.scalars(select(Unit.id).order_by(Unit.id)))
    first_id = (db.session.scalar(select(func.max(Proposal.id))) or 0) + 1  # the seed has items of its own
    first_draft = (db.session.scalar(select(func.max(CosignDraft.id))) or 0) + 1
    start, days = date(2026, 2, 2), (date(2026, 6, 25) - date(2026, 2, 2)).days
    signed_at = datetime(2026, 2, 1, 2, 0, tzinfo=timezone.utc)
    proposals, co_links, receipts, opinions, drafts, cosigns = [], [], [], [], [], []
    for n in range(first_id, first_id + items):
        assigned = start + timedelta(days=rng.randrange(days))
        chosen = rng.sample(units, 4)
        split = rng.random() < 0.1
        roles = ([(unit, ReceiptRole.split) for unit in chosen[:rng.choice((2, 3))]] if split else
                 [(chosen[0], ReceiptRole.main)] + [(unit, ReceiptRole.co) for unit in chosen[1:1 + rng.randrange(4)]])
        proposals.append(dict(id=n, meeting="市政协十四届五次会议（基准）", number=f"第{n:05d}号", title=f"关于第{n}项工作的提案",
                              main_unit_id=roles[0][0], assigned_on=assigned, reply_due_on=add_months(assigned, 3),
                              state=rng.choice((ProposalState.assigned, ProposalState.replying))))
        co_links += [dict(proposal_id=n, unit_id=unit) for unit, _role in roles[1:]]
        signed_co = []
        for unit, role in roles:
            signed = rng.random() < 0.9
            receipts.append(dict(proposal_id=n, unit_id=unit, role=role, assigned_on=assigned,
                                 sign_due_on=assigned + timedelta(days=14), signed_at=signed_at if signed else None))
            if role == ReceiptRole.co:
                if signed:
                    signed_co.append(unit)
                if rng.random() < 0.5:
                    opinions.append(dict(proposal_id=n, unit_id=unit, text="协办意见", sent_at=signed_at))
        if signed_co and rng.random() < 0.4:
            sent = min(assigned + timedelta(days=30 + rng.randrange(40)), TODAY)
            drafts.append(dict(id=first_draft + len(drafts), proposal_id=n, round=1, text="答复稿", sent_on=sent,
                               due_on=sent + timedelta(days=7), sent_at=signed_at))
            cosigns += [dict(draft_id=drafts[-1]["id"], unit_id=unit, agreed=True, reason="", signed_at=signed_at)
                        for unit in signed_co if rng.random() < 0.5]
    for model, rows in ((Proposal, proposals), (proposal_co_units, co_links), (ProposalReceipt, receipts),
                        (CoOpinion, opinions), (CosignDraft, drafts), (Cosign, cosigns)):
        table = getattr(model, "__table__", model)
        for first in range(0, len(rows), 5000):
            db.session.execute(insert(table), rows[first:first + 5000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # ids given explicitly: move the sequences past them
        from sqlalchemy import text

        for table in ("proposals", "proposal_cosign_drafts"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
        db.session.execute(text("ANALYZE"))
        db.session.commit()


class Statements:
    """Counts the SQL statements the engine runs meanwhile."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _count(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)


def measure(label: str, call, repeat: int) -> None:
    from tracker.extensions import db

    times = []
    for _ in range(repeat):
        db.session.remove()  # each call on a fresh session, as each request and scan has
        with Statements(db.engine) as statements:
            began = time.perf_counter()
            rows = call()
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{label:<44} p50 {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms   "
          f"{statements.count:3d} statements   {len(rows):5d} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{folder.name}/proposal-clock.db"

    from sqlalchemy import func, select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.proposals.clock import clock_rows, overdue_obligations
    from tracker.proposals.models import ProposalReceipt

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TODAY": TODAY.isoformat(), "SCHEDULER_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        began = time.perf_counter()
        build(args.items)
        busiest = db.session.execute(select(ProposalReceipt.unit_id, func.count()).group_by(ProposalReceipt.unit_id)
                                     .order_by(func.count().desc()).limit(1)).one()
        print(f"{db.engine.dialect.name}: {args.items} open items built in {time.perf_counter() - began:.1f} s; "
              f"as of {TODAY}; busiest unit {busiest[0]} on {busiest[1]} items")
        db.session.remove()
        gc.collect()
        gc.freeze()  # as wsgi.py does once the app is loaded: the collector walks only what calls leave behind
        measure("clock_rows(today)", lambda: clock_rows(TODAY), args.repeat)
        measure(f"clock_rows(today, unit_id={busiest[0]})", lambda: clock_rows(TODAY, unit_id=busiest[0]), args.repeat)
        measure("overdue_obligations(today)", lambda: overdue_obligations(TODAY), args.repeat)
        db.session.remove()
        if args.database_url:
            db.drop_all()
    folder.cleanup()


if __name__ == "__main__":
    main()
