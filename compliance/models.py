"""Certificates of meeting environmental standards and clean-technology measures."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.choices import CertificateStatus, MeasureCategory, MeasureKind
from facilities.models import RegistryModel


class Certificate(RegistryModel):
    """A certificate of meeting environmental standards held by one facility."""

    search_fields = ("number", "issuer")

    facility = models.ForeignKey(
        "facilities.Facility",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("cơ sở"),
        db_index=False,  # certificate_valid (facility, issued_on, valid_until) serves it
    )
    number = models.CharField(_("số giấy chứng nhận"), max_length=60)
    issuer = models.CharField(_("cơ quan cấp"), max_length=200)
    issued_on = models.DateField(_("ngày cấp"))
    valid_until = models.DateField(_("có giá trị đến"))
    revoked_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)
    revocation_reason = models.TextField(_("lý do thu hồi"), blank=True)
    search_key = models.TextField(editable=False, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["facility_id", "-issued_on", "-id"]
        verbose_name = _("giấy chứng nhận đạt tiêu chuẩn môi trường")
        verbose_name_plural = _("giấy chứng nhận đạt tiêu chuẩn môi trường")
        indexes = [
            models.Index(fields=["facility", "issued_on", "valid_until"], name="certificate_valid")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                name="certificate_number_unique",
                violation_error_message=_("Đã có giấy chứng nhận với số này."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("issued_on")),
                name="certificate_valid_after_issue",
                violation_error_message=_("Ngày hết hiệu lực không được trước ngày cấp."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=F("issued_on")),
                name="certificate_revoked_after_issue",
                violation_error_message=_("Ngày thu hồi không được trước ngày cấp."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        errors = {}
        if self.issued_on and self.valid_until and self.valid_until < self.issued_on:
            errors["valid_until"] = _("Ngày hết hiệu lực không được trước ngày cấp.")
        if self.issued_on and self.revoked_on and self.revoked_on < self.issued_on:
            errors["revoked_on"] = _("Ngày thu hồi không được trước ngày cấp.")
        if self.revoked_on and not (self.revocation_reason or "").strip():
            errors["revocation_reason"] = _("Cần ghi lý do thu hồi.")
        if errors:
            raise ValidationError(errors)

    def status_on(self, day: datetime.date) -> str:
        """valid / expired / revoked / not_yet_valid on ``day`` (indicators.md)."""
        if self.revoked_on is not None and self.revoked_on <= day:
            return CertificateStatus.REVOKED
        if day < self.issued_on:
            return CertificateStatus.NOT_YET_VALID
        if day > self.valid_until:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID


class CleanTechMeasure(RegistryModel):
    """Clean technology or pollution-control equipment at a facility.

    Counted for the new-build indicator only once an inspector has verified it.
    """

    facility = models.ForeignKey(
        "facilities.Facility",
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("cơ sở"),
    )
    kind = models.CharField(_("loại"), max_length=20, choices=MeasureKind.choices)
    category = models.CharField(
        _("nhóm"), max_length=20, choices=MeasureCategory.choices, default=MeasureCategory.OTHER
    )
    description = models.TextField(_("mô tả"), blank=True)
    installed_on = models.DateField(_("ngày lắp đặt"))
    removed_on = models.DateField(_("ngày tháo dỡ"), null=True, blank=True)
    verified_on = models.DateField(_("ngày xác nhận"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["facility_id", "installed_on", "id"]
        verbose_name = _("biện pháp công nghệ sạch, giảm thiểu ô nhiễm")
        verbose_name_plural = _("biện pháp công nghệ sạch, giảm thiểu ô nhiễm")
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=F("installed_on")),
                name="measure_removed_after_installed",
                violation_error_message=_("Ngày tháo dỡ không được trước ngày lắp đặt."),
            ),
            models.CheckConstraint(
                condition=Q(verified_on__isnull=True) | Q(verified_on__gte=F("installed_on")),
                name="measure_verified_after_installed",
                violation_error_message=_("Ngày xác nhận không được trước ngày lắp đặt."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_category_display()}"

    def clean(self) -> None:
        errors = {}
        if self.installed_on and self.removed_on and self.removed_on < self.installed_on:
            errors["removed_on"] = _("Ngày tháo dỡ không được trước ngày lắp đặt.")
        if self.installed_on and self.verified_on and self.verified_on < self.installed_on:
            errors["verified_on"] = _("Ngày xác nhận không được trước ngày lắp đặt.")
        if errors:
            raise ValidationError(errors)


class PublishedReportError(Exception):
    """Raised on any attempt to change or delete a published annual report."""


class AnnualReportQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes: a published report is frozen for good."""

    def update(self, **kwargs):
        raise PublishedReportError(_("Báo cáo năm đã công bố không thể sửa."))

    def delete(self):
        raise PublishedReportError(_("Báo cáo năm đã công bố không thể xóa."))

    # bulk_update goes through update(); named here so the refusal is explicit.
    def bulk_update(self, objs, fields, batch_size=None):
        raise PublishedReportError(_("Báo cáo năm đã công bố không thể sửa."))


class AnnualReport(models.Model):
    """The published annual report of year ``year``: figures on 31 December, frozen.

    Written once by ``compliance.services.annual_report_publish`` and never again: the
    model, its queryset and its admin refuse every change and deletion. ``figures`` is
    the engine's JSON of that date (api.md shape); ``rows`` holds, per indicator code,
    every facility of the population with ``counted`` and ``reason`` as they stood; the
    rule settings in force are kept beside them so that a later change of settings
    explains a difference.
    """

    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    as_of = models.DateField(_("số liệu tính đến ngày"))
    figures = models.JSONField(_("số liệu"))
    rows = models.JSONField(_("danh sách cơ sở"))
    new_build_since = models.DateField(_("mốc cơ sở mới xây dựng"))
    assessment_valid_years = models.PositiveSmallIntegerField(_("thời hạn đánh giá (năm)"))
    published_at = models.DateTimeField(_("công bố lúc"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người công bố"),
    )

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("báo cáo năm đã công bố")
        verbose_name_plural = _("báo cáo năm đã công bố")

    def __str__(self) -> str:
        return str(_("Báo cáo năm %(year)s") % {"year": self.year})

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PublishedReportError(_("Báo cáo năm đã công bố không thể sửa."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PublishedReportError(_("Báo cáo năm đã công bố không thể xóa."))
