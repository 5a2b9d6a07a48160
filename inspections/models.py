"""Site visits (inspections), what inspectors found there (findings), the photos and
documents taken (attachments), and the business's side of a corrective action: the
evidence it sends (remediation evidence and its files) and its requests for a
re-inspection (docs/web.md, "Business portal")."""

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
    EvidenceStatus,
    FindingCategory,
    InspectionKind,
    InspectionStatus,
    Outcome,
    ReinspectionStatus,
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
            # The work list's drafts in their order (compliance/worklist.py): few rows.
            models.Index(
                fields=["visited_on", "id"],
                condition=Q(status="draft"),
                name="inspection_draft",
            ),
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
        # No facility id: readers (the change log) name the facility beside it, by name.
        return f"{self.get_kind_display()} {self.visited_on:%d/%m/%Y} · {self.get_status_display()}"

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
        indexes = [
            # Overdue on D: deadline < D, not resolved by D. The id and the inspection ride
            # along so that the work list walks the overdue findings by deadline without
            # reading the resolved ones' rows (docs/performance.md, "Work list").
            models.Index(
                fields=["deadline", "resolved_on"],
                include=["id", "inspection"],
                name="finding_overdue",
            )
        ]

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


class RemediationEvidence(RegistryModel):
    """What a business sends to show that it completed a corrective action: a note, the
    day it finished, photos or documents. An inspector of the district accepts it (the
    finding is then resolved) or returns it with a reason; the business may send again.

    Evidence is a record like the inspection itself: never deleted (PROTECT).
    """

    finding = models.ForeignKey(
        Finding,
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("tồn tại, vi phạm"),
    )
    note = models.TextField(_("nội dung đã khắc phục"))
    completed_on = models.DateField(_("ngày hoàn thành khắc phục"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=EvidenceStatus.choices,
        default=EvidenceStatus.SUBMITTED,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người gửi"),
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xem xét"),
    )
    decided_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["finding_id", "-submitted_at", "-id"]
        verbose_name = _("minh chứng khắc phục")
        verbose_name_plural = _("minh chứng khắc phục")
        constraints = [
            # Two sends at once (a double tap, two phones) cannot both wait for a decision.
            models.UniqueConstraint(
                fields=["finding"],
                condition=Q(status="submitted"),
                name="evidence_one_pending_per_finding",
                violation_error_message=_(
                    "Đã có minh chứng đang chờ xem xét cho biện pháp khắc phục này."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="evidence_returned_has_reason",
                violation_error_message=_("Cần ghi lý do trả lại minh chứng."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=EvidenceStatus.values),
                name="evidence_status_known",
                violation_error_message=_("Trạng thái minh chứng không hợp lệ."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding_id} · {self.submitted_at:%d/%m/%Y} · {self.get_status_display()}"

    def clean(self) -> None:
        """The work was finished on a day after the visit and not in the future."""
        if self.completed_on is None:
            return
        if self.completed_on > timezone.localdate():
            raise ValidationError(
                {"completed_on": _("Ngày hoàn thành khắc phục không được sau hôm nay.")}
            )
        visited_on = self.finding.inspection.visited_on if self.finding_id else None
        if visited_on and self.completed_on < visited_on:
            raise ValidationError(
                {
                    "completed_on": _(
                        "Ngày hoàn thành khắc phục không được trước ngày kiểm tra (%(date)s)."
                    )
                    % {"date": visited_on.strftime("%d/%m/%Y")}
                }
            )


def evidence_file_path(instance: "EvidenceFile", filename: str) -> str:
    """Like ``attachment_path``: a random name under the evidence's finding."""
    suffix = Path(filename).suffix.lower()
    return f"evidence/{instance.evidence.finding_id}/{uuid.uuid4().hex}{suffix}"


class EvidenceFile(RegistryModel):
    """A photo or document sent with remediation evidence; checked and served like an
    inspection's attachments (inspections/attachments.py), never from a public URL."""

    evidence = models.ForeignKey(
        RemediationEvidence,
        on_delete=models.PROTECT,
        related_name="files",
        verbose_name=_("minh chứng khắc phục"),
    )
    file = models.FileField(_("tệp"), upload_to=evidence_file_path, max_length=200)
    original_name = models.CharField(_("tên tệp gốc"), max_length=200)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["evidence_id", "id"]
        verbose_name = _("tệp minh chứng")
        verbose_name_plural = _("tệp minh chứng")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ReinspectionRequest(RegistryModel):
    """A business asks the department to inspect a facility again (usually once its
    corrective actions are done); an inspector of the district answers."""

    facility = models.ForeignKey(
        "facilities.Facility",
        on_delete=models.PROTECT,
        related_name="reinspection_requests",
        verbose_name=_("cơ sở"),
    )
    reason = models.TextField(_("lý do đề nghị"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người đề nghị"),
    )
    requested_at = models.DateTimeField(_("đề nghị lúc"), default=timezone.now)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=ReinspectionStatus.choices,
        default=ReinspectionStatus.PENDING,
    )
    answer = models.TextField(_("trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người trả lời"),
    )
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("đề nghị kiểm tra lại")
        verbose_name_plural = _("đề nghị kiểm tra lại")
        constraints = [
            models.UniqueConstraint(
                fields=["facility"],
                condition=Q(status="pending"),
                name="reinspection_one_pending_per_facility",
                violation_error_message=_(
                    "Cơ sở này đã có một đề nghị kiểm tra lại đang chờ trả lời."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(answer=""),
                name="reinspection_answered_has_text",
                violation_error_message=_("Cần ghi nội dung trả lời."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReinspectionStatus.values),
                name="reinspection_status_known",
                violation_error_message=_("Trạng thái đề nghị không hợp lệ."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} · {self.requested_at:%d/%m/%Y} · {self.get_status_display()}"
