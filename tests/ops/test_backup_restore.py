"""The restore drill: a backup restored into a new database and an empty MEDIA_ROOT has
the same rows (history included), the same files and the same indicator figures. Runs
on whichever database the suite runs on (CI runs it on SQLite and on PostgreSQL)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from compliance.excel.models import ExcelJob
from facilities.history import change_context
from facilities.models import Facility
from tests.ops.fingerprint import fingerprint

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def new_database(tmp_path):
    """A URL of a new, empty database of the same kind as the test database."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{source['NAME']}_restored"
    dsn = dict(
        host=source["HOST"] or None,
        port=source["PORT"] or None,
        user=source["USER"] or None,
        password=source["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with psycopg.connect(**dsn) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    user = source["USER"] or "postgres"
    yield f"postgres://{user}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}/{name}"
    with psycopg.connect(**dsn) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(url: str, media_root: Path, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": url, "MEDIA_ROOT": str(media_root)}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_a_backup_restores_into_a_new_database_with_the_same_rows_files_and_figures(
    media, new_database, tmp_path, admin_user
):
    call_command("seed_demo", facilities=12, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with change_context(user=admin_user, reason="sửa trước khi sao lưu"):
        facility = Facility.objects.first()
        facility.name = "Tên đã sửa"
        facility.save()
    job = ExcelJob(kind=ExcelJob.Kind.IMPORT_DRY_RUN, user=admin_user, file_name="tệp.xlsx")
    job.source.save("upload.xlsx", ContentFile(b"PK\x03\x04 workbook bytes"), save=True)
    before = fingerprint()
    assert before["rows"]["facilities_historicalfacility"]["count"] > 12
    assert before["files"]

    call_command("backup", str(tmp_path / "backup"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    restored_media = tmp_path / "restored-media"
    result = manage(new_database, restored_media, "manage.py", "restore", str(tmp_path / "backup"))
    assert result.returncode == 0, result.stderr
    assert "Đã phục hồi" in result.stdout

    after = manage(new_database, restored_media, "-m", "tests.ops.fingerprint")
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == before


def test_restore_refuses_a_database_that_has_tables_and_a_damaged_backup(media, tmp_path):
    call_command("backup", str(tmp_path / "backup"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    with pytest.raises(CommandError, match="đã có bảng"):
        call_command("restore", str(tmp_path / "backup"))
    dump = next(p for p in (tmp_path / "backup").iterdir() if p.name.startswith("database."))
    with dump.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00\x01\x02")
    with pytest.raises(CommandError, match="hỏng"):
        call_command("restore", str(tmp_path / "backup"), replace=True)


def test_backup_refuses_a_folder_that_is_not_empty(media, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old").write_text("x")
    with pytest.raises(CommandError, match="không trống"):
        call_command("backup", str(tmp_path / "backup"))
