"""Enumerations of the facilities app (codes are part of the public API, docs/api.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Activity(models.TextChoices):
    PRODUCTION = "production", _("Sản xuất")
    BUSINESS = "business", _("Kinh doanh")
    BOTH = "both", _("Sản xuất và kinh doanh")


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị sổ đăng ký")
    INSPECTOR = "inspector", _("Cán bộ kiểm tra")
    BUSINESS = "business", _("Doanh nghiệp")
    AUDITOR = "auditor", _("Cán bộ thẩm tra")


# Production and business activities that place a facility in each indicator's population.
PRODUCTION_ACTIVITIES = (Activity.PRODUCTION, Activity.BOTH)
BUSINESS_ACTIVITIES = (Activity.BUSINESS, Activity.BOTH)
