"""Store the day's figures and work-list counts before anyone asks for them
(docs/operations.md, "Routine jobs": from cron just after midnight).

The dashboard, the indicators API and the work list read stored figures and counts of
"today", which every write carries; a new day is a new key, so without this job the
first page of each day computes them (seconds at national size; docs/performance.md).
"""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from compliance import worklist
from compliance.indicators.stored import store_default_dates


class Command(BaseCommand):
    help = "Lưu trước số liệu chỉ tiêu và số việc cần làm của hôm nay."

    def handle(self, *args, **options):
        today = timezone.localdate()
        started = time.monotonic()
        dates = store_default_dates(today)
        counted = worklist.store_counts(today)
        self.stdout.write(
            f"Ngày {today:%d/%m/%Y}: số liệu của {dates} ngày"
            f" và số việc cần làm {'đã tính' if counted else 'đã có sẵn'}"
            f" ({time.monotonic() - started:.1f} giây)."
        )
