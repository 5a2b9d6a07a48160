"""EXPLAIN ANALYZE of the search behind ``?q=`` on PostgreSQL: is the pg_trgm index used?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/envreg_scale DEBUG=true \\
        .venv/bin/python manage.py seed_demo --facilities 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/envreg_scale DEBUG=true \\
        .venv/bin/python bench/explain.py [--q "tam duong"]

Not a test. Runs ANALYZE, then prints, for each statement, the plan with actual times
(default planner settings, nothing disabled), whether the trigram index appears in it,
the time the statement took, and the machine's load (``uptime``):

* the count and the first page of the facility list (``/api/v1/facilities/?q=`` and the
  registry page: the list's access scope and FilterSet, each facility's standing);
* the same search on bare facilities, and the enterprise list's search.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from machine_load import uptime  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--q", default="thao qua", help="the search text (?q=)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from compliance.filtersets import FacilityStatusFilterSet
    from compliance.selectors import facility_list
    from facilities.filtersets import EnterpriseFilterSet, FacilityFilterSet
    from facilities.models import Enterprise, Facility
    from facilities.services import user_create

    if connection.vendor != "postgresql":
        raise SystemExit("bench/explain.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT version()")
        print(cursor.fetchone()[0])
    from django.contrib.auth import get_user_model

    from facilities.choices import Role

    admin = get_user_model().objects.filter(username="bench-explain").first() or user_create(
        username="bench-explain", role=Role.ADMIN
    )
    query = {"q": args.q}
    listed = FacilityStatusFilterSet(
        query, queryset=facility_list(admin, timezone.localdate())
    ).qs.order_by("code")
    statements = {
        "facility list ?q= — count": listed.order_by(),
        "facility list ?q= — first page (50)": listed[:50],
        "facilities ?q= (search alone)": FacilityFilterSet(
            query, queryset=Facility.objects.all()
        ).qs,
        "enterprise list ?q=": EnterpriseFilterSet(query, queryset=Enterprise.objects.all()).qs,
    }
    print(f"{Facility.objects.count()} facilities, {Enterprise.objects.count()} enterprises")
    print(f"q={args.q!r}; load: {uptime()}")
    for title, qs in statements.items():
        if title.endswith("count"):
            started = time.perf_counter()
            rows = qs.count()
        else:
            started = time.perf_counter()
            rows = len(list(qs))
        took = time.perf_counter() - started
        # count() leaves out the standing it does not filter on: its plan is this one's
        plan = (qs.values("pk") if title.endswith("count") else qs).explain(analyze=True)
        used = [name for name in ("facility_search_trgm", "enterprise_search_trgm") if name in plan]
        print(f"\n=== {title}: {rows} rows in {took * 1000:.1f} ms; trigram index: {used or 'NO'}")
        print(plan)
    print(f"\nload after: {uptime()}")


if __name__ == "__main__":
    main()
