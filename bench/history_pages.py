"""Time the change-log reader: the first page and page 400 (by cursor), on N history rows.

Run on a throw-away database (it migrates and loads N facilities with history):

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/history_pages.py 42000
"""

import datetime
import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from compliance.history import HistoryFilters, history_page  # noqa: E402
from facilities.choices import Role  # noqa: E402
from facilities.history import bulk_create_with_reason  # noqa: E402
from facilities.models import District, Enterprise, Facility, Sector  # noqa: E402
from facilities.services import user_create  # noqa: E402
from tests.factories import valid_tax_code  # noqa: E402


def best_of(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(rows: int) -> None:
    call_command("migrate", verbosity=0)
    auditor = user_create(username="bench-auditor", role=Role.AUDITOR)
    enterprise = Enterprise.objects.create(name="E", tax_code=valid_tax_code(77))
    district, sector = District.objects.first(), Sector.objects.first()
    facilities = [
        Facility(
            code=f"B{i}",
            name=f"F{i}",
            enterprise=enterprise,
            activity="production",
            district=district,
            sector=sector,
            operating_since=datetime.date(2015, 1, 1),
        )
        for i in range(rows)
    ]
    bulk_create_with_reason(Facility, facilities, user=auditor, reason="bench")
    everything = HistoryFilters()
    first = best_of(lambda: history_page(auditor, everything, limit=50))
    page, cursor = history_page(auditor, everything, limit=50), None
    for _ in range(min(399, rows // 50 - 1)):
        cursor = page.next_cursor
        page = history_page(auditor, everything, limit=50, after=cursor)
    deep = best_of(lambda: history_page(auditor, everything, limit=50, after=cursor))
    print(
        f"{connection.vendor}: {rows} history rows; first page {first * 1000:.0f} ms;"
        f" page 400 by cursor {deep * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 42000)
