"""Writes of the inspection lifecycle: draft → finalized (or cancelled), and findings.

Every function is keyword-only, atomic, checks that ``user`` may inspect the facility,
runs the model's full validation, and writes history with ``user`` and the reason (the
explicit ``reason``, else the request's ``X-Change-Reason``). Views, serializers, pages
and admin actions call these; nothing else writes inspections or findings.

A finalized inspection is evidence, a cancelled one the record that a visit did not take
place (``Inspection.is_locked``): either, and its findings, change afterwards only by a
correction that carries a reason — except ``resolved_on`` of a finding, which records
what the facility did after the visit. The rules on the values themselves (visit day,
resolution day) are the models' ``clean()``, which every function here runs.
"""

from __future__ import annotations

import copy
import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facilities.access import can_discard_draft, can_inspect, role_of
from facilities.choices import Role
from facilities.history import change_context, clean_reason, current_reason
from facilities.models import Facility
from inspections.choices import InspectionKind, InspectionStatus, Outcome
from inspections.models import Attachment, Finding, Inspection

INSPECTION_FIELDS = frozenset({"facility", "kind", "visited_on", "outcome", "summary"})
FINDING_FIELDS = frozenset(
    {
        "inspection",
        "category",
        "description",
        "severity",
        "corrective_action",
        "deadline",
        "resolved_on",
    }
)
# What may change on a finding of a finalized inspection without a correction reason.
FINDING_FIELDS_OPEN_AFTER_FINALIZE = frozenset({"resolved_on"})


def effective_reason(reason: str | None) -> str | None:
    """The explicit reason, else the one of the surrounding request (X-Change-Reason)."""
    return clean_reason(reason) or current_reason()


def require_inspectable(user, facility: Facility) -> None:
    """Refuse (PermissionDenied) unless ``user`` may inspect ``facility``."""
    if not can_inspect(user, facility):
        raise PermissionDenied(_("Cơ sở này không thuộc địa bàn được giao cho bạn."))


def require_correction_reason(reason: str | None) -> None:
    if not reason:
        raise ValidationError(
            {
                "change_reason": _(
                    "Đợt kiểm tra đã hoàn tất: chỉ được điều chỉnh khi ghi rõ lý do"
                    " (trường change_reason hoặc tiêu đề X-Change-Reason)."
                )
            }
        )


def _add_acting_inspector(inspection: Inspection, user) -> None:
    # The inspectors who took part are recorded; an administrator is not an inspector.
    if role_of(user) == Role.INSPECTOR and not inspection.inspectors.filter(pk=user.pk).exists():
        inspection.inspectors.add(user)


class AlreadySubmitted(Exception):
    """The visit form's submission key already made ``inspection``: the same save sent
    again (docs/web.md, "Field workflow"). Nothing was written."""

    def __init__(self, inspection: Inspection):
        super().__init__(inspection.pk)
        self.inspection = inspection


def inspection_sent_with(submission_key: uuid.UUID | None) -> Inspection | None:
    """The inspection a visit form's submission key already made, if any."""
    if submission_key is None:
        return None
    return Inspection.objects.filter(submission_key=submission_key).first()


@transaction.atomic
def inspection_create(
    *,
    user,
    facility: Facility,
    visited_on: datetime.date,
    kind: str = InspectionKind.PERIODIC,
    summary: str = "",
    outcome: str = "",
    reason: str | None = None,
    submission_key: uuid.UUID | None = None,
) -> Inspection:
    """Record a draft inspection of ``facility``; the acting inspector is listed on it.

    With a ``submission_key`` that already made an inspection, nothing is written and
    AlreadySubmitted names that inspection — also when two sends of the same form race:
    the database's unique constraint stops the second, which then finds the first.
    """
    require_inspectable(user, facility)
    existing = inspection_sent_with(submission_key)
    if existing is not None:
        raise AlreadySubmitted(existing)
    inspection = Inspection(
        facility=facility,
        visited_on=visited_on,
        kind=kind,
        summary=summary,
        outcome=outcome,
        submission_key=submission_key,
    )
    inspection.full_clean(validate_constraints=False)
    inspection.validate_constraints(exclude={"submission_key"})
    with change_context(user=user, reason=effective_reason(reason) or _("tạo đợt kiểm tra")):
        try:
            with transaction.atomic():
                inspection.save()
        except IntegrityError:
            existing = (
                Inspection.objects.filter(submission_key=submission_key).first()
                if submission_key is not None
                else None
            )
            if existing is None:
                raise
            raise AlreadySubmitted(existing) from None
        _add_acting_inspector(inspection, user)
    return inspection


