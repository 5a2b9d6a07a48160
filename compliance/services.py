"""Writes of the compliance app with rules beyond one form: verifying measures."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import CleanTechMeasure
from facilities.access import can_inspect
from facilities.history import change_context, clean_reason, current_reason


@transaction.atomic
def measure_verify(
    *,
    measure: CleanTechMeasure,
    user,
    verified_on: datetime.date,
    reason: str | None = None,
) -> CleanTechMeasure:
    """Record that an inspector saw ``measure`` in place on ``verified_on``, and who.

    Only verified measures count for the new-build indicator (indicators.md).
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
