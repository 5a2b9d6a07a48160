"""Benchmark of the indicators engine against the fastest hand-written SQL (not a test).

    DATABASE_URL=postgres://... .venv/bin/python manage.py seed_demo --facilities 100000
    DATABASE_URL=postgres://... .venv/bin/python bench/indicators.py [--as-of 2025-12-31] [--repeat 5]

Times, each as the median of ``--repeat`` runs after one warm-up run:

* engine, one date: ``compute_indicators`` — all three indicators, province + every
  district + every sector;
* engine, series: ``compute_series(2012, this year, include_today=True)``;
* the same series computed date by date with ``compute_indicators`` (what the series
  saves);
* hand-written SQL: province-level numerator and population of the three indicators
  for one date (PostgreSQL: DISTINCT ON + hash joins; the fastest form found);

and prints the ratios the issue sets targets for (engine/hand SQL ≤ 3, series ≤ 5 ×
one date), after checking that the hand SQL and the engine agree.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from compliance.indicators import (  # noqa: E402
    compute_indicators,
    compute_series,
    series_dates,
)
from compliance.models import Certificate, CleanTechMeasure  # noqa: E402
from compliance.selectors import assessment_window_start  # noqa: E402
from facilities.models import Facility, new_build_since  # noqa: E402
from inspections.models import Finding, Inspection  # noqa: E402
from tests.compliance.annotated import compute_indicators_annotated  # noqa: E402

HAND_SQL = """
WITH active AS (
  SELECT id, activity, operating_since FROM facilities_facility
  WHERE operating_since <= %(d)s AND (closed_on IS NULL OR closed_on > %(d)s)
),
latest AS (
  SELECT DISTINCT ON (facility_id) facility_id, visited_on, outcome
  FROM inspections_inspection
  WHERE status = 'finalized' AND visited_on <= %(d)s
  ORDER BY facility_id, visited_on DESC, id DESC
),
overdue AS (
  SELECT DISTINCT i.facility_id FROM inspections_finding f
  JOIN inspections_inspection i ON i.id = f.inspection_id
  WHERE i.status = 'finalized' AND i.visited_on <= %(d)s AND f.deadline < %(d)s
    AND (f.resolved_on IS NULL OR f.resolved_on > %(d)s)
),
measured AS (
  SELECT DISTINCT facility_id FROM compliance_cleantechmeasure
  WHERE kind IN ('clean_technology', 'pollution_control') AND installed_on <= %(d)s
    AND verified_on <= %(d)s AND (removed_on IS NULL OR removed_on > %(d)s)
),
certified AS (
  SELECT DISTINCT facility_id FROM compliance_certificate
  WHERE issued_on <= %(d)s AND (valid_until IS NULL OR valid_until >= %(d)s)
    AND (revoked_on IS NULL OR revoked_on > %(d)s)
)
SELECT
  COUNT(*),
  COUNT(*) FILTER (WHERE l.visited_on >= %(ws)s AND l.outcome <> 'non_compliant'
                     AND o.facility_id IS NULL),
  COUNT(*) FILTER (WHERE a.activity IN ('production', 'both') AND a.operating_since >= %(nb)s),
  COUNT(*) FILTER (WHERE a.activity IN ('production', 'both') AND a.operating_since >= %(nb)s
                     AND m.facility_id IS NOT NULL),
  COUNT(*) FILTER (WHERE a.activity IN ('business', 'both')),
  COUNT(*) FILTER (WHERE a.activity IN ('business', 'both') AND c.facility_id IS NOT NULL)
FROM active a
LEFT JOIN latest l ON l.facility_id = a.id
LEFT JOIN overdue o ON o.facility_id = a.id
LEFT JOIN measured m ON m.facility_id = a.id
LEFT JOIN certified c ON c.facility_id = a.id
"""


def hand_sql(as_of: datetime.date) -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            HAND_SQL,
            {"d": as_of, "ws": assessment_window_start(as_of), "nb": new_build_since()},
        )
        return tuple(cursor.fetchone())


def timed(call, repeat: int) -> tuple[float, object]:
    result = call()  # warm-up (caches, plans)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def machine() -> dict:
    mem_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    return {
        "nproc": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "cpu": platform.processor() or platform.machine(),
        "database": version,
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=datetime.date.fromisoformat)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    today = timezone.localdate()
    as_of = args.as_of or datetime.date(today.year - 1, 12, 31)
    if connection.vendor != "postgresql":
        sys.exit("bench/indicators.py measures PostgreSQL: set DATABASE_URL=postgres://...")

    # Fresh planner statistics: after a bulk load (seed_demo) autovacuum may not have
    # analysed yet, and a range join planned on stale row estimates can go quadratic.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    info = machine()
    counts = {
        model.__name__: model.objects.count()
        for model in (Facility, Inspection, Finding, Certificate, CleanTechMeasure)
    }
    print("machine:", ", ".join(f"{k}={v}" for k, v in info.items()))
    print("rows:", ", ".join(f"{k}={v}" for k, v in counts.items()))
    print(f"as_of={as_of}  repeat={args.repeat} (median after one warm-up)")

    one, report = timed(lambda: compute_indicators(as_of), args.repeat)
    annotated, _ = timed(lambda: compute_indicators_annotated(as_of), max(1, args.repeat // 2))
    hand, hand_counts = timed(lambda: hand_sql(as_of), args.repeat)
    engine_counts = tuple(x for f in report.indicators for x in (f.population, f.numerator))
    assert engine_counts == hand_counts, (engine_counts, hand_counts)
    dates = series_dates(2012, today.year, include_today=True)
    series, points = timed(
        lambda: compute_series(2012, today.year, include_today=True), args.repeat
    )
    per_date, _ = timed(lambda: [compute_indicators(d) for d in dates], max(1, args.repeat // 2))
    for point in points:
        if point.as_of == as_of:
            assert [(f.numerator, f.population) for f in point.indicators] == [
                (f.numerator, f.population) for f in report.indicators
            ]

    print()
    print(f"engine, one date, 3 indicators + all breakdowns : {one * 1000:8.0f} ms")
    print(f"ORM-annotated form (compute_indicators_annotated): {annotated * 1000:8.0f} ms")
    print(f"hand-written SQL, one date, province n+p        : {hand * 1000:8.0f} ms")
    print(f"engine series, {len(dates)} dates (one statement)       : {series * 1000:8.0f} ms")
    print(f"the same {len(dates)} dates one by one (engine)          : {per_date * 1000:8.0f} ms")
    print()
    print(f"ratio engine / hand SQL (target ≤ 3)      : {one / hand:5.2f}")
    print(f"ratio series / one date (target ≤ 5)      : {series / one:5.2f}")
    print(f"ratio per-date loop / series              : {per_date / series:5.2f}")
    for f in report.indicators:
        print(f"  {f.code:34} {f.numerator:>7}/{f.population:<7} {f.value} met={f.met}")


if __name__ == "__main__":
    main()
