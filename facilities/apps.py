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
        from facilities.reference_data import ensure_reference_data
        from facilities.roles import sync_role_groups

        post_migrate.connect(ensure_reference_data, sender=self)
        post_migrate.connect(sync_role_groups, sender=self)
