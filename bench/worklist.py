"""Time the work list (``/worklist/``): the first page and a deep page, for the
administrator and for an inspector, against a hand-written SQL floor computing the same
rows, on the configured database (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/envreg_1m DEBUG=true \\
        .venv/bin/python bench/worklist.py [--as-of 2026-12-02] [--page 100] [--repeat 5]

Not a test. In-process (Django's test client, no web server). Prints, after ANALYZE
(skipped with ``--no-analyze`` on a database that must stay untouched): the median of
``--repeat`` requests of each page with its size; for each role, the median of the
selector's counts per kind (stored; and counted live) and page against the hand-written
statements (the same strategy: a COUNT per kind, then only the kinds the page falls in,
each by LIMIT/OFFSET in its own order) and a check that both give the same rows and
counts; the cost of a miss of the stored counts (the province counted per place, after
any write); the EXPLAIN ANALYZE of the selector's statements; and the machine's load (``uptime``) before
and after. The bench users are made once (they are the only rows it writes).
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

# The rows of each kind of compliance/worklist.py's KINDS (by their rank), written by
# hand from the facility standing (compliance/standing.py) and the records, with the
# predicates of docs/methodology.md spelt out: (since, object id, facility id). ``{area}``
# is a condition on the facility ``f``; a kind whose rows are not facilities joins ``f``
# only when there is one.
ACTIVE = "f.operating_since <= %(day)s AND (f.closed_on IS NULL OR f.closed_on > %(day)s)"
INSPECTION_ON = "s.aspect = 'inspection' AND s.valid_from <= %(day)s AND s.valid_to > %(day)s"
KIND_SQL = {
    1: """SELECT x.deadline AS since, x.id AS obj, i.facility_id AS facility
        FROM inspections_finding x JOIN inspections_inspection i ON i.id = x.inspection_id
        {join} WHERE i.status = 'finalized' AND i.visited_on <= %(day)s
        AND x.deadline < %(day)s AND (x.resolved_on IS NULL OR x.resolved_on > %(day)s)
        AND {area}""",
    2: """SELECT (e.submitted_at AT TIME ZONE %(tz)s)::date AS since, x.id AS obj,
        i.facility_id AS facility
        FROM inspections_remediationevidence e JOIN inspections_finding x ON x.id = e.finding_id
        JOIN inspections_inspection i ON i.id = x.inspection_id {join}
        WHERE e.status = 'submitted' AND {area}""",
    3: """SELECT (r.requested_at AT TIME ZONE %(tz)s)::date AS since, r.id AS obj,
        r.facility_id AS facility FROM inspections_reinspectionrequest r {join}
        WHERE r.status = 'pending' AND {area}""",
    4: f"""SELECT s.valid_from AS since, f.id AS obj, f.id AS facility
        FROM compliance_facilitystanding s JOIN facilities_facility f ON f.id = s.facility_id
        WHERE {INSPECTION_ON} AND s.valid_from < %(window)s AND {ACTIVE} AND {{area}}""",
    5: f"""SELECT f.operating_since AS since, f.id AS obj, f.id AS facility
        FROM facilities_facility f WHERE {ACTIVE} AND {{area}} AND NOT EXISTS (
            SELECT 1 FROM compliance_facilitystanding s
            WHERE s.facility_id = f.id AND {INSPECTION_ON})""",
    6: f"""SELECT f.operating_since AS since, f.id AS obj, f.id AS facility
        FROM facilities_facility f WHERE {ACTIVE} AND {{area}}
        AND f.activity IN ('production', 'both') AND f.operating_since >= %(baseline)s
        AND NOT EXISTS (
            SELECT 1 FROM compliance_facilitystanding s WHERE s.facility_id = f.id
            AND s.aspect = 'measure' AND s.valid_from <= %(day)s AND s.valid_to > %(day)s)""",
    7: """SELECT m.installed_on AS since, m.id AS obj, m.facility_id AS facility
        FROM compliance_cleantechmeasure m {join}
        WHERE m.verified_on IS NULL AND m.removed_on IS NULL AND {area}""",
    8: """SELECT i.visited_on AS since, i.id AS obj, i.facility_id AS facility
        FROM inspections_inspection i {join} WHERE i.status = 'draft' AND {area}""",
}
# The facility of each kind's row, for ``{join}``.
JOIN_ON = {1: "i", 2: "i", 3: "r", 7: "m", 8: "i"}
# docs/geography.md: a district's facilities are those recorded in it, and those with no
# district whose commune has it as its only former district.
IN_DISTRICTS = """(f.district_id = ANY(%(districts)s) OR (f.district_id IS NULL
    AND f.commune_id IN (SELECT commune_id FROM facilities_commune_former_districts
        GROUP BY commune_id HAVING count(*) = 1 AND max(district_id) = ANY(%(districts)s))))"""


def kind_sql(rank: int, area: str | None) -> str:
    join = (
        f"JOIN facilities_facility f ON f.id = {JOIN_ON[rank]}.facility_id"
        if area and rank in JOIN_ON
        else ""
    )
    return KIND_SQL[rank].format(join=join, area=area or "TRUE")


def floor_counts_sql(area: str | None) -> str:
    return " UNION ALL ".join(
        f"SELECT {rank}, count(*) FROM ({kind_sql(rank, area)}) k{rank}" for rank in KIND_SQL
    )


def floor_page_sql(area: str | None, counted: dict[int, int], offset: int) -> str | None:
    parts, start = [], 0
    for rank in KIND_SQL:
        low, high = max(offset - start, 0), min(offset + 50 - start, counted.get(rank, 0))
        if low < high:
            parts.append(
                f"SELECT * FROM (SELECT {rank} AS kind, * FROM ({kind_sql(rank, area)}) k"
                f" ORDER BY since, obj LIMIT {high - low} OFFSET {low}) p{rank}"
            )
        start += counted.get(rank, 0)
    return " UNION ALL ".join(parts) + " ORDER BY 1, 2, 3" if parts else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default=None, help="today's date for the list")
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--districts", default="106,109", help="the inspector's districts")
    parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE")
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
    districts = args.districts.split(",")
    users = {}
    for username, role, assigned in (
        ("bench-worklist-admin", Role.ADMIN, ()),
        ("bench-worklist-inspector", Role.INSPECTOR, districts),
    ):
        users[username] = get_user_model().objects.filter(username=username).first() or user_create(
            username=username, role=role, districts=assigned
        )
    with connection.cursor() as cursor:
        if not args.no_analyze:
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

    params = {
        "day": day,
        "window": assessment_window_start(day),
        "baseline": new_build_since(),
        "tz": settings.TIME_ZONE,
        "districts": districts,
    }

    def run(sql, sql_params=params):
        with connection.cursor() as cursor:
            cursor.execute(sql, sql_params)
            return cursor.fetchall()

    filters = worklist.Filters()
    explained = []
    for role, user, area in (
        ("administrator", users["bench-worklist-admin"], None),
        ("inspector", users["bench-worklist-inspector"], IN_DISTRICTS),
    ):
        ms_floor_counts, floor_counts = median(lambda a=area: run(floor_counts_sql(a)))
        ms_counts, counted = median(lambda u=user: worklist.counts(u, day, filters))
        ms_live, live = median(
            lambda u=user: worklist._live_counts(u, day, filters, worklist.KINDS)
        )
        same_counts = (
            dict(floor_counts) == {worklist.RANK[c]: n for c, n in counted.items()}
            and live == counted
        )
        print(
            f"{role}, counts: floor {ms_floor_counts:.1f} ms; selector stored {ms_counts:.1f} ms,"
            f" counted live {ms_live:.1f} ms; same counts: {same_counts} {counted}"
        )
        total = sum(counted.values())
        for number in (1, args.page):
            offset = min((number - 1) * worklist.PER_PAGE, max(total - 1, 0))
            statement = floor_page_sql(area, dict(floor_counts), offset)
            ms_floor, floor_rows = median(lambda s=statement: run(s) if s else [])
            ms_page, items = median(
                lambda u=user, o=offset, c=counted: worklist.page(
                    u, day, filters, offset=o, counted=c
                )
            )
            same = [tuple(row[:3]) for row in floor_rows] == [
                (worklist.RANK[i.kind.code], i.since, i.obj_id) for i in items
            ]
            print(
                f"{role}, rows {offset + 1}-{offset + len(items)}: floor {ms_floor:.1f} ms,"
                f" selector {ms_page:.1f} ms (page and its text); same rows: {same}"
            )
        explained.append((f"{role}'s counts", worklist.count_statement(user, day, filters)))
        offset = min((args.page - 1) * worklist.PER_PAGE, max(total - 1, 0))
        explained.append(
            (
                f"{role}'s rows from {offset + 1}",
                worklist.page_statement(user, day, filters, counted, offset, worklist.PER_PAGE),
            )
        )

    # After a write the generation moves on and the next page counts the province.
    ms_cells, _cells = median(lambda: worklist.stored_cells(day))
    print(f"the province's counts per place, after a write (a miss): {ms_cells:.1f} ms")
    explained.append(("province's counts per place (a miss)", worklist.cells_statement(day)))

    # An everyday write (a finding resolved) carries today's stored counts by its delta,
    # so the next page reads them: the write's time with them carried and with none
    # stored, and whether the carried counts equal the counts made live (rolled back).
    from django.db import transaction

    from compliance.models import StoredWorklistCounts
    from inspections import services as inspection_services

    admin = users["bench-worklist-admin"]

    def resolve_one(carried: bool):
        with transaction.atomic():
            worklist.counts(admin, day, filters)  # today's counts stored
            if not carried:
                StoredWorklistCounts.objects.all().delete()
            finding = worklist.KIND_BY_CODE["overdue"].due(day).order_by("deadline", "pk").first()
            started = time.perf_counter()
            inspection_services.finding_resolve(
                finding=finding, user=admin, resolved_on=day, reason="bench/worklist.py"
            )
            took = (time.perf_counter() - started) * 1000
            same = None
            if carried:
                stored = worklist.counts(admin, day, filters)
                same = stored == worklist._live_counts(admin, day, filters, worklist.KINDS)
            transaction.set_rollback(True)
        return took, same

    for carried in (True, False):
        runs = [resolve_one(carried) for _ in range(args.repeat)]
        print(
            f"a finding resolved, today's counts {'carried' if carried else 'not stored'}:"
            f" {statistics.median(ms for ms, _same in runs):.1f} ms"
            + (f"; carried counts equal live: {all(s for _ms, s in runs)}" if carried else "")
        )

    for title, statement in explained:
        if statement is None:
            continue
        sql, sql_params = statement
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", sql_params)
            print(f"\nEXPLAIN ANALYZE, the selector's {title}:")
            print("\n".join(row[0] for row in cursor.fetchall()))
    print(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
