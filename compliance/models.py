"""Environmental instruments (certificates, permits, registrations) and clean-technology
measures."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.choices import CertificateKind, MeasureCategory, MeasureKind
from facilities.models import RegistryModel

# The 2020 Law on Environmental Protection took effect on this day: permits and
# registrations exist from it on (docs/geography.md).
LAW_2020_IN_FORCE = datetime.date(2022, 1, 1)
# The longest term of an environmental permit (Art. 40: 7 years for Group I, 10 otherwise).
PERMIT_MAX_YEARS = 10


def years_after(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved ``years`` later, same month and day; 29 February → 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class Certificate(RegistryModel):
    """An environmental instrument held by one facility: a certificate of meeting
    environmental standards (the 2012 plan's), or since 2022 an environmental permit or
    an environmental registration (docs/geography.md). A registration has no term."""

    search_fields = ("number", "issuer")

    facility = models.ForeignKey(
        "facilities.Facility",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("cơ sở"),
        db_index=False,  # certificate_valid (facility, issued_on, valid_until) serves it
    )
    kind = models.CharField(
        _("loại"),
        max_length=30,
        choices=CertificateKind.choices,
        default=CertificateKind.STANDARDS_CERTIFICATE,
    )
    number = models.CharField(_("số giấy chứng nhận"), max_length=60)
    issuer = models.CharField(_("cơ quan cấp"), max_length=200)
    issued_on = models.DateField(_("ngày cấp"))
    # Empty only for a registration, which stays in force until revoked or replaced.
    valid_until = models.DateField(_("có giá trị đến"), null=True, blank=True)
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
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("issued_on")),
                name="certificate_valid_after_issue",
                violation_error_message=_("Ngày hết hiệu lực không được trước ngày cấp."),
            ),
            models.CheckConstraint(
                condition=Q(
                    kind=CertificateKind.ENVIRONMENTAL_REGISTRATION, valid_until__isnull=True
                )
                | (
                    ~Q(kind=CertificateKind.ENVIRONMENTAL_REGISTRATION)
                    & Q(valid_until__isnull=False)
                ),
                name="certificate_term_by_kind",
                violation_error_message=_(
                    "Giấy phép môi trường và giấy chứng nhận phải có ngày hết hiệu lực;"
                    " đăng ký môi trường thì không có."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind=CertificateKind.STANDARDS_CERTIFICATE)
                | Q(issued_on__gte=LAW_2020_IN_FORCE),
                name="certificate_law_2020_instruments_from_2022",
                violation_error_message=_(
                    "Giấy phép môi trường và đăng ký môi trường chỉ có từ ngày 01/01/2022."
                ),
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
        kind = self.kind or CertificateKind.STANDARDS_CERTIFICATE
        if kind == CertificateKind.ENVIRONMENTAL_REGISTRATION:
            if self.valid_until is not None:
                errors["valid_until"] = _(
                    "Đăng ký môi trường không có thời hạn: để trống ngày hết hiệu lực."
                )
        elif self.valid_until is None:
            errors["valid_until"] = _("Cần ngày hết hiệu lực.")
        elif (
            kind == CertificateKind.ENVIRONMENTAL_PERMIT
            and self.issued_on
            and self.valid_until > years_after(self.issued_on, PERMIT_MAX_YEARS)
        ):
            errors["valid_until"] = _(
                "Giấy phép môi trường có thời hạn tối đa 10 năm kể từ ngày cấp (đến ngày %(day)s)."
            ) % {"day": years_after(self.issued_on, PERMIT_MAX_YEARS).strftime("%d/%m/%Y")}
        if (
            kind != CertificateKind.STANDARDS_CERTIFICATE
            and self.issued_on
            and self.issued_on < LAW_2020_IN_FORCE
        ):
            errors["issued_on"] = _(
                "Giấy phép môi trường và đăng ký môi trường chỉ có từ ngày 01/01/2022."
            )
        if self.issued_on and self.revoked_on and self.revoked_on < self.issued_on:
            errors["revoked_on"] = _("Ngày thu hồi không được trước ngày cấp.")
        if self.revoked_on and not (self.revocation_reason or "").strip():
            errors["revocation_reason"] = _("Cần ghi lý do thu hồi.")
        if errors:
            raise ValidationError(errors)


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
        indexes = [
            # The work list's measures to verify in their order (compliance/worklist.py).
            models.Index(
                fields=["installed_on", "id"],
                condition=Q(verified_on__isnull=True, removed_on__isnull=True),
                name="measure_to_verify",
            )
        ]
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
    the engine's JSON of that date (docs/api.md shape); ``rows`` holds, per indicator code,
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


class StandingAspect(models.TextChoices):
    """What one row of a facility's standing says holds on its dates (docs/architecture.md,
    "The standing"). Derived data: rebuilt from the registry, never edited."""

    # The latest finalized inspection (value: its outcome) from its visit until the next.
    INSPECTION = "inspection", _("Lần kiểm tra gần nhất")
    # At least one corrective action overdue.
    OVERDUE = "overdue", _("Quá hạn khắc phục")
    # At least one verified clean-technology or pollution-control measure in place.
    MEASURE = "measure", _("Biện pháp công nghệ sạch được xác nhận")
    # The certificate status (value: compliance.choices.CertificateStatus).
    CERTIFICATE = "certificate", _("Tình trạng giấy chứng nhận")


class FacilityStanding(models.Model):
    """ "Aspect A (with value V) holds for facility F on [valid_from, valid_to)".

    The rows of one facility and aspect never overlap, so a date meets at most one.
    Kept current by compliance/standing.py on every write of a facility's inspections,
    findings, certificates and measures; the indicators read it (docs/methodology.md,
    "How it is computed fast"). Settings are applied when it is read, not stored: the
    assessment window is compared with ``valid_from`` (the visit) on the asked date.
    """

    facility = models.ForeignKey(
        "facilities.Facility",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # facility_standing_lookup (facility, aspect, valid_from) serves it
    )
    aspect = models.CharField(max_length=20, choices=StandingAspect.choices)
    value = models.CharField(max_length=30, blank=True, default="")
    valid_from = models.DateField()
    valid_to = models.DateField()  # exclusive; compliance.standing.OPEN_END when open

    class Meta:
        verbose_name = _("tình trạng cơ sở theo thời gian")
        verbose_name_plural = _("tình trạng cơ sở theo thời gian")
        indexes = [
            models.Index(
                fields=["facility", "aspect", "valid_from"], name="facility_standing_lookup"
            ),
            models.Index(fields=["aspect", "valid_from", "valid_to"], name="facility_standing_on"),
            # The work list's expired assessments in their order (valid_from, facility):
            # a walk of the latest visits, never a sort of them (compliance/worklist.py).
            models.Index(
                fields=["valid_from", "facility"],
                include=["valid_to"],
                condition=Q(aspect="inspection"),
                name="standing_latest_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.aspect} {self.value} [{self.valid_from}, {self.valid_to})"


class StoredFigures(models.Model):
    """One stored date: its ``StoredCell`` rows hold the counts of every (district,
    commune, sector) cell on ``as_of``, so that the figures of any scope on that date are
    a sum of stored rows (compliance/indicators/stored.py). Only the rows of the current
    ``FiguresGeneration`` count: every registry write that can change a figure starts a
    new generation — a write of a few facilities carries the rows to it by its delta,
    any other leaves it empty and the next read computes them again. ``rules`` holds the
    rule settings they were computed under, so a change of settings is a miss too.
    ``scope`` is always "*" (every cell) and ``counts`` unused: both remain from when a
    row held one scope's totals."""

    as_of = models.DateField()
    scope = models.CharField(max_length=60)
    rules = models.CharField(max_length=40)
    generation = models.PositiveBigIntegerField()
    counts = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "scope", "rules", "generation"], name="stored_figures_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.scope}"