def inspection_save_claim(*, inspection: Inspection, save_key: uuid.UUID | None) -> bool:
    """Claim ``save_key`` for a save of ``inspection``'s draft form, inside the caller's
    transaction: False when that save was already applied (sent again after its answer
    was lost), and then the caller writes nothing. The row is locked until the caller's
    transaction ends, so two sends of one save are applied one after the other."""
    if save_key is None:
        return True
    locked = Inspection.objects.select_for_update().only("last_save_key").get(pk=inspection.pk)
    if locked.last_save_key == save_key:
        return False
    # Bookkeeping outside the history (the field is excluded from it): a plain update.
    Inspection.objects.filter(pk=inspection.pk).update(last_save_key=save_key)
    return True


@transaction.atomic
def inspection_discard(*, inspection: Inspection, user, reason: str | None = None) -> None:
    """Throw away a draft that will not be finished: the visit, its findings and files.

    Only a draft, only by whoever started it or an administrator (``can_discard_draft``,
    else PermissionDenied: a finalized visit is evidence). The history keeps a deletion
    row of each with the user and the reason; the stored files go once the deletion is
    committed."""
    if not can_discard_draft(user, inspection):
        raise PermissionDenied(_("Chỉ người lập bản nháp hoặc quản trị viên được bỏ bản nháp."))
    reason = effective_reason(reason) or _("bỏ bản nháp")
    storage_names = []
    with change_context(user=user, reason=reason):
        for attachment in Attachment.objects.filter(inspection=inspection):
            storage_names.append((attachment.file.storage, attachment.file.name))
            attachment.delete()
        for finding in inspection.findings.all():
            finding.delete()
        inspection.delete()
    for storage, name in storage_names:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def inspection_update_check(
    *, inspection: Inspection, user, reason: str | None, changes: dict[str, Any]
) -> dict[str, Any]:
    """The fields ``changes`` really changes, once the rules of an update allow them
    (ValidationError / PermissionDenied otherwise). Forms that must show the refusal next
    to the fields (the admin) call this before saving; ``inspection_update`` calls it too.
    """
    unknown = set(changes) - INSPECTION_FIELDS
    if unknown:
        raise ValidationError({name: _("Không được sửa trường này.") for name in sorted(unknown)})
    require_inspectable(user, inspection.facility)
    changed = {k: v for k, v in changes.items() if getattr(inspection, k) != v}
    if inspection.is_locked and changed:
        require_correction_reason(effective_reason(reason))
    new_facility = changed.get("facility")
    if new_facility is not None and not can_inspect(user, new_facility):
        raise ValidationError({"facility": _("Cơ sở này không thuộc địa bàn được giao cho bạn.")})
    _validate_with(inspection, changed)
    return changed


@transaction.atomic
def inspection_update(
    *, inspection: Inspection, user, reason: str | None = None, **changes: Any
) -> Inspection:
    """Change an inspection's fields; a finalized or cancelled one only as a correction
    with a reason. Moving it to another facility needs the right to inspect both."""
    changed = inspection_update_check(
        inspection=inspection, user=user, reason=reason, changes=changes
    )
    reason = effective_reason(reason)
    if not changed:
        return inspection
    return _save_changes(inspection, changed, user=user, reason=reason or _("sửa đợt kiểm tra"))


@transaction.atomic
def inspection_finalize(
    *, inspection: Inspection, user, outcome: str, reason: str | None = None
) -> Inspection:
    """Draft → finalized with an ``outcome``: from now on the visit counts as evidence."""
    require_inspectable(user, inspection.facility)
    if inspection.status != InspectionStatus.DRAFT:
        raise ValidationError(
            {"status": _("Chỉ hoàn tất được đợt kiểm tra đang ở trạng thái nháp.")}
        )
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Cần chọn kết quả kiểm tra hợp lệ để hoàn tất.")})
    inspection.status = InspectionStatus.FINALIZED
    inspection.outcome = outcome
    inspection.finalized_at = timezone.now()
    inspection.finalized_by = user
    inspection.full_clean()
    with change_context(user=user, reason=effective_reason(reason) or _("hoàn tất đợt kiểm tra")):
        inspection.save()
        _add_acting_inspector(inspection, user)
    return inspection


@transaction.atomic
def inspection_cancel(*, inspection: Inspection, user, reason: str | None = None) -> Inspection:
    """Draft → cancelled (the visit did not take place); a finalized one cannot be."""
    require_inspectable(user, inspection.facility)
    if inspection.status != InspectionStatus.DRAFT:
        raise ValidationError({"status": _("Chỉ hủy được đợt kiểm tra đang ở trạng thái nháp.")})
    inspection.status = InspectionStatus.CANCELLED
    with change_context(user=user, reason=effective_reason(reason) or _("hủy đợt kiểm tra")):
        inspection.save()
    return inspection


