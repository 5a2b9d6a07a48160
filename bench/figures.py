"""Benchmark of the stored figures (not a test): the dashboard's and the indicators API's
data read from stored cells against computing them, and what keeping them costs a write
(docs/architecture.md, "The standing"; docs/performance.md, "Stored figures").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/envreg_1m DEBUG=true \\
        .venv/bin/python bench/figures.py [--repeat 5] [--misses 1]

Everything runs in ONE transaction that is rolled back at the end, so it may be run on a
shared read-only database: the stored rows it makes, the writes it times and the partial
indexes of the unit gaps (created inside the transaction if the database has not been
migrated to them) all vanish. Times are medians of ``--repeat`` runs after one warm-up,
except the misses (``--misses`` runs each: a miss of the whole series costs tens of
seconds at 1,000,000 facilities), in-process (Django's test client, no web server):

* today's figures with every breakdown and the series (2012 → last year, and today):
  computed (``compute_indicators``, ``compute_series`` — the path before the cells), read
  from the stored cells (a hit), after today's row is gone (a new day: one date
  computed), after the generation is forgotten (a bulk load: every date computed);
* the unit gaps: the aggregate over every facility against one count a gap from its
  partial index, with their EXPLAIN;
* /dashboard/ and /api/v1/indicators/: a hit, and just after an everyday write (carried);
* writes (median of a change and its undo): a certificate revoked, a facility's sector
  changed — without the hooks, with the figures carried, with them forgotten.

Checks on the way that what is read equals what is computed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.signals import post_save, pre_save  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from indicators import machine  # noqa: E402  (bench/indicators.py)
from machine_load import uptime  # noqa: E402

from compliance import standing  # noqa: E402
from compliance.indicators import compute_indicators, compute_series  # noqa: E402
from compliance.indicators.stored import (  # noqa: E402
    stored_indicators,
    stored_series,
)
from compliance.models import Certificate, StoredCell, StoredFigures  # noqa: E402
from compliance.views.dashboard import unit_gaps  # noqa: E402
from facilities.choices import UnitGap  # noqa: E402
from facilities.history import change_context  # noqa: E402
from facilities.models import Facility, Sector, unit_gap_q  # noqa: E402
from facilities.roles import Role  # noqa: E402
from facilities.services import user_create  # noqa: E402


class Rollback(Exception):
    pass


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


def clocked(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def median(call, repeat: int) -> float:
    """The median of ``call()``'s own answer (the seconds it measured), after a warm-up."""
    call()
    return statistics.median(call() for _ in range(repeat))


def timed(call, repeat: int) -> float:
    return median(lambda: clocked(call), repeat)


def ensure_schema() -> list[str]:
    """The stored cells' table and the partial indexes of the unit gaps, created (inside
    the transaction) if the database predates them."""
    with connection.cursor() as cursor:
        existing = {
            index
            for index, *_ in connection.introspection.get_constraints(
                cursor, Facility._meta.db_table
            ).items()
        }
    made = []
    with connection.schema_editor() as editor:
        if StoredCell._meta.db_table not in connection.introspection.table_names():
            editor.create_model(StoredCell)
            made.append(StoredCell._meta.db_table)
        for index in Facility._meta.indexes:
            if index.name.startswith("facility_gap_") and index.name not in existing:
                editor.add_index(Facility, index)
                made.append(index.name)
    if made:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Facility._meta.db_table}")
    return made


def explain(queryset) -> str:
    return queryset.explain(analyze=True)


