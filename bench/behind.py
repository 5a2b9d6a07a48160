"""The statements of the list behind a figure (compliance/indicators/reasons.py): each
one timed (median of ``--repeat``) and explained (EXPLAIN ANALYZE, BUFFERS).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/envreg_1m DEBUG=true \\
        .venv/bin/python bench/behind.py [--repeat 3] [--plans]

Not a test. In process, no web server: the page's ids for the default order (first and
a page 90 % of the way), a filter (not counted, one reason), the sorts by name, district
and reason, and ``reason_counts`` for each indicator; the machine's load beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from machine_load import uptime  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plans", action="store_true", help="print each EXPLAIN ANALYZE")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from compliance.indicators import population, rules
    from compliance.indicators.reasons import counts_statement, facility_ids
    from compliance.views.dashboard import behind_order, unit_names
    from compliance.views.listing import Sort
    from facilities.models import Sector

    today = timezone.localdate()
    code = rules.ESTABLISHMENTS_MEETING_STANDARDS
    districts, communes = unit_names()
    sectors = {s.code: s.name for s in Sector.objects.all()}
    size = population(code, today).count()
    deep = max(1, int(size * 0.9 / 50))

    def ordered(key):
        return behind_order(Sort(key, False), districts, communes, sectors)

    statements = [
        ("ids, code order, first page", facility_ids(code, today)[:50]),
        (f"ids, code order, page {deep:,}", facility_ids(code, today)[(deep - 1) * 50 : deep * 50]),
        ("ids, not counted, page 100", facility_ids(code, today, counted=False)[4950:5000]),
        (
            "ids, one reason, first page",
            facility_ids(code, today, reason="overdue_remediation")[:50],
        ),
        ("ids, by name, first page", facility_ids(code, today, order_by=ordered("name"))[:50]),
        (
            "ids, by district, first page",
            facility_ids(code, today, order_by=ordered("district"))[:50],
        ),
        ("ids, by reason, first page", facility_ids(code, today, order_by=ordered("reason"))[:50]),
    ]
    statements = [(label, *qs.query.sql_with_params()) for label, qs in statements]
    for indicator in rules.CODES:
        sql, params = counts_statement(
            indicator, today, district=None, commune=None, sector=None, queryset=None
        )
        statements.append((f"reason_counts {indicator}", sql, params))

    print(f"load before: {uptime()}")
    print(f"{size:,} facilities in the population of {code} on {today}")
    print("| statement | median | worst |\n|---|---:|---:|")
    plans = []
    with connection.cursor() as cursor:
        for label, sql, params in statements:
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                times.append((time.perf_counter() - start) * 1000)
            print(f"| {label} | {statistics.median(times):,.1f} ms | {max(times):,.1f} ms |")
            if args.plans:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plans.append((label, [row[0] for row in cursor.fetchall()]))
    print(f"load after: {uptime()}")
    for label, lines in plans:
        print(f"\n### {label}\n")
        print("\n".join(f"    {line}" for line in lines))


if __name__ == "__main__":
    main()
