"""Time pages of ``/api/v1/indicators/facilities/``: the first, the last, and the former
unpaginated answer's query (every row's standing), on the configured database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/envreg_scale DEBUG=true \\
        .venv/bin/python bench/indicator_pages.py [--as-of 2025-12-31] [--repeat 5]

Not a test. In-process (Django's test client, no web server): median of ``--repeat``
requests, answer size, and the machine's load (``uptime``).
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default="2025-12-31")
    parser.add_argument("--code", default="establishments_meeting_standards")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from compliance.indicators import facility_rows
    from facilities.choices import Role
    from facilities.services import user_create

    settings.ALLOWED_HOSTS = ["*"]
    admin = get_user_model().objects.filter(username="bench-pages").first() or user_create(
        username="bench-pages", role=Role.ADMIN
    )
    client = APIClient()
    client.force_authenticate(admin)
    url = f"/api/v1/indicators/facilities/?code={args.code}&as_of={args.as_of}"

    def median(fn):
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000, result

    print(f"load before: {uptime()}")
    ms, response = median(lambda: client.get(url))
    count = response.json()["count"]
    print(f"page 1: {ms:.1f} ms, {len(response.content)} bytes ({count} facilities)")
    last = max(1, (count + 49) // 50)
    ms, response = median(lambda: client.get(f"{url}&page={last}"))
    print(f"page {last} (last): {ms:.1f} ms, {len(response.content)} bytes")
    as_of = datetime.date.fromisoformat(args.as_of)
    ms, rows = median(lambda: facility_rows(args.code, as_of))
    print(f"every row's standing (the former unpaginated answer's query): {ms:.1f} ms")
    print(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