def run(args) -> None:
    today = timezone.localdate()
    to_year = today.year - 1
    print("machine:", ", ".join(f"{k}={v}" for k, v in machine().items()))
    print(f"load before: {uptime()}")
    print(f"rows: Facility={Facility.objects.count()}  repeat={args.repeat}  misses={args.misses}")
    made = ensure_schema()
    print(f"tables and indexes made for this run: {made or 'none (migrated)'}")

    def computed_report():
        return compute_indicators(today)

    def computed_series():
        return compute_series(2012, to_year, include_today=True)

    def stored_report():
        return stored_indicators(today)

    def series():
        return stored_series(2012, to_year, include_today=True)

    def new_day():  # today's row gone, as on the first view of a day
        StoredFigures.objects.filter(as_of=today).delete()
        return clocked(stored_report)

    def forgotten():  # as after a bulk load
        standing.forget_figures()
        return clocked(series)

    print("\ntoday's figures (every unit and sector) and the series:")
    computed_one = timed(computed_report, 1)
    computed_all = timed(computed_series, 1)
    missed_all = statistics.median(forgotten() for _ in range(args.misses))
    missed_today = statistics.median(new_day() for _ in range(args.misses))
    hit_one = timed(stored_report, args.repeat)
    hit_all = timed(series, args.repeat)
    assert stored_report().to_dict() == computed_report().to_dict()
    assert [p.to_dict() for p in series()] == [p.to_dict() for p in computed_series()]
    print(f"  stored: {StoredFigures.objects.count()} dates, {StoredCell.objects.count()} cells")
    print(f"  {'':40} {'today':>12} {'series':>12}")
    print(f"  {'computed (before the cells)':40} {ms(computed_one)} {ms(computed_all)}")
    print(f"  {'stored cells (a hit)':40} {ms(hit_one)} {ms(hit_all)}")
    print(f"  {'a new day (today computed)':40} {ms(missed_today)}")
    print(f"  {'forgotten (every date computed)':40} {'':>12} {ms(missed_all)}")

    print("\nthe unit gaps (every facility visible):")
    everyone = Facility.objects.all()
    aggregate = everyone.aggregate
    old = timed(
        lambda: aggregate(**{g: Count("pk", filter=unit_gap_q(g)) for g in UnitGap.values}),
        args.repeat,
    )
    admin = get_user_model().objects.filter(username="bench-figures").first() or user_create(
        username="bench-figures", role=Role.ADMIN
    )
    new = timed(lambda: unit_gaps(admin), args.repeat)
    counts = {row["gap"]: row["count"] for row in unit_gaps(admin)}
    old_counts = aggregate(**{g: Count("pk", filter=unit_gap_q(g)) for g in UnitGap.values})
    assert counts == old_counts, (counts, old_counts)
    print(f"  one aggregate over every facility  {ms(old)}")
    print(f"  one count a gap (partial indexes)  {ms(new)}   {counts}")
    for gap in UnitGap.values:
        print(f"  EXPLAIN {gap}:")
        counted = everyone.filter(unit_gap_q(gap)).order_by().values("pk")
        for line in explain(counted).splitlines():
            print(f"    {line}")

    print("\nthe pages (in-process):")
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(admin)
    certificate = Certificate.objects.filter(revoked_on__isnull=True).order_by("pk").first()
    facility = Facility.objects.filter(operating_since__isnull=False).order_by("pk").first()
    sectors = list(Sector.objects.exclude(pk=facility.sector_id).values_list("pk", flat=True))

    def revoke(on: bool):
        certificate.revoked_on = certificate.issued_on if on else None
        certificate.revocation_reason = "thử" if on else ""
        with change_context(reason="bench"), transaction.atomic():
            certificate.save()

    original_sector = facility.sector_id

    def move(on: bool):
        facility.sector_id = sectors[0] if on else original_sector
        with change_context(reason="bench"), transaction.atomic():
            facility.save()

    def toggle(write):
        def both():
            write(True)
            write(False)

        return both

    for label, path in (("dashboard", "/dashboard/"), ("api indicators", "/api/v1/indicators/")):

        def get(path=path):
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            return response

        size = len(get().content)
        hit = timed(get, args.repeat)

        def after(write, get=get):
            def run_once():
                write()
                return clocked(get)

            return run_once

        carried = median(after(toggle(revoke)), args.repeat)
        carried_facility = median(after(toggle(move)), args.repeat)
        print(
            f"  {label:16} hit {ms(hit)}   after a certificate write {ms(carried)}"
            f"   after a facility's sector changed {ms(carried_facility)}   {size} bytes"
        )
    assert stored_report().to_dict() == computed_report().to_dict()

    print("\nwrites (median of a change and its undo, each its own savepoint):")
    series()
    stored_report()

    @contextlib.contextmanager
    def without(*hooks):
        """Those (signal, model, receiver, dispatch_uid) disconnected meanwhile."""
        for signal, model, _receiver, uid in hooks:
            signal.disconnect(sender=model, dispatch_uid=uid)
        try:
            yield
        finally:
            for signal, model, receiver, uid in hooks:
                signal.connect(receiver, sender=model, dispatch_uid=uid)

    certificate_saved = (post_save, Certificate, standing._saved, "standing_saved_Certificate")
    facility_saving = (
        pre_save,
        Facility,
        standing._facility_saving,
        "standing_facility_saving",
    )
    facility_saved = (post_save, Facility, standing._saved, "standing_saved_Facility")

    @contextlib.contextmanager
    def forgetting_records():  # the path past DELTA_LIMIT (and before the deltas)
        limit, standing.DELTA_LIMIT = standing.DELTA_LIMIT, 0
        try:
            yield
        finally:
            standing.DELTA_LIMIT = limit

    results = {}
    for label, write, bare_hooks, forgetting in (
        ("certificate revoked", revoke, [certificate_saved], forgetting_records()),
        # Without the pre_save hook a facility's save forgets (as before the cells).
        ("facility's sector", move, [facility_saving, facility_saved], without(facility_saving)),
    ):
        with without(*bare_hooks):
            bare = timed(toggle(write), args.repeat) / 2
        series()
        carried = timed(toggle(write), args.repeat) / 2
        with forgetting:
            forgot = timed(toggle(write), args.repeat) / 2
        results[label] = (bare, carried, forgot)
    print(f"  {'':22} {'no hooks':>12} {'carried':>12} {'forgotten':>12}")
    for label, (bare, carried, forgot) in results.items():
        print(f"  {label:22} {ms(bare)} {ms(carried)} {ms(forgot)}")
    assert [p.to_dict() for p in series()] == [p.to_dict() for p in computed_series()]
    print(f"\nload after: {uptime()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--misses", type=int, default=1)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/figures.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    try:
        with transaction.atomic():
            run(args)
            raise Rollback
    except Rollback:
        print("(rolled back: the database is as it was)")


if __name__ == "__main__":
    main()
