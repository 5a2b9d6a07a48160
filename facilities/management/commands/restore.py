"""``manage.py restore DIR``: put a backup made by ``backup`` back (database and files).

Into an empty database and an empty MEDIA_ROOT unless ``--replace``. Checks the backup's
checksums first and the restored row counts after (facilities/backup.py). Run
``migrate`` afterwards when the code is newer than the backup (docs/operations.md).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from facilities.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup folder made by `backup` (database and MEDIA_ROOT)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a folder written by `backup`")
        parser.add_argument("--database", default="default", help="database alias")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite a database that already has tables and files already present",
        )

    def handle(self, *args, directory: Path, database: str, replace: bool, **options):
        try:
            result = restore(directory, alias=database, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã phục hồi {result.tables} bảng ({result.rows} dòng) và {result.files} tệp "
            f"từ {directory}."
        )
