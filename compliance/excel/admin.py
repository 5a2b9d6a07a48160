"""The task queue in the admin, in the interface language.

django-tasks-db registers its table with English labels; it is unregistered here and
listed, read-only, as ``TaskRun`` (the same pattern as API tokens in facilities.admin).
"""

import django_tasks_db.admin  # noqa: F401 — registers DBTaskResult, unregistered below
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from compliance.excel.models import TaskRun

# The queue's statuses (django_tasks.TaskResultStatus), named in our words.
STATUS_LABELS = {
    "READY": _("đang chờ"),
    "RUNNING": _("đang chạy"),
    "FAILED": _("thất bại"),
    "SUCCESSFUL": _("hoàn tất"),
}

# Imported above, so that it is registered whichever app's admin the autodiscovery
# reaches first.
admin.site.unregister(DBTaskResult)


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    """Runs of background tasks (Excel imports and exports): read only."""

    list_display = ["task", "state", "enqueued", "started", "finished"]
    fields = readonly_fields = [
        "task",
        "state",
        "enqueued",
        "started",
        "finished",
        "queue",
        "error_class",
        "error_trace",
    ]
    search_fields = ["task_path"]

    @admin.display(description=_("tác vụ"), ordering="task_path")
    def task(self, obj):
        return obj.task_path

    @admin.display(description=_("trạng thái"), ordering="status")
    def state(self, obj):
        return STATUS_LABELS.get(obj.status, obj.status)

    @admin.display(description=_("đưa vào hàng đợi lúc"), ordering="enqueued_at")
    def enqueued(self, obj):
        return obj.enqueued_at

    @admin.display(description=_("bắt đầu lúc"), ordering="started_at")
    def started(self, obj):
        return obj.started_at or "—"

    @admin.display(description=_("xong lúc"), ordering="finished_at")
    def finished(self, obj):
        return obj.finished_at or "—"

    @admin.display(description=_("hàng đợi"))
    def queue(self, obj):
        return obj.queue_name

    @admin.display(description=_("loại lỗi"))
    def error_class(self, obj):
        return obj.exception_class_path or "—"

    @admin.display(description=_("chi tiết lỗi"))
    def error_trace(self, obj):
        return obj.traceback or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
