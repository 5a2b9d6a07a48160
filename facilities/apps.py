from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = _("Sổ đăng ký cơ sở")

    def ready(self):
        # Connects the history signal handlers (user and reason on every history row).
        from django.db.models.signals import post_migrate

        from facilities import history  # noqa: F401
        from facilities.audit import guard_history_after_migrate
        from facilities.reference_data import ensure_reference_data
        from facilities.roles import sync_role_groups

        post_migrate.connect(ensure_reference_data, sender=self)
        post_migrate.connect(sync_role_groups, sender=self)
        # History tables refuse UPDATE/DELETE (PostgreSQL), whichever app adds them.
        post_migrate.connect(guard_history_after_migrate, sender=self)
