"""Long imports and exports as background jobs (django-tasks).

The embedded default needs no extra server: the database is the queue
(``django_tasks_db.DatabaseBackend``) and ``manage.py db_worker`` runs the jobs. The same
task runs unchanged on any other django-tasks backend (a broker: set TASKS_BACKEND), as
long as the workers share MEDIA storage with the web servers (docs/excel.md).

An ``ExcelJob`` row carries what a person watches: stage, progress, the report, the file.
"""

from __future__ import annotations

import logging

from django.core.files import File
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from compliance.excel.export import facility_export_queryset, write_facilities
from compliance.excel.importer import import_workbook
from compliance.excel.models import ExcelJob
from compliance.excel.safety import WorkbookRefused

logger = logging.getLogger(__name__)


def start_import(*, user, upload_name: str, data: bytes, commit: bool, language: str) -> ExcelJob:
    """Store the upload and queue its dry run (or commit)."""
    job = ExcelJob(
        kind=ExcelJob.Kind.IMPORT_COMMIT if commit else ExcelJob.Kind.IMPORT_DRY_RUN,
        user=user,
        file_name=upload_name[:255],
        params={"language": language},
    )
    job.source.save("upload.xlsx", ContentFile(data), save=False)
    job.save()
    run_excel_job.enqueue(str(job.pk))
    return job


def start_commit_of(dry_run: ExcelJob, *, language: str) -> ExcelJob:
    """Queue the commit of a file whose dry run was shown to the user."""
    job = ExcelJob.objects.create(
        kind=ExcelJob.Kind.IMPORT_COMMIT,
        user=dry_run.user,
        file_name=dry_run.file_name,
        source=dry_run.source.name,
        params={"language": language, "dry_run": str(dry_run.pk)},
    )
    run_excel_job.enqueue(str(job.pk))
    return job


def start_facility_export(*, user, query: dict, language: str) -> ExcelJob:
    """Queue an export of the facility list with the list's filters (``query``)."""
    job = ExcelJob.objects.create(
        kind=ExcelJob.Kind.EXPORT_FACILITIES,
        user=user,
        file_name="co-so.xlsx",
        params={"language": language, "query": query},
    )
    run_excel_job.enqueue(str(job.pk))
    return job


def _progress(job_id, stage: str, done: int, total: int) -> None:
    ExcelJob.objects.filter(pk=job_id).update(stage=stage, progress=done, total=total)


@task()
def run_excel_job(job_id: str) -> str:
    """Run one ExcelJob to the end, recording its outcome on the row."""
    job = ExcelJob.objects.select_related("user").get(pk=job_id)
    ExcelJob.objects.filter(pk=job.pk).update(status=ExcelJob.Status.RUNNING)
    with translation.override(job.params.get("language") or "vi"):
        try:
            if job.kind == ExcelJob.Kind.EXPORT_FACILITIES:
                _run_export(job)
            else:
                _run_import(job)
        except WorkbookRefused as exc:
            _finish(job, ExcelJob.Status.FAILED, error=exc.message, result={"file": [exc.message]})
        except Exception:
            logger.exception("Excel job %s failed", job.pk)
            _finish(job, ExcelJob.Status.FAILED, error=_("Lỗi hệ thống khi xử lý tệp."))
            raise
    return job.status


def _run_import(job: ExcelJob) -> None:
    with job.source.open("rb") as handle:
        data = handle.read()
    commit = job.kind == ExcelJob.Kind.IMPORT_COMMIT
    if commit:
        # Progress written inside the import's transaction is invisible until it commits.
        _progress(job.pk, "write", 0, 0)
    report = import_workbook(
        data=data,
        file_name=job.file_name,
        user=job.user,
        commit=commit,
        progress=None if commit else (lambda stage, d, t: _progress(job.pk, stage, d, t)),
    )
    _finish(job, ExcelJob.Status.DONE, result=report.to_dict())


def _run_export(job: ExcelJob) -> None:
    queryset, as_of = facility_export_queryset(job.user, job.params.get("query") or {})
    total = queryset.count()
    _progress(job.pk, "export", 0, total)
    handle = write_facilities(
        queryset, as_of=as_of, progress=lambda n: _progress(job.pk, "export", n, total)
    )
    with handle:
        job.output.save(f"co-so-{job.pk}.xlsx", File(handle), save=False)
    _finish(job, ExcelJob.Status.DONE, result={"rows": total})


def _finish(job: ExcelJob, status: str, *, result=None, error: str = "") -> None:
    job.status = status
    job.result = result
    job.error = error
    job.finished_at = timezone.now()
    if status == ExcelJob.Status.DONE:
        job.progress = job.total = job.total or 1
    job.save(
        update_fields=["status", "result", "error", "finished_at", "progress", "total", "output"]
    )
