"""Enumerations of the compliance app (codes are part of the public API, docs/api.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasureKind(models.TextChoices):
    CLEAN_TECHNOLOGY = "clean_technology", _("Công nghệ sạch")
    POLLUTION_CONTROL = "pollution_control", _("Thiết bị giảm thiểu ô nhiễm")


class MeasureCategory(models.TextChoices):
    WASTEWATER = "wastewater", _("Nước thải")
    AIR_EMISSIONS = "air_emissions", _("Khí thải")
    SOLID_WASTE = "solid_waste", _("Chất thải rắn")
    HAZARDOUS_WASTE = "hazardous_waste", _("Chất thải nguy hại")
    NOISE = "noise", _("Tiếng ồn")
    ENERGY_EFFICIENCY = "energy_efficiency", _("Sử dụng năng lượng hiệu quả")
    OTHER = "other", _("Khác")


class CertificateKind(models.TextChoices):
    """The environmental instruments a facility may hold (docs/geography.md)."""

    STANDARDS_CERTIFICATE = "standards_certificate", _("Giấy chứng nhận đạt tiêu chuẩn môi trường")
    ENVIRONMENTAL_PERMIT = "environmental_permit", _("Giấy phép môi trường")
    ENVIRONMENTAL_REGISTRATION = "environmental_registration", _("Đăng ký môi trường")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Còn hiệu lực")
    EXPIRED = "expired", _("Hết hiệu lực")
    REVOKED = "revoked", _("Đã thu hồi")
    NOT_YET_VALID = "not_yet_valid", _("Chưa có hiệu lực")


class ComplianceStatus(models.TextChoices):
    """A facility's compliance status on a date (docs/methodology.md, "Compliance status").

    Evaluated in this order; only COMPLIANT counts towards meeting standards.
    """

    COMPLIANT = "compliant", _("Đạt tiêu chuẩn môi trường")
    NOT_ASSESSED = "not_assessed", _("Chưa được kiểm tra")
    ASSESSMENT_EXPIRED = "assessment_expired", _("Kết quả kiểm tra đã quá hạn")
    NON_COMPLIANT = "non_compliant", _("Không đạt")
    OVERDUE_REMEDIATION = "overdue_remediation", _("Quá hạn khắc phục")


class Reason(models.TextChoices):
    """Why a facility of an indicator's population is not counted (docs/methodology.md)."""

    NOT_ASSESSED = "not_assessed", _("Chưa được kiểm tra")
    ASSESSMENT_EXPIRED = "assessment_expired", _("Kết quả kiểm tra đã quá hạn")
    NON_COMPLIANT = "non_compliant", _("Lần kiểm tra gần nhất: không đạt")
    OVERDUE_REMEDIATION = "overdue_remediation", _("Quá hạn khắc phục")
    NO_VERIFIED_MEASURE = "no_verified_measure", _("Chưa có biện pháp công nghệ sạch được xác nhận")
    NO_CERTIFICATE = "no_certificate", _("Chưa có giấy chứng nhận")
    CERTIFICATE_EXPIRED = "certificate_expired", _("Giấy chứng nhận hết hiệu lực")
    CERTIFICATE_REVOKED = "certificate_revoked", _("Giấy chứng nhận đã bị thu hồi")


def label_of(choices: type[models.TextChoices], code: str | None) -> str:
    """The label of ``code`` in ``choices``; "" for None; the code itself if unknown
    (a published report may hold a code that a later version no longer has)."""
    if not code:
        return ""
    try:
        return str(choices(code).label)
    except ValueError:
        return code
