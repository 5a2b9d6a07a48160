"""Long imports and exports as background jobs (django-tasks).

The embedded default needs no extra server: the database is the queue
(``django_tasks_db.DatabaseBackend``) and ``manage.py db_worker`` runs the jobs. The same
task runs unchanged on any other django-tasks backend (a broker: set TASKS_BACKEND), as
long as the workers share MEDIA storage with the web servers (docs/excel.md).

An ``ExcelJob`` row carries what a person watches: stage, progress, the report, the file.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, OperationalError, connections
from django.db.models import Q
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


def start_again(job: ExcelJob, *, language: str) -> ExcelJob:
    """Queue a new run of a failed job: same kind, same file, same parameters."""
    again = ExcelJob.objects.create(
        kind=job.kind,
        user=job.user,
        file_name=job.file_name,
        source=job.source.name,
        params={**job.params, "language": language, "again_of": str(job.pk)},
    )
    run_excel_job.enqueue(str(again.pk))
    return again


# --- liveness: heartbeat, time limit, stale jobs ---------------------------------------


class JobStopped(Exception):
    """The job ran past JOB_TIME_LIMIT_SECONDS, or was marked failed while it ran."""


def stale_message() -> str:
    return _(
        "Tác vụ đã dừng: tiến trình xử lý không còn phản hồi (máy chủ khởi động lại hoặc"
        " hết bộ nhớ). Không có gì được ghi; hãy bấm «Chạy lại»."
    )


def time_limit_message() -> str:
    return _(
        "Tác vụ chạy quá %(minutes)s phút nên đã bị dừng. Không có gì được ghi;"
        " hãy chia tệp nhỏ hơn hoặc bấm «Chạy lại»."
    ) % {"minutes": max(1, settings.JOB_TIME_LIMIT_SECONDS // 60)}


def expire_stale_jobs(queryset=None) -> int:
    """Mark failed the running jobs whose worker died or that ran past the time limit.

    Called wherever a job is looked at (its page, its API endpoint, the import page)
    and by ``manage.py expire_jobs``. A read first, so that the usual case writes
    nothing; the update repeats the conditions, so a job that just finished is left be.
    A worker that is in fact alive finds its job failed when it finishes and rolls its
    work back (``_finish_if_running``).
    """
    now = timezone.now()
    silent = now - datetime.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    too_old = now - datetime.timedelta(seconds=settings.JOB_TIME_LIMIT_SECONDS)
    running = (queryset if queryset is not None else ExcelJob.objects).filter(
        status=ExcelJob.Status.RUNNING
    )
    dead = Q(heartbeat_at__lt=silent) | Q(heartbeat_at__isnull=True, created_at__lt=silent)
    late = Q(started_at__lt=too_old)
    candidates = list(running.filter(dead | late).values_list("pk", "params"))
    marked = 0
    try:
        for pk, params in candidates:
            # In the language the job was started in, like every other text of the job
            # (the request that notices may be an API call in another language).
            with translation.override((params or {}).get("language") or "vi"):
                for condition, message in ((late, time_limit_message()), (dead, stale_message())):
                    updated = running.filter(condition, pk=pk).update(
                        status=ExcelJob.Status.FAILED, error=message, finished_at=now
                    )
                    if updated:
                        marked += 1
                        break
    except OperationalError:
        # SQLite: the (live) worker holds the write lock inside its commit; it will finish.
        logger.warning("Could not mark stale jobs now; the database is busy", exc_info=True)
    return marked


class _Heartbeat:
    """Renews ``heartbeat_at`` from a thread while the job runs.

    The thread has its own database connection, so the beat is seen at once even while
    the job's own connection is inside a long transaction (PostgreSQL). On SQLite that
    transaction holds the write lock: the beats wait, and the watchdog's update waits
    too, so a live job is not marked dead there either.
    """

    def __init__(self, job_id):
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def _run(self) -> None:
        try:
            while not self.stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    ExcelJob.objects.filter(pk=self.job_id, status=ExcelJob.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    logger.warning("Heartbeat of job %s not written", self.job_id, exc_info=True)
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join(timeout=settings.JOB_HEARTBEAT_SECONDS)


def _progress(job_id, stage: str, done: int, total: int) -> None:
    ExcelJob.objects.filter(pk=job_id).update(stage=stage, progress=done, total=total)


@task()
def run_excel_job(job_id: str) -> str:
    """Run one ExcelJob to the end, recording its outcome on the row."""
    job = ExcelJob.objects.select_related("user").get(pk=job_id)
    now = timezone.now()
    claimed = ExcelJob.objects.filter(pk=job.pk, status=ExcelJob.Status.QUEUED).update(
        status=ExcelJob.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return job.status  # already run, or given up on while it waited
    job.status = ExcelJob.Status.RUNNING
    deadline = time.monotonic() + settings.JOB_TIME_LIMIT_SECONDS
    with translation.override(job.params.get("language") or "vi"), _Heartbeat(job.pk):
        try:
            if job.kind == ExcelJob.Kind.EXPORT_FACILITIES:
                _run_export(job, deadline)
            else:
                _run_import(job, deadline)
        except WorkbookRefused as exc:
            _finish_if_running(
                job, ExcelJob.Status.FAILED, error=exc.message, result={"file": [exc.message]}
            )
        except JobStopped:
            _finish_if_running(job, ExcelJob.Status.FAILED, error=time_limit_message())
        except Exception:
            logger.exception("Excel job %s failed", job.pk)
            _finish_if_running(job, ExcelJob.Status.FAILED, error=_("Lỗi hệ thống khi xử lý tệp."))
            raise
    return job.status


def _check_deadline(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise JobStopped


def _run_import(job: ExcelJob, deadline: float) -> None:
    with job.source.open("rb") as handle:
        data = handle.read()
    commit = job.kind == ExcelJob.Kind.IMPORT_COMMIT
    if commit:
        # Progress written inside the import's transaction is invisible until it commits.
        _progress(job.pk, "write", 0, 0)

    def progress(stage: str, done: int, total: int) -> None:
        _check_deadline(deadline)
        if not commit:
            _progress(job.pk, stage, done, total)

    def written(report) -> None:
        # Inside the import's transaction: if the job was given up on meanwhile (marked
        # failed), raising here undoes every row, so a failed job never wrote anything.
        _check_deadline(deadline)
        if not _finish_if_running(job, ExcelJob.Status.DONE, result=report.to_dict()):
            raise JobStopped

    report = import_workbook(
        data=data,
        file_name=job.file_name,
        user=job.user,
        commit=commit,
        progress=progress,
        on_written=written if commit else None,
    )
    if job.status == ExcelJob.Status.RUNNING:  # dry run, or a commit with rejected rows
        _finish_if_running(job, ExcelJob.Status.DONE, result=report.to_dict())


def _run_export(job: ExcelJob, deadline: float) -> None:
    queryset, as_of = facility_export_queryset(job.user, job.params.get("query") or {})
    total = queryset.count()
    _progress(job.pk, "export", 0, total)

    def progress(n: int) -> None:
        _check_deadline(deadline)
        _progress(job.pk, "export", n, total)

    handle = write_facilities(queryset, as_of=as_of, progress=progress)
    with handle:
        job.output.save(f"co-so-{job.pk}.xlsx", File(handle), save=False)
    if not _finish_if_running(job, ExcelJob.Status.DONE, result={"rows": total}):
        job.output.delete(save=False)


def _finish_if_running(job: ExcelJob, status: str, *, result=None, error: str = "") -> bool:
    """Record the outcome, unless the job is no longer running (given up on): False then."""
    fields = {
        "status": status,
        "result": result,
        "error": error,
        "finished_at": timezone.now(),
        "output": job.output.name or "",
    }
    if status == ExcelJob.Status.DONE:
        fields["progress"] = fields["total"] = (
            ExcelJob.objects.filter(pk=job.pk).values_list("total", flat=True).first() or 1
        )
    updated = ExcelJob.objects.filter(pk=job.pk, status=ExcelJob.Status.RUNNING).update(**fields)
    if updated:
        job.status = status
    return bool(updated)
