from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExcelConfig(AppConfig):
    """Excel in and out: import template, imports, exports, report workbook, jobs.

    An app of its own (label ``excel``) so that its job table migrates independently of
    the compliance models.
    """

    name = "compliance.excel"
    label = "excel"
    verbose_name = _("Nhập, xuất Excel")
    default_auto_field = "django.db.models.BigAutoField"
