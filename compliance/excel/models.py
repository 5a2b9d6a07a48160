"""Background Excel jobs: one row per long import or export, with its progress."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class ExcelJob(models.Model):
    """A long import or export run by the task worker; the page polls its progress.

    The task queue (django-tasks) only knows "ready/running/done"; this row carries what
    a person wants to see: how far along, the dry-run report, the file to download.
    """

    class Kind(models.TextChoices):
        IMPORT_DRY_RUN = "import_dry_run", _("Kiểm tra thử tệp nhập")
        IMPORT_COMMIT = "import_commit", _("Ghi dữ liệu nhập")
        EXPORT_FACILITIES = "export_facilities", _("Xuất danh sách cơ sở")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Thất bại")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="excel_jobs",
        verbose_name=_("người yêu cầu"),
    )
    file_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    # The uploaded workbook (imports) or the produced one (exports), on default storage:
    # a worker on another machine needs the same storage (docs/excel.md).
    source = models.FileField(_("tệp nhập"), upload_to="excel/in/", blank=True)
    output = models.FileField(_("tệp kết quả"), upload_to="excel/out/", blank=True)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    progress = models.PositiveIntegerField(_("đã xử lý"), default=0)
    total = models.PositiveIntegerField(_("tổng số"), default=0)
    stage = models.CharField(_("giai đoạn"), max_length=40, blank=True)
    result = models.JSONField(_("kết quả"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    # Set by the worker when it starts the job; a running job's heartbeat is renewed
    # every JOB_HEARTBEAT_SECONDS (compliance.excel.jobs), so a dead worker shows.
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("tín hiệu sống lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tác vụ Excel")
        verbose_name_plural = _("tác vụ Excel")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name} · {self.get_status_display()}"

    @property
    def percent(self) -> int:
        """Progress in whole percent (0 until the total is known)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.progress * 100 // self.total)


class TaskRun(DBTaskResult):
    """A run of the task queue as the admin lists it (django-tasks-db's table, our labels).

    The queue's own admin is in English ("Tasks Database Backend", "Task Results");
    administrators read the runs here in the interface language (docs/web.md, admin).
    """

    class Meta:
        proxy = True
        ordering = ["-enqueued_at"]
        verbose_name = _("lượt chạy tác vụ nền")
        verbose_name_plural = _("các lượt chạy tác vụ nền")

    def __str__(self) -> str:
        return f"{self.task_path} ({self.enqueued_at:%d/%m/%Y %H:%M})"
