"""``manage.py backup DIR``: the database and the uploaded files, together, into DIR.

See facilities/backup.py for what is written, docs/operations.md for the routine.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from facilities.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT into a new folder DIR (docs/operations.md)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a new (or empty) folder")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, directory: Path, database: str, **options):
        try:
            manifest = backup(directory, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            f"Đã sao lưu vào {directory}: cơ sở dữ liệu {manifest['engine']}, "
            f"{len(manifest['row_counts'])} bảng, {rows} dòng, {len(manifest['files'])} tệp."
        )
