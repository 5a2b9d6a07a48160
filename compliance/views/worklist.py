"""The inspector's work list and the verification of clean-technology measures."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import services
from compliance.models import CleanTechMeasure
from compliance.selectors import ComplianceStatus, facilities_with_status
from facilities.access import (
    can_inspect,
    can_record_inspections,
    discardable_drafts,
    restrict_to_inspectable,
    restrict_to_visible,
    with_draft_author,
)
from facilities.models import Facility
from facilities.views import capability_required
from inspections.choices import InspectionStatus
from inspections.forms import DayField
from inspections.models import Finding, Inspection
from inspections.predicates import overdue_on


@capability_required(can_record_inspections)
def worklist(request):
    """What needs a visit in the inspector's districts, as of today.

    Facilities not assessed or whose assessment expired, findings past their deadline,
    new production facilities without a verified measure, measures awaiting a
    verification, and the user's unfinished drafts. Five queries, whatever the size.
    """
    today = timezone.localdate()
    mine = restrict_to_inspectable(Facility.objects.all(), request.user, facility_path="")
    active = (
        facilities_with_status(mine.select_related("district", "commune", "sector"), today)
        .filter(is_active=True)
        .order_by("district_id", "code")
    )
    # Query 1: the active facilities of the districts, with their standing today.
    facilities = list(active)
    not_assessed = [f for f in facilities if f.compliance_status == ComplianceStatus.NOT_ASSESSED]
    expired = [f for f in facilities if f.compliance_status == ComplianceStatus.ASSESSMENT_EXPIRED]
    no_measure = [
        f for f in facilities if f.is_production and f.is_new_build and not f.has_verified_measure
    ]
    # Query 2: findings past their deadline, unresolved, of finalized visits.
    overdue = list(
        restrict_to_inspectable(
            Finding.objects.all(), request.user, facility_path="inspection__facility"
        )
        .filter(overdue_on(today))
        .select_related("inspection__facility")
        .order_by("deadline", "id")
    )
    # Query 3: measures waiting for an inspector's verification.
    unverified = list(
        restrict_to_inspectable(CleanTechMeasure.objects.all(), request.user)
        .filter(verified_on__isnull=True, removed_on__isnull=True)
        .select_related("facility")
        .order_by("facility__code", "id")
    )
    # Query 4: drafts of the districts, to finish (or throw away), with who started each.
    drafts = list(
        with_draft_author(restrict_to_inspectable(Inspection.objects.all(), request.user))
        .filter(status=InspectionStatus.DRAFT)
        .select_related("facility")
        .order_by("-visited_on", "-id")
    )
    discardable = discardable_drafts(request.user, drafts)
    return render(
        request,
        "compliance/worklist.html",
        {
            "today": today,
            "not_assessed": not_assessed,
            "expired": expired,
            "overdue": overdue,
            "no_measure": no_measure,
            "unverified": unverified,
            "drafts": drafts,
            "discardable": discardable,
        },
    )


class VerifyForm(forms.Form):
    verified_on = DayField(label=gettext_lazy("Ngày xác nhận"))
    reason = forms.CharField(
        label=gettext_lazy("Ghi chú (lý do thay đổi)"), max_length=500, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("verified_on", timezone.localdate())


@login_required
def measure_verify(request, pk: int):
    """An inspector confirms a clean-technology measure is in place (then it counts)."""
    measure = get_object_or_404(
        restrict_to_visible(CleanTechMeasure.objects.select_related("facility"), request.user),
        pk=pk,
    )
    if not can_inspect(request.user, measure.facility):
        raise PermissionDenied
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_verify(
                measure=measure,
                user=request.user,
                verified_on=form.cleaned_data["verified_on"],
                reason=form.cleaned_data["reason"] or None,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Đã xác nhận biện pháp."))
            return redirect("facility_detail", pk=measure.facility_id)
    return render(request, "compliance/measure_verify.html", {"measure": measure, "form": form})
