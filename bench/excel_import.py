"""Benchmark: import N facilities (dry run, commit) vs the floor: a bare openpyxl read +
bulk insert with history.

    DEBUG=true .venv/bin/python bench/excel_import.py [--rows 10000] [--repeat 3]

Each phase runs in a fresh process on a copy of the same migrated SQLite database:

* ``dry_run``   — import_workbook(commit=False): safety checks, parse, validate, plan;
* ``commit``    — import_workbook(commit=True): the same plus one transaction of bulk
                  inserts with a history row per object;
* ``floor``     — openpyxl read-only over the same file, model objects built from the
                  values, ``bulk_create_with_history`` of enterprises and facilities
                  (no validation; a history row with user and reason per object, as
                  every write here must have): the floor the commit stands on.

It prints the ratios to the floor and the machine's load (``uptime``) before and after.
Profile one phase with ``--profile`` (pyinstrument, if installed) to see the gap.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from excel_common import WORK, best_of, machine, setup_django, timed  # noqa: E402
from machine_load import uptime  # noqa: E402

ENTERPRISES_PER = 5  # facilities per enterprise


def build_file(rows: int) -> bytes:
    from openpyxl import Workbook

    from tests.excel.workbooks import headers
    from tests.factories import valid_tax_code

    wb = Workbook(write_only=True)
    ent = wb.create_sheet("Enterprises")
    ent.append(headers("Enterprises"))
    n_ent = rows // ENTERPRISES_PER
    taxes = [valid_tax_code(100_000 + i) for i in range(n_ent)]
    for i, tax in enumerate(taxes):
        ent.append([tax, f"Công ty TNHH Thử nghiệm {i}", "Lai Châu", "Nguyễn Văn An", "", ""])
    fac = wb.create_sheet("Facilities")
    fac.append(headers("Facilities"))
    districts = [str(c) for c in range(105, 113)]
    sectors = ["mining", "hydropower", "manufacturing", "trade_services", "livestock"]
    for i in range(rows):
        fac.append(
            [
                f"BM-{i:06d}",
                f"Cơ sở sản xuất số {i}",
                taxes[i // ENTERPRISES_PER],
                ["production", "business", "both"][i % 3],
                sectors[i % len(sectors)],
                districts[i % len(districts)],
                f"Bản {i % 97}",
                22.0 + (i % 100) / 100,
                103.0 + (i % 100) / 100,
                datetime.date(2010 + i % 10, 1 + i % 12, 1 + i % 28),
                None,
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def phase(name: str, db: Path, data_path: Path, profile: bool = False) -> dict:
    setup_django(db)
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
        result = _phase(name, data_path)
        profiler.stop()
        (WORK / f"profile-{name}.txt").write_text(profiler.output_text(show_all=False))
        return result
    return _phase(name, data_path)


def _phase(name: str, data_path: Path) -> dict:
    from compliance.excel.importer import import_workbook
    from facilities.history import system_user

    data = data_path.read_bytes()
    user = system_user()

    if name in ("dry_run", "commit"):

        def run():
            report = import_workbook(
                data=data, file_name="bench.xlsx", user=user, commit=name == "commit"
            )
            assert report.valid, report.errors[:3]
            return {"created": report.to_dict()["created"]}

        return timed(run)

    def floor():
        from django.db import transaction

        with transaction.atomic():  # as the commit: one transaction
            return _floor()

    def _floor():
        from openpyxl import load_workbook
        from simple_history.utils import bulk_create_with_history

        from facilities.models import Enterprise, Facility

        wb = load_workbook(io.BytesIO(data), read_only=True)
        enterprises = {}
        for row in wb["Enterprises"].iter_rows(min_row=2, values_only=True):
            enterprises[row[0]] = Enterprise(
                tax_code=row[0], name=row[1], address=row[2] or "", representative=row[3] or ""
            )
        bulk_create_with_history(
            list(enterprises.values()),
            Enterprise,
            batch_size=2000,
            default_user=user,
            default_change_reason="benchmark floor",
        )
        facilities = []
        for r in wb["Facilities"].iter_rows(min_row=2, values_only=True):
            facilities.append(
                Facility(
                    code=r[0],
                    name=r[1],
                    enterprise=enterprises[r[2]],
                    activity=r[3],
                    sector_id=r[4],
                    district_id=r[5],
                    address=r[6] or "",
                    latitude=round(r[7], 6),
                    longitude=round(r[8], 6),
                    operating_since=r[9].date(),
                    closed_on=None,
                )
            )
        bulk_create_with_history(
            facilities,
            Facility,
            batch_size=2000,
            default_user=user,
            default_change_reason="benchmark floor",
        )
        wb.close()
        return {"created": {"Enterprises": len(enterprises), "Facilities": len(facilities)}}

    return timed(floor)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase")
    parser.add_argument("--db")
    parser.add_argument(
        "--profile", action="store_true", help="with --phase: write WORK/profile-<phase>.txt"
    )
    args = parser.parse_args()
    data_path = WORK / f"import-{args.rows}.xlsx"
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.db), data_path, args.profile)))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    template = WORK / "import-template.sqlite3"
    template.unlink(missing_ok=True)
    setup_django(template)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    connection.close()
    data_path.write_bytes(build_file(args.rows))
    load_before = uptime()
    results = best_of(
        Path(__file__),
        ["floor", "dry_run", "commit"],
        template,
        args.repeat,
        "--rows",
        str(args.rows),
    )
    floor = results["floor"]["seconds"]
    print(f"machine: {machine()}")
    print(f"load before: {load_before}")
    print(f"load after:  {uptime()}")
    print(
        f"file: {data_path.stat().st_size / 1e6:.1f} MB, {args.rows} facilities, "
        f"{args.rows // ENTERPRISES_PER} enterprises"
    )
    for name, r in results.items():
        print(
            f"{name:8s} {r['seconds']:7.2f} s  ×{r['seconds'] / floor:4.2f} of floor  "
            f"CPU {r['min_cpu_seconds']:6.2f} s  "
            f"peak RSS {r['peak_rss_mb']:6.1f} MB (process at start {r['rss_before_mb']} MB)"
            f"  runs {r['all_seconds']} s"
        )
    wall = results["commit"]["seconds"] / floor
    cpu = results["commit"]["min_cpu_seconds"] / results["floor"]["min_cpu_seconds"]
    print(f"ratio commit/floor (best of {args.repeat}): wall {wall:.2f}, CPU {cpu:.2f}")


if __name__ == "__main__":
    main()
