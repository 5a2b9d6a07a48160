"""The plans behind bench/pages.py (not a test): every page and endpoint of the national
scale targets is requested once in-process, its statements are captured, and the slowest
of them are run again under ``EXPLAIN ANALYZE``; the table says, for each page, how many
statements it ran, the slowest one's time, and every sequential scan of a large table in
those plans (the target: every statement of these pages uses an index plan, or reads a
table small enough that a scan is the right plan).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/envreg_1m DEBUG=true \\
        .venv/bin/python bench/page_plans.py [--top 2] [--only "work list"]

Read-only apart from the demo logins' sessions (in-process logins write no session row).
"Large" is over ``--large`` rows by the planner's estimate (``pg_class.reltuples``).
The pages and their paths are bench/pages.py's (same deep pages, same arbitrary date).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from machine_load import uptime  # noqa: E402
from pages import PAGES, page_path  # noqa: E402

SCAN = re.compile(r"(Parallel )?Seq Scan on (\w+)")
ROLE_USERS = {
    "admin": "quantri",
    "inspector": "kiemtra",
    "business": "doanhnghiep",
    "auditor": "thamtra",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=2, help="plans printed per page")
    parser.add_argument("--large", type=int, default=10_000, help="rows that make a table large")
    parser.add_argument("--date", default="2019-07-15", help="the arbitrary as-of date")
    parser.add_argument("--only", help="the pages whose label contains this text")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from compliance.indicators.engine import population
    from compliance.indicators.rules import ESTABLISHMENTS_MEETING_STANDARDS
    from facilities.access import facilities_for
    from facilities.models import Facility

    if connection.vendor != "postgresql":
        raise SystemExit("bench/page_plans.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
        sizes = {name: rows for name, rows in cursor.fetchall()}
    users = get_user_model().objects
    clients, facility_of = {}, {}
    for role, username in ROLE_USERS.items():
        user = users.get(username=username)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        clients[role] = client
        visible = facilities_for(user).order_by("pk").values_list("pk", flat=True)
        facility_of[role] = visible[min(visible.count() // 2, 10_000)]
    facilities = Facility.objects.count()
    figure_rows = population(ESTABLISHMENTS_MEETING_STANDARDS, timezone.localdate()).count()
    print(f"load before: {uptime()}")
    print(f"{facilities:,} facilities; large tables: over {args.large:,} rows")
    summary = []
    for role, label, template in PAGES:
        if args.only and args.only not in label:
            continue
        path = page_path(template, facilities, figure_rows, facility_of[role], args.date)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = clients[role].get(path)
            took = time.perf_counter() - started
        # Reads only (EXPLAIN ANALYZE runs the statement): SELECT, and WITH … SELECT.
        selects = [
            q for q in captured.captured_queries if q["sql"].lstrip().startswith(("SELECT", "WITH"))
        ]
        slowest = sorted(selects, key=lambda q: float(q["time"]), reverse=True)[: args.top]
        print(f"\n=== {label} ({path}): HTTP {response.status_code}, {took * 1000:,.0f} ms,")
        print(f"    {len(captured.captured_queries)} statements")
        scans: set[str] = set()
        for query in slowest:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN ANALYZE {query['sql']}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            found = {
                m.group(2) for m in SCAN.finditer(plan) if sizes.get(m.group(2), 0) > args.large
            }
            scans |= found
            print(f"\n--- {float(query['time']) * 1000:,.1f} ms: {query['sql'][:300]}…\n{plan}")
        summary.append(
            (
                label,
                len(captured.captured_queries),
                float(slowest[0]["time"]) * 1000 if slowest else 0.0,
                ", ".join(sorted(scans)) or "none",
            )
        )
    print("\n| page | statements | slowest | sequential scans of large tables |")
    print("|---|---:|---:|---|")
    for label, count, slowest_ms, scans in summary:
        print(f"| {label} | {count} | {slowest_ms:,.0f} ms | {scans} |")
    print(f"\nload after: {uptime()}")


if __name__ == "__main__":
    main()
