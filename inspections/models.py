"""Site visits (inspections), what inspectors found there (findings), and the photos
and documents taken (attachments)."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from facilities.dates import validate_date
from facilities.models import RegistryModel
from inspections.choices import (
    FindingCategory,
    InspectionKind,
    InspectionStatus,
    Outcome,
    Severity,
)


class Inspection(RegistryModel):
    """One site visit to a facility; counts for the indicators once finalized."""

    facility = models.ForeignKey(
        "facilities.Facility",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("cơ sở"),
        db_index=False,  # inspection_latest (facility, status, visited_on) serves it
    )
    kind = models.CharField(
        _("loại kiểm tra"),
        max_length=12,
        choices=InspectionKind.choices,
        default=InspectionKind.PERIODIC,
    )
    visited_on = models.DateField(_("ngày kiểm tra"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=InspectionStatus.choices,
        default=InspectionStatus.DRAFT,
    )
    outcome = models.CharField(
        _("kết quả"), max_length=24, choices=Outcome.choices, blank=True, default=""
    )
    summary = models.TextField(_("tóm tắt"), blank=True)
    # Made by the visit form when it is opened, sent with every save of it: a save sent
    # again (a retry from the device's outbox, a double tap) finds the visit it already
    # made instead of making a second one (docs/web.md, "Field workflow"). NULL for
    # visits recorded before it existed and through the API.
    submission_key = models.UUIDField(_("mã lần gửi"), null=True, blank=True, editable=False)
    # The key of the last save of the draft's form that was applied (a new one each time
    # the form is opened): the same save sent again changes nothing a second time — no
    # finding or file added twice. Bookkeeping, not kept in the history.
    last_save_key = models.UUIDField(_("mã lần lưu cuối"), null=True, blank=True, editable=False)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="inspections",
        verbose_name=_("cán bộ kiểm tra"),
    )
    finalized_at = models.DateTimeField(_("hoàn tất lúc"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người hoàn tất"),
    )

    history = HistoricalRecords(m2m_fields=[inspectors], excluded_fields=["last_save_key"])

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("đợt kiểm tra")
        verbose_name_plural = _("đợt kiểm tra")
        indexes = [
            models.Index(fields=["facility", "status", "visited_on"], name="inspection_latest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"],
                name="inspection_submission_key_unique",
                violation_error_message=_("Đợt kiểm tra này đã được gửi."),
            ),
            models.CheckConstraint(
                condition=~Q(status=InspectionStatus.FINALIZED) | ~Q(outcome=""),
                name="inspection_finalized_has_outcome",
                violation_error_message=_("Đợt kiểm tra đã hoàn tất phải có kết quả."),
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values),
                name="inspection_outcome_known",
                violation_error_message=_("Kết quả kiểm tra không hợp lệ."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} · {self.visited_on:%d/%m/%Y} · {self.get_status_display()}"

    def clean(self) -> None:
        """A visit happened on a day within the registry's range, and not in the future;
        checked here so that the API, pages, admin and import all refuse it alike."""
        if self.visited_on is None:
            return
        if self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": _("Ngày kiểm tra không được sau hôm nay.")})
        try:
            validate_date(self.visited_on)
        except ValidationError as error:
            raise ValidationError({"visited_on": error.messages}) from error

    @property
    def is_locked(self) -> bool:
        """A finalized inspection is evidence, and a cancelled one the record that a visit
        did not take place: either changes only by a correction with a reason."""
        return self.status in (InspectionStatus.FINALIZED, InspectionStatus.CANCELLED)


class Finding(RegistryModel):
    """A problem found at an inspection, with the corrective action and its deadline."""

    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("đợt kiểm tra"),
    )
    category = models.CharField(_("nhóm"), max_length=24, choices=FindingCategory.choices)
    description = models.TextField(_("mô tả"))
    severity = models.CharField(
        _("mức độ"), max_length=10, choices=Severity.choices, default=Severity.MINOR
    )
    corrective_action = models.TextField(_("biện pháp khắc phục"), blank=True)
    deadline = models.DateField(_("thời hạn khắc phục"), null=True, blank=True)
    resolved_on = models.DateField(_("ngày khắc phục xong"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection_id", "id"]
        verbose_name = _("tồn tại, vi phạm")
        verbose_name_plural = _("tồn tại, vi phạm")
        indexes = [models.Index(fields=["deadline", "resolved_on"], name="finding_overdue")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description[:60]}"

    def clean(self) -> None:
        """Deadline and resolution cannot precede the visit (a rule across two tables);
        the resolution is something that happened, so not after today."""
        errors = {}
        if self.resolved_on and self.resolved_on > timezone.localdate():
            errors["resolved_on"] = _("Ngày khắc phục xong không được sau hôm nay.")
        visited_on = self.inspection.visited_on if self.inspection_id else None
        if visited_on is None:
            if errors:
                raise ValidationError(errors)
            return
        if self.deadline and self.deadline < visited_on:
            errors["deadline"] = _(
                "Thời hạn khắc phục không được trước ngày kiểm tra (%(date)s)."
            ) % {"date": visited_on.strftime("%d/%m/%Y")}
        if self.resolved_on and self.resolved_on < visited_on and "resolved_on" not in errors:
            errors["resolved_on"] = _(
                "Ngày khắc phục xong không được trước ngày kiểm tra (%(date)s)."
            ) % {"date": visited_on.strftime("%d/%m/%Y")}
        if errors:
            raise ValidationError(errors)


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Stored under the inspection's id with a random name: the user's file name is kept
    in ``original_name`` only, so no typed name ever reaches the file system."""
    suffix = Path(filename).suffix.lower()
    return f"inspections/{instance.inspection_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(RegistryModel):
    """A photo or document taken at an inspection (evidence, like the inspection itself).

    Size and type are checked by the upload form against the file's first bytes, not
    only its name; files are served through a view that applies the inspection's
    visibility rules, never from a public media URL.
    """

    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("đợt kiểm tra"),
    )
    file = models.FileField(_("tệp"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("tên tệp gốc"), max_length=200)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    caption = models.CharField(_("chú thích"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người tải lên"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection_id", "id"]
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
