"""Writes of the compliance app: certificates and measures from the office forms,
revoking a certificate, verifying measures, publishing annual reports."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.indicators import compute_snapshot, rules
from compliance.models import AnnualReport, Certificate, CleanTechMeasure
from facilities.access import can_inspect
from facilities.dates import FIRST_YEAR
from facilities.history import change_context, clean_reason, current_reason
from facilities.models import Facility, new_build_since
from facilities.services import (
    claim_version,
    registry_update,
    require_reason,
    require_registry_manager,
    save_with_reason,
)


@transaction.atomic
def measure_verify(
    *,
    measure: CleanTechMeasure,
    user,
    verified_on: datetime.date,
    reason: str | None = None,
) -> CleanTechMeasure:
    """Record that an inspector saw ``measure`` in place on ``verified_on``, and who.

    Only verified measures count for the new-build indicator (docs/methodology.md).
    """
    if not can_inspect(user, measure.facility):
        raise PermissionDenied(_("Cơ sở này không thuộc địa bàn được giao cho bạn."))
    if verified_on > timezone.localdate():
        raise ValidationError({"verified_on": _("Ngày xác nhận không được sau hôm nay.")})
    measure.verified_on = verified_on
    measure.verified_by = user
    measure.full_clean()
    reason = clean_reason(reason) or current_reason() or _("xác nhận biện pháp")
    with change_context(user=user, reason=reason):
        measure.save()
    return measure


class ReportAlreadyPublished(Exception):
    """Year Y's report is published already; it can be neither replaced nor redone."""


def validate_report_year(year: int, *, today: datetime.date | None = None) -> None:
    """A report year is one that has ended: 2000 ≤ year and 31 December year < today."""
    today = today or timezone.localdate()
    # Integer comparison: 31 December Y < today ⟺ Y < this year (and no date is built
    # from an absurd year such as 10000).
    if not FIRST_YEAR <= year < today.year:
        raise ValidationError(
            _("Chỉ công bố được báo cáo của năm đã kết thúc, từ năm %(min)s đến năm %(max)s.")
            % {"min": FIRST_YEAR, "max": today.year - 1},
            code="report_year",
        )


@transaction.atomic
def annual_report_publish(*, year: int, user) -> AnnualReport:
    """Compute year ``year``'s report on 31 December and freeze it, once and for all.

    The figures and every facility's row come from one query (``compute_snapshot``), so
    they agree with each other. A second publication of the same year — even a
    concurrent one — raises ``ReportAlreadyPublished`` (unique year).
    """
    validate_report_year(year)
    if AnnualReport.objects.filter(year=year).exists():
        raise ReportAlreadyPublished(year)
    as_of = rules.year_end(year)
    snapshot = compute_snapshot(as_of)
    try:
        with transaction.atomic():
            return AnnualReport.objects.create(
                year=year,
                as_of=as_of,
                figures=snapshot.report.to_dict(),
                rows={
                    code: [row.to_dict() for row in rows] for code, rows in snapshot.rows.items()
                },
                new_build_since=new_build_since(),
                assessment_valid_years=settings.ASSESSMENT_VALID_YEARS,
                published_at=timezone.now(),
                published_by=user,
            )
    except IntegrityError as exc:
        raise ReportAlreadyPublished(year) from exc


@transaction.atomic
def certificate_create(*, facility: Facility, user, reason: str, **fields) -> Certificate:
    """Record a certificate, permit or registration of ``facility`` (administrators)."""
    require_registry_manager(user)
    reason = require_reason(reason)
    certificate = Certificate(facility=facility, **fields)
    save_with_reason(certificate, user=user, reason=reason)
    return certificate


@transaction.atomic
def certificate_update(
    *, certificate: Certificate, user, reason: str, version: int | None = None, **fields
) -> Certificate:
    """Correct a certificate's details. A revoked one is frozen: it cannot be edited."""
    require_registry_manager(user)
    reason = require_reason(reason)
    claim_version(Certificate, certificate.pk, version)
    certificate = Certificate.objects.get(pk=certificate.pk)
    if certificate.revoked_on:
        raise ValidationError(_("Giấy chứng nhận đã bị thu hồi, không sửa được nữa."))
    for name, value in fields.items():
        setattr(certificate, name, value)
    save_with_reason(certificate, user=user, reason=reason)
    return certificate


@transaction.atomic
def certificate_revoke(
    *,
    certificate: Certificate,
    user,
    revoked_on: datetime.date,
    revocation_reason: str,
    version: int | None = None,
) -> Certificate:
    """Revoke a certificate from ``revoked_on``: it stops counting as valid from that day
    (docs/methodology.md) and is kept, frozen, with the reason of the revocation."""
    require_registry_manager(user)
    reason = clean_reason(revocation_reason)
    if not reason:
        raise ValidationError({"revocation_reason": _("Cần ghi lý do thu hồi.")})
    claim_version(Certificate, certificate.pk, version)
    certificate = Certificate.objects.get(pk=certificate.pk)
    if certificate.revoked_on:
        raise ValidationError(_("Giấy chứng nhận đã bị thu hồi, không sửa được nữa."))
    if revoked_on > timezone.localdate():
        raise ValidationError({"revoked_on": _("Ngày thu hồi không được sau hôm nay.")})
    certificate.revoked_on = revoked_on
    certificate.revocation_reason = reason
    save_with_reason(certificate, user=user, reason=_("thu hồi: %(reason)s") % {"reason": reason})
    return certificate


@transaction.atomic
def measure_create(*, facility: Facility, user, reason: str, **fields) -> CleanTechMeasure:
    """Record a clean-technology measure at ``facility`` (administrators); it counts for
    the new-build indicator only once an inspector verifies it."""
    require_registry_manager(user)
    reason = require_reason(reason)
    measure = CleanTechMeasure(facility=facility, **fields)
    save_with_reason(measure, user=user, reason=reason)
    return measure


@transaction.atomic
def measure_update(
    *, measure: CleanTechMeasure, user, reason: str, version: int | None = None, **fields
) -> CleanTechMeasure:
    """Correct a measure's details (kind, category, description, installed, removed)."""
    return registry_update(
        CleanTechMeasure, measure.pk, user=user, reason=reason, version=version, fields=fields
    )
