"""Time the work list (``/worklist/``): the first page and a deep page, for the
administrator and for an inspector, against a hand-written SQL floor computing the same
rows, on the configured database (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/envreg_scale DEBUG=true \\
        .venv/bin/python manage.py seed_demo --facilities 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/envreg_scale DEBUG=true \\
        .venv/bin/python bench/worklist.py [--as-of 2025-12-31] [--page 100] [--repeat 5]

Not a test. In-process (Django's test client, no web server). Prints, after ANALYZE:
the median of ``--repeat`` requests of each page with its size; the median of the
hand-written statement (counts per kind and the same page, one statement each) and a
check that it returns the rows the page shows; EXPLAIN ANALYZE of the selector's count
and page statements; and the machine's load (``uptime``) before and after.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

from machine_load import uptime  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# The same rows as compliance/worklist.py's KINDS, written by hand: each part mirrors
# one predicate (inspections/predicates.py overdue_on, finalized_on; facilities
# active_on; compliance measure_in_place_on). Kind numbers are KINDS' order.
FLOOR = """
WITH visits AS (
    SELECT facility_id, visited_on FROM inspections_inspection
    WHERE status = 'finalized' AND visited_on <= %(day)s
), active AS (
    SELECT id, operating_since, activity FROM facilities_facility
    WHERE operating_since <= %(day)s AND (closed_on IS NULL OR closed_on > %(day)s)
), due AS (
    SELECT 1 AS kind, x.deadline AS since, x.id AS obj, i.facility_id AS facility
    FROM inspections_finding x JOIN inspections_inspection i ON i.id = x.inspection_id
    WHERE i.status = 'finalized' AND i.visited_on <= %(day)s AND x.deadline < %(day)s
      AND (x.resolved_on IS NULL OR x.resolved_on > %(day)s)
  UNION ALL
    SELECT 2, latest.visited_on, a.id, a.id
    FROM active a JOIN (
        SELECT facility_id, max(visited_on) AS visited_on FROM visits GROUP BY facility_id
    ) latest ON latest.facility_id = a.id
    WHERE latest.visited_on < %(window)s
  UNION ALL
    SELECT 3, a.operating_since, a.id, a.id FROM active a
    WHERE NOT EXISTS (SELECT 1 FROM visits v WHERE v.facility_id = a.id)
  UNION ALL
    SELECT 4, a.operating_since, a.id, a.id FROM active a
    WHERE a.activity IN ('production', 'both') AND a.operating_since >= %(baseline)s
      AND NOT EXISTS (
        SELECT 1 FROM compliance_cleantechmeasure m
        WHERE m.facility_id = a.id
          AND m.kind IN ('clean_technology', 'pollution_control')
          AND m.installed_on <= %(day)s AND m.verified_on <= %(day)s
          AND (m.removed_on IS NULL OR m.removed_on > %(day)s))
  UNION ALL
    SELECT 5, installed_on, id, facility_id FROM compliance_cleantechmeasure
    WHERE verified_on IS NULL AND removed_on IS NULL
  UNION ALL
    SELECT 6, visited_on, id, facility_id FROM inspections_inspection WHERE status = 'draft'
)
"""
FLOOR_COUNTS = FLOOR + "SELECT kind, count(*) FROM due GROUP BY kind ORDER BY kind"
FLOOR_PAGE = FLOOR + "SELECT * FROM due ORDER BY kind, since, obj LIMIT 50 OFFSET %(offset)s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default=None, help="today's date for the list")
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--districts", default="106,109", help="the inspector's districts")
    args = parser.parse_args()

    import django

    django.setup()
    from unittest import mock

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from compliance import worklist
    from compliance.selectors import assessment_window_start
    from facilities.choices import Role
    from facilities.models import Facility, new_build_since
    from facilities.services import user_create

    if connection.vendor != "postgresql":
        raise SystemExit("bench/worklist.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    setup_test_environment()  # responses keep their template context (page counts)
    settings.ALLOWED_HOSTS = ["*"]
    day = datetime.date.fromisoformat(args.as_of) if args.as_of else datetime.date.today()
    users = {}
    for username, role, districts in (
        ("bench-worklist-admin", Role.ADMIN, ()),
        ("bench-worklist-inspector", Role.INSPECTOR, args.districts.split(",")),
    ):
        users[username] = get_user_model().objects.filter(username=username).first() or user_create(
            username=username, role=role, districts=districts
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT version()")
        print(cursor.fetchone()[0])
    print(f"{Facility.objects.count()} facilities; list as of {day}")

    def median(fn):
        times = []
        result = None
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000, result

    print(f"load before: {uptime()}")
    # The page reads today from timezone.localdate(); pin it to --as-of.
    with mock.patch("compliance.views.worklist.timezone.localdate", return_value=day):
        for username, user in users.items():
            client = Client()
            client.force_login(user)
            client.get("/worklist/")  # warm
            for number in (1, args.page):
                ms, response = median(lambda n=number, c=client: c.get(f"/worklist/?page={n}"))
                page_obj = response.context["page_obj"]
                print(
                    f"{username} page {page_obj.number} of {page_obj.paginator.num_pages}"
                    f" ({page_obj.paginator.count} rows): {ms:.1f} ms,"
                    f" {len(response.content)} bytes"
                )

    admin = users["bench-worklist-admin"]
    params = {
        "day": day,
        "window": assessment_window_start(day),
        "baseline": new_build_since(),
        "offset": 0,
    }

    def floor(sql, offset):
        with connection.cursor() as cursor:
            cursor.execute(sql, {**params, "offset": offset})
            return cursor.fetchall()

    for number in (1, args.page):
        offset = (number - 1) * worklist.PER_PAGE
        ms_counts, floor_counts = median(lambda: floor(FLOOR_COUNTS, 0))
        ms_page, floor_rows = median(lambda o=offset: floor(FLOOR_PAGE, o))
        ms_selector_counts, counts = median(lambda: worklist.counts(admin, day, worklist.Filters()))
        ms_selector_page, items = median(
            lambda o=offset: worklist.page(admin, day, worklist.Filters(), offset=o)
        )
        same = [(k, s, o) for k, s, o, _f in floor_rows] == [
            (worklist.RANK[i.kind.code], i.since, i.obj_id) for i in items
        ]
        same_counts = dict(floor_counts) == {
            worklist.RANK[code]: n for code, n in counts.items() if n
        }
        print(
            f"administrator, rows of page {number}: floor {ms_counts:.1f} ms counts +"
            f" {ms_page:.1f} ms page; selector {ms_selector_counts:.1f} ms counts +"
            f" {ms_selector_page:.1f} ms page and details;"
            f" same rows: {same}, same counts: {same_counts}"
        )

    filters = worklist.Filters()
    union = worklist._union([worklist._narrow_part(k, admin, day, filters) for k in worklist.KINDS])
    ordered = union.order_by(*worklist.NARROW[:3])[(args.page - 1) * 50 : args.page * 50]
    sql, sql_params = ordered.query.get_compiler(using=ordered.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", sql_params)
        print(f"\nEXPLAIN ANALYZE, the selector's page {args.page}:")
        print("\n".join(row[0] for row in cursor.fetchall()))
    print(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