@transaction.atomic
def inspection_delete(*, inspection: Inspection, user, reason: str | None = None) -> None:
    """Delete a draft inspection and its findings; finalized ones are evidence and stay."""
    require_inspectable(user, inspection.facility)
    if inspection.status == InspectionStatus.FINALIZED:
        raise ValidationError({"status": _("Đợt kiểm tra đã hoàn tất là hồ sơ, không được xóa.")})
    with change_context(user=user, reason=effective_reason(reason) or _("xóa đợt kiểm tra")):
        for finding in inspection.findings.all():
            finding.delete()
        inspection.delete()


def finding_create_check(
    *, user, inspection: Inspection, reason: str | None, fields: dict[str, Any]
) -> None:
    """May ``user`` record a finding with ``fields`` on ``inspection`` now?"""
    unknown = set(fields) - (FINDING_FIELDS - {"inspection"})
    if unknown:
        raise ValidationError({name: _("Không được sửa trường này.") for name in sorted(unknown)})
    require_inspectable(user, inspection.facility)
    if inspection.is_locked:
        require_correction_reason(effective_reason(reason))


@transaction.atomic
def finding_create(
    *, user, inspection: Inspection, reason: str | None = None, **fields: Any
) -> Finding:
    """Record a finding of ``inspection``; on a finalized one only as a correction."""
    finding_create_check(user=user, inspection=inspection, reason=reason, fields=fields)
    reason = effective_reason(reason)
    finding = Finding(inspection=inspection, **fields)
    finding.full_clean()
    with change_context(user=user, reason=reason or _("ghi nhận tồn tại, vi phạm")):
        finding.save()
    return finding


def finding_update_check(
    *, finding: Finding, user, reason: str | None, changes: dict[str, Any]
) -> dict[str, Any]:
    """The fields ``changes`` really changes, once the rules of an update allow them
    (like ``inspection_update_check``)."""
    unknown = set(changes) - FINDING_FIELDS
    if unknown:
        raise ValidationError({name: _("Không được sửa trường này.") for name in sorted(unknown)})
    require_inspectable(user, finding.inspection.facility)
    reason = effective_reason(reason)
    changed = {k: v for k, v in changes.items() if getattr(finding, k) != v}
    target = changed.get("inspection")
    if target is not None:
        if not can_inspect(user, target.facility):
            raise ValidationError(
                {"inspection": _("Cơ sở này không thuộc địa bàn được giao cho bạn.")}
            )
        if target.is_locked:
            require_correction_reason(reason)
    if finding.inspection.is_locked and set(changed) - FINDING_FIELDS_OPEN_AFTER_FINALIZE:
        require_correction_reason(reason)
    _validate_with(finding, changed)
    return changed


@transaction.atomic
def finding_update(*, finding: Finding, user, reason: str | None = None, **changes: Any) -> Finding:
    """Change a finding; once its inspection is finalized, anything but ``resolved_on``
    needs a correction reason. Moving it to another inspection checks both."""
    changed = finding_update_check(finding=finding, user=user, reason=reason, changes=changes)
    reason = effective_reason(reason)
    if not changed:
        return finding
    return _save_changes(finding, changed, user=user, reason=reason or _("sửa tồn tại, vi phạm"))


@transaction.atomic
def finding_resolve(
    *, finding: Finding, user, resolved_on: datetime.date, reason: str | None = None
) -> Finding:
    """Record the day the facility fixed what was found (allowed after finalization)."""
    require_inspectable(user, finding.inspection.facility)
    finding.resolved_on = resolved_on
    finding.full_clean()
    with change_context(user=user, reason=effective_reason(reason) or _("khắc phục xong")):
        finding.save()
    return finding


@transaction.atomic
def finding_delete(*, finding: Finding, user, reason: str | None = None) -> None:
    """Delete a finding of a draft inspection; those of finalized ones are evidence."""
    require_inspectable(user, finding.inspection.facility)
    if finding.inspection.is_locked:
        raise ValidationError(
            {"status": _("Đợt kiểm tra đã hoàn tất là hồ sơ, không được xóa tồn tại của nó.")}
        )
    with change_context(user=user, reason=effective_reason(reason) or _("xóa tồn tại, vi phạm")):
        finding.delete()


def _validate_with(obj, changed: dict) -> None:
    """The model's validation of ``obj`` as it would be with ``changed`` (obj untouched)."""
    if not changed:
        return
    candidate = copy.copy(obj)
    for name, value in changed.items():
        setattr(candidate, name, value)
    candidate.full_clean()


def _save_changes(obj, changed: dict, *, user, reason: str):
    """Apply ``changed`` to ``obj``, validate it whole, and save with user and reason."""
    for name, value in changed.items():
        setattr(obj, name, value)
    obj.full_clean()
    with change_context(user=user, reason=reason):
        obj.save()
    return obj
