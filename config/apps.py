"""Third-party apps under names in the interface language.

Their own AppConfigs carry English names ("Tasks Database Backend") that the admin and
its permission pickers show; these subclasses only rename them (docs/web.md, admin).
"""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Hàng đợi tác vụ nền")
