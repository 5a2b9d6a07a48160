"""Page benchmark (not a test): every page and endpoint of the national-scale targets, one
request at a time against gunicorn (2 workers) on a seeded PostgreSQL database: the median
and worst time of each over ``--repeat`` requests, and the size of its answer.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/envreg_1m \\
        .venv/bin/python bench/pages.py [--repeat 5] [--workers 2]

The database is used as it is (seed it first: ``manage.py seed_demo --facilities N``).
Each role logs in as its demo account; "deep" pages are 90 % of the way through the list
(page 90 % × facilities / 50), where OFFSET paging used to cost most. The first request of
each path is a warm-up and is not counted. Targets (docs/performance.md): a median under
1 s and no answer over 2 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import Client, database_url, free_port, start_gunicorn, stop  # noqa: E402
from machine_load import uptime  # noqa: E402

# (role, label, path); {deep} is a page number 90 % of the way through the registry, {fid}
# a facility the role may see, {date} an arbitrary past date.
PAGES = [
    ("admin", "dashboard", "/dashboard/"),
    ("admin", "dashboard as of an arbitrary date", "/dashboard/?as_of={date_vi}"),
    ("admin", "registry, first page", "/facilities/"),
    ("admin", "registry, deep page", "/facilities/?page={deep}"),
    ("admin", "registry, non-compliant", "/facilities/?compliance_status=non_compliant"),
    ("admin", "registry, search", "/facilities/?q=thao+qua"),
    ("admin", "facility page", "/facilities/{fid}/"),
    ("admin", "work list (administrator)", "/worklist/"),
    ("admin", "work list (administrator), page 100", "/worklist/?page=100"),
    (
        "admin",
        "figure's facilities, first page",
        "/indicators/establishments_meeting_standards/facilities/",
    ),
    (
        "admin",
        "figure's facilities, deep page",
        "/indicators/establishments_meeting_standards/facilities/?page={deep_figure}",
    ),
    (
        "admin",
        "figure's facilities, not counted, page 100",
        "/indicators/establishments_meeting_standards/facilities/?counted=no&page=100",
    ),
    (
        "admin",
        "figure's facilities, one reason",
        "/indicators/establishments_meeting_standards/facilities/?reason=overdue_remediation",
    ),
    (
        "admin",
        "figure's facilities, by name",
        "/indicators/establishments_meeting_standards/facilities/?sort=name",
    ),
    (
        "admin",
        "figure's facilities, by district",
        "/indicators/establishments_meeting_standards/facilities/?sort=district",
    ),
    (
        "admin",
        "figure's facilities, by reason",
        "/indicators/establishments_meeting_standards/facilities/?sort=reason",
    ),
    ("admin", "change log", "/changes/"),
    ("admin", "api facilities, first page", "/api/v1/facilities/"),
    ("admin", "api facilities, deep page", "/api/v1/facilities/?page={deep}"),
    ("admin", "api indicators today", "/api/v1/indicators/"),
    ("admin", "api indicators, arbitrary date", "/api/v1/indicators/?as_of={date}"),
    (
        "admin",
        "api indicator facilities",
        "/api/v1/indicators/facilities/?code=establishments_meeting_standards",
    ),
    (
        "admin",
        "api indicator facilities, deep page",
        "/api/v1/indicators/facilities/?code=establishments_meeting_standards&page={deep_figure}",
    ),
    ("inspector", "work list (inspector)", "/worklist/"),
    ("inspector", "work list (inspector), page 20", "/worklist/?page=20"),
    ("inspector", "work list (inspector), page 100", "/worklist/?page=100"),
    ("business", "portal", "/portal/"),
    ("auditor", "dashboard (auditor)", "/dashboard/"),
]


def page_path(template: str, facilities: int, figure_rows: int, fid: int, date: str) -> str:
    """The path of one of ``PAGES``: deep pages 90 % of the way through their list."""
    return template.format(
        deep=max(1, int(facilities * 0.9 / 50)),
        deep_figure=max(1, int(figure_rows * 0.9 / 50)),
        fid=fid,
        date=date,
        date_vi="/".join(reversed(date.split("-"))),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--date", default="2019-07-15", help="the arbitrary as-of date")
    parser.add_argument("--only", help="run the pages whose label contains this text")
    args = parser.parse_args()
    url = database_url()
    port = free_port()
    server = start_gunicorn(url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    print(f"load before: {uptime()}")
    try:
        clients = {}
        for role in ("admin", "inspector", "business", "auditor"):
            client = Client(base, role, rng=random.Random(role))
            client.login()
            clients[role] = client
        _status, body = clients["admin"].request("GET", "/api/v1/facilities/")
        facilities = json.loads(body)["count"]
        _status, body = clients["admin"].request(
            "GET", "/api/v1/indicators/facilities/?code=establishments_meeting_standards"
        )
        figure_rows = json.loads(body).get("count", 50)
        print(
            f"{facilities:,} facilities; deep page {max(1, int(facilities * 0.9 / 50)):,}; gunicorn {args.workers} workers"
        )
        print("| page | median | worst | answer |\n|---|---:|---:|---:|")
        for role, label, template in PAGES:
            if args.only and args.only not in label:
                continue
            client = clients[role]
            fid = client.facility_ids[len(client.facility_ids) // 2]
            path = page_path(template, facilities, figure_rows, fid, args.date)
            status, body = client.request("GET", path)  # warm-up
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                status, body = client.request("GET", path)
                times.append(time.perf_counter() - started)
            mark = "" if status == 200 else f" (HTTP {status})"
            print(
                f"| {label}{mark} | {statistics.median(times) * 1000:,.0f} ms"
                f" | {max(times) * 1000:,.0f} ms | {len(body) / 1024:,.0f} KiB |",
                flush=True,
            )
    finally:
        stop(server)
    print(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
