"""Rebuild every facility's standing from the registry (docs/operations.md).

Every write keeps the standing current (compliance/standing.py); this is for after a
restore or a load that bypassed the application, and is what ``check_standing`` compares
with.
"""

from django.core.management.base import BaseCommand

from compliance.standing import rebuild


class Command(BaseCommand):
    help = "Rebuild the standing of every facility from its records."

    def handle(self, *args, **options):
        rows = rebuild()
        self.stdout.write(f"Đã dựng lại tình trạng cơ sở: {rows} dòng.")
