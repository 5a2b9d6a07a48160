"""Backup and restore of the whole registry: the database and the uploaded files together.

A backup is a folder:

* ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite, the online backup API: a consistent copy even while the site writes);
* ``media.tar``: every file under MEDIA_ROOT (inspection attachments, import/export
  job files), which the database only names;
* ``manifest.json``: what was saved: the engine, the applied migrations, the row count
  of every table (history included), each file's size and SHA-256, and the SHA-256 of
  the two parts above. ``restore`` checks the parts against it before touching anything
  and the restored row counts after.

The database's own tools are used rather than ``dumpdata``/``loaddata``: they copy every
row as stored (history rows keep their ids and dates, nothing is re-created by signals)
and the PostgreSQL dump also carries the history tables' append-only triggers
(facilities/audit.py). The routine (schedule, retention, restore drill) is in
docs/operations.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_TAR = "media.tar"
DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead (in Vietnamese, as the other management
    commands speak to the operator)."""


@dataclass
class Restored:
    tables: int
    rows: int
    files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def row_counts(alias: str = "default") -> dict[str, int]:
    """Rows of every table of the installed models (history and auto-created m2m too)."""
    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
        & existing
    )
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            # Table names come from the models, quoted by the backend.
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _media_files(root: Path) -> dict[str, dict]:
    if not root.is_dir():
        return {}
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(root).as_posix()] = {
                "size": path.stat().st_size,
                "sha256": _sha256(path),
            }
    return files


def _pg_args(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    # A fixed program (pg_dump/pg_restore) with arguments from the settings, no shell.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} thất bại: {result.stderr.strip()[-2000:]}")


def backup(target: Path, *, alias: str = "default") -> dict:
    """Write a backup of database ``alias`` and MEDIA_ROOT into the new folder ``target``."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"Thư mục {target} không trống: mỗi bản sao lưu cần một thư mục mới.")
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in DUMP:
        raise BackupError(f"Không có cách sao lưu cơ sở dữ liệu {vendor}.")
    target.mkdir(parents=True, exist_ok=True)
    # Counted before the copy: rows written meanwhile may be in the copy too (never fewer).
    counts = row_counts(alias)
    migrations = sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )
    dump = target / DUMP[vendor]
    if vendor == "postgresql":
        args, env = _pg_args(connection.settings_dict)
        _run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(dump),
                connection.settings_dict["NAME"],
            ],
            env,
        )
    else:
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(dump)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
    # Files after the database: a file added meanwhile is a harmless extra, whereas the
    # other order could record rows whose file is not in the backup.
    media_root = Path(settings.MEDIA_ROOT)
    files = _media_files(media_root)
    with tarfile.open(target / MEDIA_TAR, "w") as tar:
        for name in files:
            tar.add(media_root / name, arcname=name, recursive=False)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": vendor,
        "migrations": migrations,
        "row_counts": counts,
        "files": files,
        "parts": {DUMP[vendor]: _sha256(dump), MEDIA_TAR: _sha256(target / MEDIA_TAR)},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def read_manifest(source: Path) -> dict:
    """The manifest of backup ``source``, after checking every part's checksum."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được {MANIFEST} trong {source}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Không nhận ra định dạng bản sao lưu {manifest.get('format')!r}.")
    for part, digest in manifest["parts"].items():
        path = source / part
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"Tệp {path} bị thiếu hoặc hỏng (mã SHA-256 không khớp manifest).")
    return manifest


def _database_is_empty(alias: str) -> bool:
    return not connections[alias].introspection.table_names()


def restore(source: Path, *, alias: str = "default", replace: bool = False) -> Restored:
    """Put backup ``source`` into database ``alias`` and MEDIA_ROOT.

    Into an empty database (the restore drill, a new server) unless ``replace``: then
    the tables of the backup replace those of the same name, and files of the same name
    are overwritten. Row counts are checked against the manifest afterwards.
    """
    source = Path(source)
    manifest = read_manifest(source)
    connection = connections[alias]
    vendor = connection.vendor
    if manifest["engine"] != vendor:
        raise BackupError(
            f"Bản sao lưu là của cơ sở dữ liệu {manifest['engine']}; cơ sở dữ liệu này là {vendor}."
        )
    media_root = Path(settings.MEDIA_ROOT)
    if not replace:
        if not _database_is_empty(alias):
            raise BackupError(
                "Cơ sở dữ liệu đã có bảng: hãy phục hồi vào một cơ sở dữ liệu trống,"
                " hoặc thêm --replace để ghi đè."
            )
        if media_root.is_dir() and any(media_root.iterdir()):
            raise BackupError(f"MEDIA_ROOT ({media_root}) không trống: thêm --replace để ghi đè.")
    dump = source / DUMP[vendor]
    connection.close()
    if vendor == "postgresql":
        args, env = _pg_args(connection.settings_dict)
        _run(
            [
                "pg_restore",
                *args,
                "--dbname",
                connection.settings_dict["NAME"],
                "--no-owner",
                "--no-privileges",
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                str(dump),
            ],
            env,
        )
    else:
        name = connection.settings_dict["NAME"]
        backup_copy = sqlite3.connect(dump)
        live = sqlite3.connect(name)
        try:
            with live:
                backup_copy.backup(live)
        finally:
            live.close()
            backup_copy.close()
    media_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent) as staging:
        with tarfile.open(source / MEDIA_TAR) as tar:
            tar.extractall(staging, filter="data")
        for name, meta in manifest["files"].items():
            staged = Path(staging) / name
            if _sha256(staged) != meta["sha256"]:
                raise BackupError(f"Tệp {name} khác với manifest.")
            final = media_root / name
            final.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staged, final)
    counts = row_counts(alias)
    differ = {
        table: (expected, counts.get(table))
        for table, expected in manifest["row_counts"].items()
        if counts.get(table, 0) < expected
    }
    if differ:
        raise BackupError(f"Số dòng sau khi phục hồi ít hơn manifest: {differ}")
    return Restored(
        tables=len(manifest["row_counts"]),
        rows=sum(counts.get(t, 0) for t in manifest["row_counts"]),
        files=len(manifest["files"]),
    )
