from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = _("Sổ đăng ký cơ sở")

    def ready(self):
        # Connects the history signal handlers (user and reason on every history row).
        from django.db.models.signals import post_migrate

        # Also connects the lockout log (repeated failed logins, facilities.lockout) and
        # the end of API tokens at a password change (facilities.tokens).
        from facilities import history, lockout, tokens  # noqa: F401
        from facilities.audit import guard_history_after_migrate
        from facilities.reference_data import ensure_reference_data
        from facilities.roles import sync_role_groups_after_migrate

        post_migrate.connect(ensure_reference_data, sender=self)
        # Not limited to this app: post_migrate is sent app by app, and the permissions of
        # inspections and compliance only exist once their own signal has run. Listening
        # to every app keeps the groups complete after a single migrate and after a flush.
        post_migrate.connect(sync_role_groups_after_migrate, dispatch_uid="envreg-sync-role-groups")
        # History tables refuse UPDATE/DELETE (PostgreSQL), whichever app adds them.
        post_migrate.connect(guard_history_after_migrate, sender=self)
