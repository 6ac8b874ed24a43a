#!/usr/bin/env python
"""Search latency (/search?q=) on a generated data set (bench/generate.py).

    python bench/search.py --database-url URL [--requests 20] [--explain]

Logs in through the Flask test client (no network) as the coordinator (searches every task of the
city) and as the unit with the most tasks, and asks for page 1 of the results of a mix of queries:
long terms the trigram indexes narrow (数字化转型, 营商环境改革), 2-character Chinese terms they cannot
(算力, 科创, 芯片), a unit's name, a task number, two terms, a term found nowhere, and the same as
the unit. Prints median and p95 per query and the p95 of all coordinator requests next to the target
(100 ms on PostgreSQL); with ``--explain`` also the plan PostgreSQL chooses for each query.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import AS_OF  # noqa: E402
from bench.pages import app_config, load_average, percentile, pick_targets, test_client_login  # noqa: E402

TARGET_P95_MS = 100.0
QUERIES = ["数字化转型", "营商环境改革", "科技创新平台", "算力", "科创", "芯片", "数据局", "12", "推进 营商环境",
           "不存在的词语", "AI"]
UNIT_QUERIES = ["推进", "数字化转型", "科创"]


def explain(app, login: str, query: str) -> str:
    from sqlalchemy import select, text

    from tracker.auth.models import User
    from tracker.extensions import db
    from tracker.search.queries import parse_query, search_ids

    with app.test_request_context("/search"):
        user = db.session.scalar(select(User).where(User.login == login))
        statement = search_ids(user, parse_query(query)).limit(50)
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        rows = db.session.execute(text(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {compiled}")).all()
        db.session.remove()
    return "\n".join("      " + row[0] for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per query (default 20)")
    parser.add_argument("--today", default=AS_OF.isoformat())
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plan of each query")
    args = parser.parse_args(argv)

    from tracker import create_app

    app = create_app(app_config(args.database_url, args.today))
    gc.freeze()
    targets = pick_targets(app, has_dashboard=False, only=set())
    print(f"database {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}; today {args.today}; "
          f"{args.requests} requests per query; load average {load_average()}")
    print(f"unit: {targets.unit_note}")
    clients = {"coordinator": test_client_login(app, targets.coordinator),
               "unit": test_client_login(app, targets.unit_login)}
    logins = {"coordinator": targets.coordinator, "unit": targets.unit_login}
    everything: list[float] = []
    print(f"\n{'query':<22} {'who':<12} {'results':>8} {'median ms':>10} {'p95 ms':>8}")
    for who, queries in (("coordinator", QUERIES), ("unit", UNIT_QUERIES)):
        for query in queries:
            client = clients[who]
            for _ in range(2):  # warm-up
                response = client.get("/search", query_string={"q": query})
                if response.status_code != 200:
                    raise SystemExit(f"/search?q={query} answered {response.status_code}")
            marker = response.text.split('class="text-muted search-summary">', 1)[-1].split("<", 1)[0]
            samples = []
            for _ in range(args.requests):
                started = time.perf_counter()
                client.get("/search", query_string={"q": query})
                samples.append(time.perf_counter() - started)
            if who == "coordinator":
                everything += samples
            print(f"{query:<22} {who:<12} {marker.split('：')[-1]:>8} {statistics.median(samples) * 1000:>10.1f} "
                  f"{percentile(samples, 0.95) * 1000:>8.1f}", flush=True)
            if args.explain and app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
                print(explain(app, logins[who], query))
    p95 = percentile(everything, 0.95) * 1000
    verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
    print(f"\nsearch p95 (all coordinator queries, {len(everything)} requests): {p95:.1f} ms "
          f"(target < {TARGET_P95_MS:.0f} ms: {verdict}); load average {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
