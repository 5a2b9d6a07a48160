"""Benchmark of the facility standing (not a test): what reading it saves, what keeping it
costs (docs/architecture.md, "The standing").

    DATABASE_URL=postgres://... .venv/bin/python manage.py seed_demo --facilities 20000
    DATABASE_URL=postgres://... .venv/bin/python bench/standing.py [--dates 5] [--repeat 5]

Times, each the median of ``--repeat`` runs after one warm-up run:

* the three indicators on arbitrary dates, province totals only: from the standing
  (``counts_on_dates``), from the records (the same statement shape reading inspections,
  findings, certificates and measures), and the hand-written SQL floor of
  bench/indicators.py;
* one date with every breakdown (``compute_indicators``), standing and records;
* the dashboard's series: stored figures (a hit), after they are forgotten (a miss, as
  after a facility's own write or a bulk load: computed from the standing and stored),
  and from the records — bench/figures.py times the series just after an everyday write
  (carried: still a hit);
* a deep page of the facility list (page 300 by code): ids first then the standing of
  the 50 rows, against annotating every row and slicing;
* the write overhead: a certificate saved (revoked, then not) with and without the
  standing hooks, and ``refresh`` of one facility alone — in a transaction rolled back.

Then EXPLAIN (ANALYZE, BUFFERS) of the one-date statement read from the standing.
Checks on the way that the standing, the records and the hand SQL agree.

``--rebuild`` times instead what keeping the standing in bulk costs, the set-based SQL
(compliance/standing_bulk.py) against the Python reference (``compute``), each in a
transaction rolled back: ``rebuild()`` of everything, ``differences()`` (check_standing),
the refresh of one seed_demo chunk (5,000 facilities, every aspect) and of the few
facilities of an everyday write (1 and 100: the path that may stay in Python); it checks
that both give the same rows.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402
from django.utils import timezone  # noqa: E402
from indicators import hand_sql, machine, timed  # noqa: E402  (bench/indicators.py)

from compliance import standing  # noqa: E402
from compliance.indicators import compute_indicators, compute_series  # noqa: E402
from compliance.indicators.series import counts_by_unit, counts_on_dates, standing_sql  # noqa: E402
from compliance.indicators.stored import stored_series  # noqa: E402
from compliance.models import Certificate, FacilityStanding  # noqa: E402
from compliance.selectors import facilities_with_status, page_rows  # noqa: E402
from facilities.history import change_context  # noqa: E402
from facilities.models import Facility  # noqa: E402


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def rolled_back(function):
    """``function()`` in a transaction rolled back: (seconds, its result)."""
    with transaction.atomic():
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed, result


def bulk(repeat: int) -> None:
    """The bulk paths of the standing: SQL against the Python reference (``--rebuild``)."""
    print("machine:", ", ".join(f"{k}={v}" for k, v in machine().items()))
    facilities = Facility.objects.count()
    print(f"rows: Facility={facilities} FacilityStanding={FacilityStanding.objects.count()}")
    reference = set(
        FacilityStanding.objects.values_list(
            "facility_id", "aspect", "value", "valid_from", "valid_to"
        )
    )
    in_sql, missing = rolled_back(standing.differences)
    in_python, missing_py = rolled_back(lambda: standing.differences(python=True))
    assert missing == missing_py == (set(), set()), "the standing is not current"
    print(f"\ncheck_standing (differences):  SQL {ms(in_sql)}   Python {ms(in_python)}")

    def rebuilt(python):
        written = standing.rebuild(python=python)
        rows = set(
            FacilityStanding.objects.values_list(
                "facility_id", "aspect", "value", "valid_from", "valid_to"
            )
        )
        assert rows == reference and written == len(rows)
        return written

    in_sql, written = rolled_back(lambda: rebuilt(False))
    in_python, _ = rolled_back(lambda: rebuilt(True))
    print(f"rebuild_standing ({written} rows):  SQL {ms(in_sql)}   Python {ms(in_python)}")

    ids = list(Facility.objects.order_by("pk").values_list("pk", flat=True))
    chunk = ids[len(ids) // 2 : len(ids) // 2 + 5000]
    print("\nrefresh (delete and insert the rows; figures not touched), median of", repeat)
    for label, some in (("a seed_demo chunk", chunk), ("100 facilities", chunk[:100])):
        for how, replace in (("SQL", standing._replace_in_sql), ("Python", standing._replace)):
            times = [
                rolled_back(lambda some=some, replace=replace: replace(some, standing.ASPECTS))[0]
                for _ in range(repeat)
            ]
            print(f"  {label:>18} ({len(some):>5}) {how:>6} {ms(statistics.median(times))}")
    for how, replace in (("SQL", standing._replace_in_sql), ("Python", standing._replace)):
        times = []
        for fid in random.Random(7).sample(ids, repeat * 4):
            times.append(rolled_back(lambda fid=fid, r=replace: r([fid], standing.ASPECTS))[0])
        print(f"  {'one facility':>18} ({1:>5}) {how:>6} {ms(statistics.median(times))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", type=int, default=5, help="arbitrary dates to time")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1498)
    parser.add_argument("--rebuild", action="store_true", help="time the bulk paths instead")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/standing.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    if args.rebuild:
        bulk(args.repeat)
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    today = timezone.localdate()
    rng = random.Random(args.seed)
    dates = [today] + [
        datetime.date(2013, 1, 1)
        + datetime.timedelta(days=rng.randrange(0, (today.year - 2013) * 365))
        for _ in range(args.dates - 1)
    ]
    print("machine:", ", ".join(f"{k}={v}" for k, v in machine().items()))
    print(
        f"rows: Facility={Facility.objects.count()}"
        f" FacilityStanding={FacilityStanding.objects.count()}"
        f"  repeat={args.repeat} (median after one warm-up)"
    )
    missing, extra = standing.differences()
    assert not missing and not extra, "the standing is not current: run rebuild_standing"

    print("\nthe three indicators, province totals, one date at a time:")
    print(f"{'date':>12} {'standing':>11} {'records':>11} {'hand SQL':>11} {'st/hand':>8}")
    ratios = []
    for day in dates:
        from_standing, counts = timed(lambda day=day: counts_on_dates([day]), args.repeat)
        from_records, record_counts = timed(
            lambda day=day: counts_on_dates([day], source="records"), args.repeat
        )
        floor, hand_counts = timed(lambda day=day: hand_sql(day), args.repeat)
        assert counts[day] == record_counts[day] == tuple(hand_counts), (day, counts, hand_counts)
        ratios.append(from_standing / floor)
        print(
            f"{day.isoformat():>12} {ms(from_standing)} {ms(from_records)} {ms(floor)}"
            f" {from_standing / floor:8.2f}"
        )
    print(f"median ratio standing / hand SQL floor: {statistics.median(ratios):.2f}")

    day = dates[1] if len(dates) > 1 else today
    one, report = timed(lambda: compute_indicators(day), args.repeat)
    records_cells, cells = timed(lambda: counts_by_unit(day, source="records"), args.repeat)
    print(
        f"\none date with every breakdown ({day}): standing {ms(one)}, records {ms(records_cells)}"
    )

    print("\nthe dashboard's series (2012 → last year, and today):")
    to_year = today.year - 1
    hit, points = timed(lambda: stored_series(2012, to_year, include_today=True), args.repeat)

    def miss():
        standing.forget_figures()
        return stored_series(2012, to_year, include_today=True)

    missed, _ = timed(miss, args.repeat)
    records_series, _ = timed(
        lambda: counts_on_dates([p.as_of for p in points], source="records"), args.repeat
    )
    computed = compute_series(2012, to_year, include_today=True)
    assert [p.to_dict() for p in points] == [p.to_dict() for p in computed]
    print(f"  stored (hit)                     {ms(hit)}")
    print(f"  forgotten (miss, from standing)  {ms(missed)}")
    print(f"  from the records                 {ms(records_series)}")

    print("\na deep page of the facility list (page 300, 50 rows, by code):")
    offset = min(299 * 50, max(0, Facility.objects.count() - 50))
    ordered = Facility.objects.order_by("code", "pk")

    def ids_first():
        ids = list(ordered.values_list("pk", flat=True)[offset : offset + 50])
        return [f.pk for f in page_rows(ids, today, Facility.objects.all())]

    def every_row():
        return [f.pk for f in facilities_with_status(ordered, today)[offset : offset + 50]]

    new_page, new_rows = timed(ids_first, args.repeat)
    old_page, old_rows = timed(every_row, args.repeat)
    assert new_rows == old_rows
    print(f"  ids first, standing of the page  {ms(new_page)}")
    print(f"  every row annotated, sliced      {ms(old_page)}")

    print("\nthe write overhead (rolled back):")
    certificate = Certificate.objects.filter(revoked_on__isnull=True).order_by("pk").first()

    def toggle():
        certificate.revoked_on = certificate.issued_on
        certificate.revocation_reason = "thử"
        certificate.save()
        certificate.revoked_on = None
        certificate.revocation_reason = ""
        certificate.save()

    with transaction.atomic(), change_context(reason="bench"):
        with_hooks, _ = timed(toggle, args.repeat)
        post_save.disconnect(sender=Certificate, dispatch_uid="standing_saved_Certificate")
        try:
            without_hooks, _ = timed(toggle, args.repeat)
        finally:
            post_save.connect(
                standing._saved, sender=Certificate, dispatch_uid="standing_saved_Certificate"
            )
        one_refresh, _ = timed(lambda: standing.refresh([certificate.facility_id]), args.repeat)
        transaction.set_rollback(True)
    print(f"  a certificate save, with the standing   {ms(with_hooks / 2)}")
    print(f"  a certificate save, without it          {ms(without_hooks / 2)}")
    print(f"  overhead per write                      {ms((with_hooks - without_hooks) / 2)}")
    print(f"  refresh of one facility, every aspect   {ms(one_refresh)}")

    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of one date ({day}) from the standing, by unit:")
    sql, params = standing_sql([day], district=None, sector=None, by_unit=True)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        for (line,) in cursor.fetchall():
            print("  " + line)
    for f in report.indicators:
        print(f"  {f.code:34} {f.numerator:>7}/{f.population:<7} {f.value}")
    del cells


if __name__ == "__main__":
    main()
