"""Benchmark of the stored figures carried by every small write (not a test): the
dashboard just after a write, and what carrying costs the write (docs/architecture.md,
"The standing").

    DATABASE_URL=postgres://... .venv/bin/python manage.py seed_demo --facilities 20000
    DATABASE_URL=postgres://... DEBUG=true .venv/bin/python bench/figures.py [--repeat 7]

In-process (Django's test client, no web server), each the median of ``--repeat`` runs
after one warm-up, with the series stored for the province and every district:

* the dashboard page (/dashboard/) and its series alone: a hit; just after a write of one
  certificate (carried by its delta: still a hit); after the generation is forgotten (a
  miss, as every write was before the deltas);
* a certificate save (revoked, then not — the records end as they began): without the
  standing hooks, with the standing and the figures carried, and with the standing and
  the figures forgotten (``DELTA_LIMIT = 0``, the path before the deltas).

Checks on the way that the carried series equal a computation from scratch. Writes
commit (each save its own transaction, as a page makes it) and leave history rows of
the toggles behind: run it on a bench database.
"""

from __future__ import annotations

import argparse
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
from django.db import connection  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from indicators import machine  # noqa: E402  (bench/indicators.py)
from machine_load import uptime  # noqa: E402

from compliance import standing  # noqa: E402
from compliance.indicators import compute_series  # noqa: E402
from compliance.indicators.stored import stored_series  # noqa: E402
from compliance.models import Certificate, StoredFigures  # noqa: E402
from facilities.history import change_context  # noqa: E402
from facilities.models import Facility  # noqa: E402
from facilities.roles import Role  # noqa: E402
from facilities.services import user_create  # noqa: E402


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def median(call, repeat: int) -> float:
    """The median of ``call()``'s own answer (the seconds it measured), after a warm-up."""
    call()
    return statistics.median(call() for _ in range(repeat))


def clocked(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/figures.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    settings.ALLOWED_HOSTS = ["*"]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print("machine:", ", ".join(f"{k}={v}" for k, v in machine().items()))
    print(f"load before: {uptime()}")
    print(f"rows: Facility={Facility.objects.count()}  repeat={args.repeat}")
    admin = get_user_model().objects.filter(username="bench-figures").first() or user_create(
        username="bench-figures", role=Role.ADMIN
    )
    client = Client()
    client.force_login(admin)
    to_year = timezone.localdate().year - 1
    districts = sorted(
        {d for d in Facility.objects.values_list("district_id", flat=True).distinct() if d}
    )
    scopes = [{}] + [{"district": district} for district in districts]

    def store_all():
        for scope in scopes:
            stored_series(2012, to_year, include_today=True, **scope)

    def page():
        response = client.get("/dashboard/")
        assert response.status_code == 200, response.status_code

    def series():
        stored_series(2012, to_year, include_today=True)

    certificate = Certificate.objects.filter(revoked_on__isnull=True).order_by("pk").first()

    def revoke(on: bool):
        certificate.revoked_on = certificate.issued_on if on else None
        certificate.revocation_reason = "thử" if on else ""
        with change_context(reason="bench"):
            certificate.save()

    def toggle():  # two writes; the records end as they began
        revoke(True)
        revoke(False)

    store_all()
    print(f"stored figures: {StoredFigures.objects.count()} rows ({len(scopes)} scopes)")

    print("\nthe dashboard:")
    hit_page = median(lambda: clocked(page), args.repeat)
    hit_series = median(lambda: clocked(series), args.repeat)

    def after_write(read):
        def run():
            toggle()
            return clocked(read)

        return run

    carried_page = median(after_write(page), args.repeat)
    carried_series = median(after_write(series), args.repeat)

    def after_forget(read):
        def run():
            standing.forget_figures()
            return clocked(read)

        return run

    missed_page = median(after_forget(page), args.repeat)
    missed_series = median(after_forget(series), args.repeat)
    print(f"{'':34} {'page':>11} {'series':>11}")
    print(f"  {'stored (a hit)':32} {ms(hit_page)} {ms(hit_series)}")
    print(f"  {'just after a write (carried)':32} {ms(carried_page)} {ms(carried_series)}")
    print(f"  {'after forgetting (a miss)':32} {ms(missed_page)} {ms(missed_series)}")

    print("\na certificate save (median of a revoke and its undo):")
    store_all()
    post_save.disconnect(sender=Certificate, dispatch_uid="standing_saved_Certificate")
    try:
        bare = median(lambda: clocked(toggle), args.repeat) / 2
    finally:
        post_save.connect(
            standing._saved, sender=Certificate, dispatch_uid="standing_saved_Certificate"
        )
    store_all()
    carried = median(lambda: clocked(toggle), args.repeat) / 2
    for scope in scopes[:2]:
        got = [p.to_dict() for p in stored_series(2012, to_year, include_today=True, **scope)]
        expected = [p.to_dict() for p in compute_series(2012, to_year, include_today=True, **scope)]
        assert got == expected, scope
    limit = standing.DELTA_LIMIT
    standing.DELTA_LIMIT = 0
    try:
        forgot = median(lambda: clocked(toggle), args.repeat) / 2
    finally:
        standing.DELTA_LIMIT = limit
    print(f"  without the standing hooks             {ms(bare)}")
    print(f"  standing + figures carried (delta)     {ms(carried)}  (+{ms(carried - bare)})")
    print(f"  standing + figures forgotten (before)  {ms(forgot)}  (+{ms(forgot - bare)})")
    store_all()
    print(f"\nload after: {uptime()}")


if __name__ == "__main__":
    main()