class StoredCell(models.Model):
    """The counts of one (district, commune, sector) cell on a stored date: populations
    and numerators of the three indicators. ``district`` is the facility's district
    (recorded, or derived from its commune), either unit may be None."""

    figures = models.ForeignKey(StoredFigures, on_delete=models.CASCADE, related_name="cells")
    district = models.CharField(max_length=3, null=True)
    commune = models.CharField(max_length=5, null=True)
    sector = models.CharField(max_length=40, null=True)
    p1 = models.IntegerField()
    n1 = models.IntegerField()
    p2 = models.IntegerField()
    n2 = models.IntegerField()
    p3 = models.IntegerField()
    n3 = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.district}|{self.commune}|{self.sector}"


class FiguresGeneration(models.Model):
    """One row: the generation of the stored figures, moved on by every write that can
    change a figure (and locked by a write carrying them, so such writes take turns).
    Figures computed under an older generation are never read, even when they were
    stored after the write (a read that raced it)."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.number)


class StoredWorklistCounts(models.Model):
    """The work list's counts per kind of one day, per facility place (district of the
    facility, commune), stored so that a page does not count every facility of the area
    (compliance/worklist.py, ``stored_cells``). Like ``StoredFigures``, only the row of
    the current ``FiguresGeneration`` counts: every write that can change a count moves
    the generation on (the standing's writes and a facility's own columns), and the next
    page counts again. ``rules`` holds the rule settings they were counted under."""

    as_of = models.DateField()
    rules = models.CharField(max_length=40)
    generation = models.PositiveBigIntegerField()
    cells = models.JSONField()  # [[kind, district of the facility, commune, count], ...]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "rules", "generation"], name="stored_worklist_counts_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.generation}"
