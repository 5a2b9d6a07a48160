"""Enumerations of the inspections app (codes are part of the public API, docs/api.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InspectionKind(models.TextChoices):
    PERIODIC = "periodic", _("Định kỳ")
    UNSCHEDULED = "unscheduled", _("Đột xuất")
    FOLLOW_UP = "follow_up", _("Kiểm tra lại")
    COMPLAINT = "complaint", _("Theo phản ánh, kiến nghị")


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    FINALIZED = "finalized", _("Đã hoàn tất")
    CANCELLED = "cancelled", _("Đã hủy")


class Outcome(models.TextChoices):
    # "Đạt" is also an indicator's "met": the context keeps the English apart.
    COMPLIANT = "compliant", pgettext_lazy("inspection outcome", "Đạt")
    COMPLIANT_WITH_REMARKS = "compliant_with_remarks", _("Đạt, có kiến nghị")
    NON_COMPLIANT = "non_compliant", _("Không đạt")


class FindingCategory(models.TextChoices):
    WASTEWATER = "wastewater", _("Nước thải")
    AIR_EMISSIONS = "air_emissions", _("Khí thải")
    SOLID_WASTE = "solid_waste", _("Chất thải rắn")
    HAZARDOUS_WASTE = "hazardous_waste", _("Chất thải nguy hại")
    NOISE = "noise", _("Tiếng ồn")
    PERMIT = "permit", _("Giấy phép, hồ sơ môi trường")
    MONITORING_REPORTING = "monitoring_reporting", _("Quan trắc, báo cáo")
    OTHER = "other", _("Khác")


class Severity(models.TextChoices):
    MINOR = "minor", _("Nhẹ")
    MAJOR = "major", _("Nghiêm trọng")
    CRITICAL = "critical", _("Đặc biệt nghiêm trọng")


class EvidenceStatus(models.TextChoices):
    """Where a business's evidence of a corrective action stands (docs/web.md)."""

    SUBMITTED = "submitted", _("Chờ xem xét")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    RETURNED = "returned", _("Bị trả lại")


class ReinspectionStatus(models.TextChoices):
    """Where a business's request for a re-inspection stands."""

    PENDING = "pending", _("Chờ trả lời")
    SCHEDULED = "scheduled", _("Sẽ kiểm tra lại")
    DECLINED = "declined", _("Không kiểm tra lại")
