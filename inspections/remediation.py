"""Writes of the business's side of a corrective action (docs/web.md, "Business portal").

The business of a facility sends evidence that it completed a corrective action (a note,
the day it finished, photos or PDF); an inspector of the district accepts it — the
finding is then resolved through ``services.finding_resolve`` with that day — or returns
it with a reason, and the business may send again. The business may also ask for a
re-inspection of a facility, which an inspector of the district answers.

Like ``services``: keyword-only, atomic, the right to act checked here (403), the model's
validation run, and history written with the user and a reason. At most one evidence
waits per finding and one request per facility: the database's partial unique
constraints make that hold under two sends at once, and the loser gets the same clear
message as a second send later.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facilities.access import can_answer_for, can_decide_evidence
from facilities.history import change_context
from facilities.models import Facility
from facilities.text import nfc
from inspections.attachments import check_upload
from inspections.choices import EvidenceStatus, InspectionStatus, ReinspectionStatus
from inspections.models import EvidenceFile, Finding, ReinspectionRequest, RemediationEvidence
from inspections.services import effective_reason, finding_resolve

# At most this many files with one evidence (a phone's few photos and a document).
MAX_EVIDENCE_FILES = 10


def _require_answerable(user, facility: Facility) -> None:
    if not can_answer_for(user, facility):
        raise PermissionDenied(_("Chỉ doanh nghiệp của cơ sở này được gửi."))


def _require_decider(user, facility: Facility) -> None:
    if not can_decide_evidence(user, facility):
        raise PermissionDenied(_("Cơ sở này không thuộc địa bàn được giao cho bạn."))


def _text(value: str | None) -> str:
    return nfc(value or "").strip()


def pending_evidence_message() -> str:
    return _(
        "Đã có minh chứng đang chờ xem xét cho biện pháp khắc phục này: hãy chờ cán bộ"
        " trả lời trước khi gửi tiếp."
    )


def submit_check(*, user, finding: Finding) -> None:
    """May ``user`` send evidence for ``finding`` now? (PermissionDenied / ValidationError)"""
    _require_answerable(user, finding.inspection.facility)
    if finding.inspection.status != InspectionStatus.FINALIZED:
        raise ValidationError(_("Chỉ gửi minh chứng cho đợt kiểm tra đã hoàn tất."))
    if finding.resolved_on is not None:
        raise ValidationError(_("Biện pháp khắc phục này đã được ghi nhận hoàn thành."))
    if finding.evidence.filter(status=EvidenceStatus.SUBMITTED).exists():
        raise ValidationError(pending_evidence_message())


@transaction.atomic
def submit_evidence(
    *,
    user,
    finding: Finding,
    note: str,
    completed_on: datetime.date,
    files: Sequence = (),
    reason: str | None = None,
) -> RemediationEvidence:
    """The business says a corrective action is done, with a note and files.

    All or nothing: a refused file, a second pending evidence or any invalid value
    writes no row and leaves no file on disk.
    """
    submit_check(user=user, finding=finding)
    note = _text(note)
    if not note:
        raise ValidationError({"note": _("Hãy ghi đã khắc phục những gì.")})
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            {"files": _("Gửi tối đa %(count)s tệp một lần.") % {"count": MAX_EVIDENCE_FILES}}
        )
    content_types = []
    errors = []
    for upload in files:
        try:
            content_types.append(check_upload(upload))
        except ValidationError as error:
            errors += error.messages
    if errors:
        raise ValidationError({"files": errors})
    evidence = RemediationEvidence(
        finding=finding, note=note, completed_on=completed_on, submitted_by=user
    )
    # One waiting per finding is checked above and, against a send at the same moment,
    # by the database below: either way the same message, not the constraint's own.
    evidence.full_clean(validate_constraints=False)
    stored: list[EvidenceFile] = []
    try:
        with change_context(
            user=user, reason=effective_reason(reason) or _("gửi minh chứng khắc phục")
        ):
            try:
                with transaction.atomic():
                    evidence.save()
            except IntegrityError as error:
                # The other of two sends at once won (evidence_one_pending_per_finding).
                raise ValidationError(pending_evidence_message()) from error
            for upload, content_type in zip(files, content_types, strict=True):
                item = EvidenceFile(
                    evidence=evidence,
                    original_name=(upload.name or "")[:200],
                    content_type=content_type,
                    size=upload.size,
                )
                item.file.save(upload.name or "file", upload, save=False)
                stored.append(item)
                item.full_clean()
                item.save()
    except BaseException:
        for item in stored:
            item.file.delete(save=False)
        raise
    return evidence


def _locked_pending(evidence: RemediationEvidence) -> RemediationEvidence:
    """The evidence as it is now, locked; refused unless it still waits for a decision
    (two inspectors deciding at once: the second is told, nothing is written twice)."""
    current = (
        RemediationEvidence.objects.select_for_update()
        .select_related("finding__inspection__facility")
        .get(pk=evidence.pk)
    )
    if current.status != EvidenceStatus.SUBMITTED:
        raise ValidationError(_("Minh chứng này đã được xem xét."))
    return current


@transaction.atomic
def accept_evidence(
    *,
    user,
    evidence: RemediationEvidence,
    resolved_on: datetime.date | None = None,
    reason: str | None = None,
) -> RemediationEvidence:
    """Accept the evidence: the finding is resolved on ``resolved_on`` (by default the
    day the business said it finished)."""
    _require_decider(user, evidence.finding.inspection.facility)
    evidence = _locked_pending(evidence)
    reason = effective_reason(reason) or _("chấp nhận minh chứng khắc phục")
    finding_resolve(
        finding=evidence.finding,
        user=user,
        resolved_on=resolved_on or evidence.completed_on,
        reason=reason,
    )
    evidence.status = EvidenceStatus.ACCEPTED
    evidence.decided_by = user
    evidence.decided_at = timezone.now()
    evidence.full_clean()
    with change_context(user=user, reason=reason):
        evidence.save()
    return evidence


@transaction.atomic
def return_evidence(*, user, evidence: RemediationEvidence, reason: str) -> RemediationEvidence:
    """Send the evidence back with ``reason`` (what is missing); the finding stays open
    and the business may send again."""
    _require_decider(user, evidence.finding.inspection.facility)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"return_reason": _("Hãy ghi lý do trả lại.")})
    evidence = _locked_pending(evidence)
    evidence.status = EvidenceStatus.RETURNED
    evidence.return_reason = reason
    evidence.decided_by = user
    evidence.decided_at = timezone.now()
    evidence.full_clean()
    with change_context(user=user, reason=_("trả lại minh chứng: %(reason)s") % {"reason": reason}):
        evidence.save()
    return evidence


def pending_request_message() -> str:
    return _("Cơ sở này đã có một đề nghị kiểm tra lại đang chờ trả lời.")


def request_check(*, user, facility: Facility) -> None:
    """May ``user`` ask for a re-inspection of ``facility`` now?"""
    _require_answerable(user, facility)
    if facility.reinspection_requests.filter(status=ReinspectionStatus.PENDING).exists():
        raise ValidationError(pending_request_message())


@transaction.atomic
def request_reinspection(*, user, facility: Facility, reason: str) -> ReinspectionRequest:
    """The business asks the department to inspect ``facility`` again, saying why."""
    request_check(user=user, facility=facility)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do đề nghị kiểm tra lại.")})
    item = ReinspectionRequest(facility=facility, reason=reason, requested_by=user)
    item.full_clean(validate_constraints=False)  # as in submit_evidence
    with change_context(user=user, reason=_("đề nghị kiểm tra lại")):
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError as error:
            raise ValidationError(pending_request_message()) from error
    return item


@transaction.atomic
def answer_reinspection(
    *, user, request: ReinspectionRequest, status: str, answer: str
) -> ReinspectionRequest:
    """An inspector of the district answers: a re-inspection will take place
    (``scheduled``) or not (``declined``), with a text the business reads."""
    _require_decider(user, request.facility)
    if status not in (ReinspectionStatus.SCHEDULED, ReinspectionStatus.DECLINED):
        raise ValidationError({"status": _("Hãy chọn kiểm tra lại hay không.")})
    answer = _text(answer)
    if not answer:
        raise ValidationError({"answer": _("Hãy ghi nội dung trả lời.")})
    current = ReinspectionRequest.objects.select_for_update().get(pk=request.pk)
    if current.status != ReinspectionStatus.PENDING:
        raise ValidationError(_("Đề nghị này đã được trả lời."))
    current.status = status
    current.answer = answer
    current.answered_by = user
    current.answered_at = timezone.now()
    current.full_clean()
    with change_context(user=user, reason=_("trả lời đề nghị kiểm tra lại")):
        current.save()
    return current
