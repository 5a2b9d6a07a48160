"""Enumerations of the compliance app (codes are part of the public API, api.md)."""

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
