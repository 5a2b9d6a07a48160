"""The inspector's work list and the verification of clean-technology measures."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import services
from compliance.models import CleanTechMeasure
from compliance.views.listing import ALL_LABEL, label_filters
from compliance.worklist import KIND_BY_CODE, KINDS, PER_PAGE, Filters, WorkList
from facilities.access import (
    can_inspect,
    can_record_inspections,
    communes_for,
    districts_for,
    may_discard_draft_started_by,
    restrict_to_visible,
)
from facilities.models import Commune, District
from facilities.views import (
    capability_required,
    paginate,
    querystring_without,
    redirect_next,
    safe_next,
)
from inspections.forms import DayField


class WorklistFilterForm(forms.Form):
    """Where and what: the pickers list only the user's own area (facilities.access)."""

    q = forms.CharField(
        label=gettext_lazy("Tìm kiếm (không phân biệt dấu, hoa thường)"),
        max_length=200,
        required=False,
    )
    district = forms.ModelChoiceField(
        queryset=District.objects.none(),
        to_field_name="code",
        required=False,
        label=gettext_lazy("Huyện / Thành phố"),
    )
    commune = forms.ModelChoiceField(
        queryset=Commune.objects.none(),
        to_field_name="code",
        required=False,
        label=gettext_lazy("Xã / Phường"),
    )
    kind = forms.ChoiceField(
        choices=[("", ALL_LABEL), *((kind.code, kind.label) for kind in KINDS)],
        required=False,
        label=gettext_lazy("Loại việc"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts_for(user)
        self.fields["commune"].queryset = communes_for(user)
        label_filters(self, {})

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        district, commune = data.get("district"), data.get("commune")
        return Filters(
            district=district.code if district else None,
            commune=commune.code if commune else None,
            q=data.get("q") or "",
            kinds=(data["kind"],) if data.get("kind") else (),
        )


@capability_required(can_record_inspections)
def worklist(request):
    """Everything due in the user's area as of today, one list by urgency, 50 a page:
    overdue corrective actions, assessments expired or never made, new production
    facilities without a verified measure, measures to verify, unfinished drafts.

    Constant queries whatever the size or the page (compliance/worklist.py).
    """
    today = timezone.localdate()
    form = WorklistFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    rows = WorkList(request.user, today, filters, next_url=request.get_full_path())
    page_obj = paginate(request, rows, per_page=PER_PAGE)
    # Drafts of the page that this user may throw away: whoever started each (read with
    # the page's rows) or an administrator.
    discardable = {
        item.obj_id
        for item in page_obj
        if item.kind.code == "draft"
        and may_discard_draft_started_by(
            request.user, int(item.subtopic) if item.subtopic else None
        )
    }
    return render(
        request,
        "compliance/worklist.html",
        {
            "today": today,
            "form": form,
            # The filters' box is open when a place or a search is in use, or wrong (the
            # kind is chosen with the counts' links as well).
            "filtering": bool(
                form.is_bound
                and (form.errors or any(v for k, v in form.cleaned_data.items() if k != "kind"))
            ),
            "page_obj": page_obj,
            "kind_counts": _kind_links(request, rows),
            "querystring_without_page": querystring_without(request, "page"),
            "discardable": discardable,
        },
    )


def _kind_links(request, rows: WorkList) -> list[dict]:
    """ "All" and each kind with its count, each a link keeping the other filters."""
    params = request.GET.copy()
    params.pop("page", None)
    chosen = rows.filters.kinds[0] if rows.filters.kinds else ""
    links = []
    for code, label, count in [
        ("", ALL_LABEL, sum(rows.counts.values())),
        *((kind.code, kind.short_label or kind.label, rows.counts[kind.code]) for kind in KINDS),
    ]:
        params["kind"] = code
        links.append(
            {
                "code": code,
                "label": label,
                "title": KIND_BY_CODE[code].label if code else ALL_LABEL,
                "count": count,
                "url": f"?{params.urlencode()}",
                "current": code == chosen,
            }
        )
    return links


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
            return redirect_next(request, "facility_detail", pk=measure.facility_id)
    return render(
        request,
        "compliance/measure_verify.html",
        {"measure": measure, "form": form, "next": safe_next(request)},
    )
