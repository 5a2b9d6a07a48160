"""Benchmark: ``seed_demo --facilities N`` on PostgreSQL vs its floor, a COPY of the same rows.

    DEBUG=true .venv/bin/python bench/seed_demo.py --facilities 100000 \
        [--url postgres://postgres@127.0.0.1:5432]

Two fresh databases, both migrated: the command fills the first; then every table it
filled (the registry, its history, the inspectors of each visit) is read out of the first
with ``COPY ... TO`` and timed going into the second with ``COPY ... FROM`` in one
transaction — the same rows, the same indexes and constraints. That is the floor: what
the database needs to store the rows at all, without generating them. The logins
(a dozen users) are left out of the floor and counted in the command.

It prints the wall time of each, the ratio, the rows per table, and the machine's load
(``uptime``) before and after. Both databases are dropped at the end, unless
``--keep envreg_1m`` keeps the seeded one under that name for bench/pages.py.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_load import uptime  # noqa: E402

SEEDED = "envreg_bench_seed"
FLOOR = "envreg_bench_floor"
# Written by migrate or by the logins, not by the generator: left out of the timed floor.
NOT_SEEDED_PREFIXES = (
    "auth_",
    "django_",
    "authtoken_",
    "facilities_profile",
    "facilities_historicalprofile",
)
# The logins the rows point to (verified by, inspectors): copied into the floor untimed.
LOGIN_TABLES = (
    "auth_user",
    "facilities_profile",
    "facilities_profile_districts",
    "facilities_profile_communes",
)


def manage(url: str, *args: str) -> float:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def recreate(base: str, name: str) -> None:
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop(base: str, name: str) -> None:
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def filled_tables(conn) -> dict[str, int]:
    """The seeded tables with their row counts (exact: count(*))."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    counts = {}
    for name in names:
        if name.startswith(NOT_SEEDED_PREFIXES):
            continue
        counts[name] = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--facilities", type=int, default=100_000)
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--keep",
        metavar="NAME",
        help="keep the seeded database under this name (for bench/pages.py) instead of dropping it",
    )
    args = parser.parse_args()
    base = args.url.rstrip("/")
    print(f"seed_demo --facilities {args.facilities:,} on PostgreSQL")
    print(f"load before: {uptime()}")

    for name in (SEEDED, FLOOR):
        recreate(base, name)
        manage(f"{base}/{name}", "migrate", "--noinput")
    with psycopg.connect(f"{base}/{FLOOR}") as floor:
        before = filled_tables(floor)

    seconds = manage(f"{base}/{SEEDED}", "seed_demo", "--facilities", str(args.facilities))
    print(f"seed_demo: {seconds:8.1f} s wall")

    # Read out what the command added (tables empty after migrate), then time the COPY in.
    dumps: dict[str, bytes] = {}
    with psycopg.connect(f"{base}/{SEEDED}") as seeded:
        after = filled_tables(seeded)
        for table, count in after.items():
            if count and not before.get(table):
                buffer = io.BytesIO()
                with seeded.cursor().copy(f'COPY "{table}" TO STDOUT') as copy:
                    for chunk in copy:
                        buffer.write(chunk)
                dumps[table] = buffer.getvalue()
    logins: dict[str, bytes] = {}
    with psycopg.connect(f"{base}/{SEEDED}") as seeded:
        for table in LOGIN_TABLES:
            with seeded.cursor().copy(f'COPY "{table}" TO STDOUT') as out:
                logins[table] = b"".join(bytes(chunk) for chunk in out)
    with psycopg.connect(f"{base}/{FLOOR}") as floor:
        # One transaction (foreign keys are checked at commit): the logins untimed, then
        # the seeded rows timed up to and including the commit.
        floor.execute("TRUNCATE " + ", ".join(LOGIN_TABLES) + " CASCADE")
        for table, data in logins.items():
            with floor.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:
                copy.write(data)
        started = time.perf_counter()
        for table, data in dumps.items():
            with floor.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:
                copy.write(data)
        floor.commit()
        floor_seconds = time.perf_counter() - started
    print(f"COPY floor: {floor_seconds:8.1f} s wall (same rows, same indexes, one transaction)")
    print(f"ratio: {seconds / floor_seconds:.2f}× the floor")
    print(f"{sum(after[t] for t in dumps):,} rows:")
    for table in dumps:
        print(f"  {table:<45} {after[table]:>12,}")
    print(f"load after: {uptime()}")
    drop(base, FLOOR)
    if args.keep:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.keep}"')
            conn.execute(f'ALTER DATABASE "{SEEDED}" RENAME TO "{args.keep}"')
        print(f"seeded database kept as {args.keep}")
    else:
        drop(base, SEEDED)


if __name__ == "__main__":
    main()
