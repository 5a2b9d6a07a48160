"""Enumerations of the facilities app (codes are part of the public API, docs/api.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Activity(models.TextChoices):
    PRODUCTION = "production", _("Sản xuất")
    BUSINESS = "business", _("Kinh doanh")
    BOTH = "both", _("Sản xuất và kinh doanh")


class CommuneKind(models.TextChoices):
    XA = "xa", _("Xã")
    PHUONG = "phuong", _("Phường")


class UnitGap(models.TextChoices):
    """Data gaps in where a facility is (docs/geography.md): a district is expected of a
    facility active before 1 July 2025, a commune of one active from that day."""

    MISSING_DISTRICT = "missing_district", _("Thiếu huyện (hoạt động trước 01/07/2025)")
    MISSING_COMMUNE = "missing_commune", _("Thiếu xã / phường (hoạt động từ 01/07/2025)")


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị sổ đăng ký")
    INSPECTOR = "inspector", _("Cán bộ kiểm tra")
    BUSINESS = "business", _("Doanh nghiệp")
    AUDITOR = "auditor", _("Cán bộ thẩm tra")


# Production and business activities that place a facility in each indicator's population.
PRODUCTION_ACTIVITIES = (Activity.PRODUCTION, Activity.BOTH)
BUSINESS_ACTIVITIES = (Activity.BUSINESS, Activity.BOTH)
