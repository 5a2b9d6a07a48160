"""Benchmark: export N facilities vs a bare XlsxWriter constant_memory loop, same rows.

    DEBUG=true .venv/bin/python bench/excel_export.py [--rows 100000] [--repeat 3]

The database is seeded once (through the history-keeping bulk helper); then each phase
runs in a fresh process on a copy of it:

* ``export`` — compliance.excel.export.write_facilities over facility_export_queryset:
               the list's access scope and FilterSet, each facility's standing today,
               typed and formula-safe cells, date styles, streamed to a temporary file;
* ``bare``   — the same queryset's values_list (same columns), each row written as is
               (``ws.write_row``) by XlsxWriter in constant_memory mode to a temporary
               file: the fastest bare writer measured, the floor of the export;
* ``openpyxl`` (with ``--openpyxl``) — the same rows appended to an openpyxl write-only
               workbook: the writer the export used before, for comparison.

It prints the ratio export/bare, each phase's peak memory, and the machine's load
(``uptime``) before and after: the machine is shared, read the ratio with the load.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from excel_common import WORK, best_of, machine, setup_django, timed  # noqa: E402
from machine_load import uptime  # noqa: E402


def seed(rows: int) -> None:
    from facilities.history import bulk_create_with_reason, change_context, system_user
    from facilities.models import Enterprise, Facility
    from tests.factories import valid_tax_code

    user = system_user()
    with change_context(user=user, reason="benchmark seed"):
        enterprises = bulk_create_with_reason(
            Enterprise,
            [
                Enterprise(tax_code=valid_tax_code(200_000 + i), name=f"Công ty {i}")
                for i in range(rows // 10)
            ],
        )
        districts = [str(c) for c in range(105, 113)]
        sectors = ["mining", "hydropower", "manufacturing", "trade_services", "livestock"]
        batch = []
        for i in range(rows):
            batch.append(
                Facility(
                    code=f"EX-{i:06d}",
                    name=f"Cơ sở sản xuất số {i} — Bản Nà Tăm",
                    enterprise=enterprises[i // 10],
                    activity=["production", "business", "both"][i % 3],
                    sector_id=sectors[i % len(sectors)],
                    district_id=districts[i % len(districts)],
                    address=f"Bản {i % 97}, xã Bình Lư",
                    operating_since=datetime.date(2010 + i % 10, 1 + i % 12, 1 + i % 28),
                )
            )
            if len(batch) == 10_000:
                bulk_create_with_reason(Facility, batch)
                batch = []
        if batch:
            bulk_create_with_reason(Facility, batch)


def phase(name: str, db: Path) -> dict:
    setup_django(db)
    from xlsxwriter import Workbook

    from compliance.excel.export import (
        _facility_columns,
        facility_export_queryset,
        write_facilities,
    )
    from facilities.choices import Role
    from facilities.services import user_create

    admin = user_create(username="bench-admin", role=Role.ADMIN)
    queryset, as_of = facility_export_queryset(admin, {})

    def export():
        with tempfile.TemporaryFile() as target:
            write_facilities(queryset, as_of=as_of, target=target)
            return {"bytes": target.seek(0, 2)}

    def bare():
        paths = [p for p, _c in _facility_columns()]
        with tempfile.TemporaryFile() as target:
            wb = Workbook(target, {"constant_memory": True})
            ws = wb.add_worksheet("Facilities")
            ws.write_row(0, 0, [c.header for _p, c in _facility_columns()])
            rows = queryset.values_list(*paths).iterator(chunk_size=2000)
            for n, row in enumerate(rows, start=1):
                ws.write_row(n, 0, row)
            wb.close()
            return {"bytes": target.seek(0, 2)}

    def openpyxl_bare():
        from openpyxl import Workbook as OpenpyxlWorkbook

        paths = [p for p, _c in _facility_columns()]
        wb = OpenpyxlWorkbook(write_only=True)
        ws = wb.create_sheet("Facilities")
        ws.append([c.header for _p, c in _facility_columns()])
        for row in queryset.values_list(*paths).iterator(chunk_size=2000):
            ws.append(row)
        with tempfile.TemporaryFile() as target:
            wb.save(target)
            return {"bytes": target.seek(0, 2)}

    return timed({"export": export, "bare": bare, "openpyxl": openpyxl_bare}[name])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--openpyxl", action="store_true", help="also time openpyxl")
    parser.add_argument("--phase")
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.db))))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    template = WORK / f"export-{args.rows}.sqlite3"
    if not template.exists():
        partial = WORK / "export-seeding.sqlite3"
        partial.unlink(missing_ok=True)
        setup_django(partial)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        seed(args.rows)
        connection.close()
        partial.rename(template)
    load_before = uptime()
    phases = ["bare", "export", *(["openpyxl"] if args.openpyxl else [])]
    results = best_of(Path(__file__), phases, template, args.repeat)
    bare = results["bare"]["seconds"]
    print(f"machine: {machine()}")
    print(f"load before: {load_before}")
    print(f"load after:  {uptime()}")
    print(f"{args.rows} facilities; workbook {results['export']['bytes'] / 1e6:.1f} MB")
    for name, r in results.items():
        print(
            f"{name:8s} {r['seconds']:7.2f} s  ×{r['seconds'] / bare:4.2f} of bare  "
            f"CPU {r['min_cpu_seconds']:6.2f} s  "
            f"peak RSS {r['peak_rss_mb']:6.1f} MB (process at start {r['rss_before_mb']} MB)"
            f"  runs {r['all_seconds']} s"
        )
    ratio = results["export"]["seconds"] / bare
    cpu = results["export"]["min_cpu_seconds"] / results["bare"]["min_cpu_seconds"]
    print(f"ratio export/bare (best of {args.repeat}): wall {ratio:.2f}, CPU {cpu:.2f}")


if __name__ == "__main__":
    main()
