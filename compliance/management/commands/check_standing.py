"""Is every facility's standing what its records call for? (docs/operations.md)

Exit 0 when a rebuild would change nothing; otherwise list the differences, at most
``--limit`` of each kind, and exit 1 (then run ``rebuild_standing``).
"""

from django.core.management.base import BaseCommand, CommandError

from compliance.standing import differences


def _row(row) -> str:
    facility, aspect, value, start, end = row
    return f"  cơ sở {facility}: {aspect} {value or '-'} [{start.isoformat()}, {end.isoformat()})"


class Command(BaseCommand):
    help = "Compare the stored standing with one rebuilt from the records; exit 1 on a difference."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args, limit, **options):
        missing, extra = differences()
        if not missing and not extra:
            self.stdout.write("Tình trạng cơ sở khớp với hồ sơ.")
            return
        for title, rows in (("Thiếu:", missing), ("Thừa:", extra)):
            if rows:
                self.stdout.write(f"{title} {len(rows)}")
                for row in sorted(rows)[:limit]:
                    self.stdout.write(_row(row))
        raise CommandError("Tình trạng cơ sở không khớp với hồ sơ: chạy rebuild_standing.")
