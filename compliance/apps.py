from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Tuân thủ môi trường")

    def ready(self) -> None:
        # The facility standing listens to every registry write (compliance/standing.py);
        # the work list's stored counts are carried by the same writes (worklist.py).
        from compliance import standing, worklist  # noqa: F401

        # SQLite's casefold for the lists' sorts, on every connection from the first.
        from compliance.views import listing  # noqa: F401
