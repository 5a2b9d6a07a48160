"""The auditor's pages: the change log across the registry (who, when, why, field by
field, with its export), the history of one object as a timeline, and a facility's
history tab (the facility and everything it holds). All read through
compliance/history.py, the reader the API and the export use too."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from compliance.excel.export import write_history
from compliance.excel.views import xlsx_response
from compliance.history import (
    TRACKED,
    TYPE_LABELS,
    HistoryFilters,
    InvalidCursor,
    end_of_day,
    held_labels,
    history_count,
    history_of_object,
    history_page,
    history_stream,
    readable,
    start_of_day,
)
from facilities.access import can_read_history, can_read_own_history, facilities_for
from facilities.dates import validate_date
from facilities.models import District
from facilities.views import capability_required, querystring_without
from inspections.forms import DateInput

PER_PAGE = 50


class ChangeLogForm(forms.Form):
    facility = forms.CharField(
        label=_("Cơ sở (mã hoặc tên)"),
        required=False,
        max_length=200,
        help_text=_("Cơ sở và mọi thứ thuộc cơ sở: giấy chứng nhận, biện pháp, kiểm tra…"),
    )
    certificate = forms.CharField(label=_("Số giấy chứng nhận"), required=False, max_length=100)
    user = forms.ModelChoiceField(
        label=_("Người thay đổi"),
        queryset=get_user_model().objects.order_by("username"),
        required=False,
        empty_label=_("Tất cả"),
    )
    model = forms.ChoiceField(
        label=_("Loại đối tượng"),
        required=False,
        choices=[("", _("Tất cả"))]
        + [(key, capfirst(model._meta.verbose_name)) for key, model in TRACKED.items()],
    )
    action = forms.ChoiceField(
        label=_("Hành động"),
        required=False,
        choices=[("", _("Tất cả"))] + list(TYPE_LABELS.items()),
    )
    text = forms.CharField(
        label=_("Có chứa chữ"),
        required=False,
        max_length=200,
        help_text=_("Trong lý do thay đổi hoặc trong giá trị."),
    )
    since = forms.DateField(
        label=_("Từ ngày"), required=False, widget=DateInput(), validators=[validate_date]
    )
    until = forms.DateField(
        label=_("Đến ngày"), required=False, widget=DateInput(), validators=[validate_date]
    )
    district = forms.ModelChoiceField(
        label=_("Huyện / Thành phố"),
        queryset=District.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Tất cả"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.username})" if u.get_full_name() else u.username
        )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("Ngày kết thúc không được trước ngày bắt đầu."))
        return cleaned

    def filters(self) -> HistoryFilters:
        """The same filters as the API's (a day here is the whole day)."""
        data = self.cleaned_data
        return HistoryFilters(
            models=(data["model"],) if data.get("model") else (),
            username=data["user"].get_username() if data.get("user") else None,
            since=start_of_day(data["since"]) if data.get("since") else None,
            until=end_of_day(data["until"]) if data.get("until") else None,
            district=data["district"].code if data.get("district") else None,
            facility=data.get("facility") or None,
            certificate=data.get("certificate") or None,
            types=(data["action"],) if data.get("action") else (),
            text=data.get("text") or None,
        )


def _paged(request, form, filters: HistoryFilters, *, valid: bool) -> dict:
    """One page of entries (values readable) with its count and neighbours' cursors; no
    rows at all when the filters are not valid — an error must never sit above rows
    that the filter did not select."""
    page, total = None, 0
    if valid:
        try:
            page = history_page(
                request.user,
                filters,
                limit=PER_PAGE,
                after=request.GET.get("after") or None,
                before=request.GET.get("before") or None,
            )
        except InvalidCursor:
            form.add_error(None, _("Liên kết trang không hợp lệ; hãy bắt đầu lại từ trang đầu."))
        else:
            total = history_count(request.user, filters)
    return {
        "form": form,
        "rows": readable(page.entries) if page else [],
        "total": total,
        "next_cursor": page.next_cursor if page else None,
        "previous_cursor": page.previous_cursor if page else None,
        "querystring_without_cursor": querystring_without(
            request, "after", "before", "page", "format"
        ),
    }


@capability_required(can_read_history)
def changelog(request):
    """Every change to registry data, newest first, filtered; 50 a page; ``?format=xlsx``
    every matching entry as a workbook (the history export's columns).

    Cursor pagination ("Sau" carries the last entry's position): the count, one page of
    keys, two queries per model on the page, one per model its values point to — the
    same for page 1 and page 1,000.
    """
    data = request.GET.copy()
    wants_xlsx = data.pop("format", [""])[-1] == "xlsx"
    form = ChangeLogForm(data or None)
    valid = not form.is_bound or form.is_valid()
    filters = form.filters() if form.is_bound and valid else HistoryFilters()
    if wants_xlsx and valid:
        handle = write_history(history_stream(request.user, filters))
        return xlsx_response(handle, f"lich-su-{timezone.localdate():%Y%m%d}.xlsx")
    context = _paged(request, form, filters, valid=valid)
    return render(request, "compliance/changelog.html", {**context, "link_objects": True})


@login_required
def facility_history(request, pk: int):
    """The history tab of a facility: its own changes and those of everything it holds
    (certificates, measures, inspections, findings, attachments …), newest first, by
    cursor. Whoever may see the facility and read history of what they see reads it
    (facilities/access.py); business users see no inspection's history."""
    facility = get_object_or_404(facilities_for(request.user), pk=pk)
    if not can_read_own_history(request.user):
        raise PermissionDenied
    filters = HistoryFilters(models=held_labels(), held_by=frozenset({facility.pk}))
    form = forms.Form(request.GET or None)  # carries only a bad-cursor error
    context = _paged(request, form, filters, valid=True)
    return render(
        request,
        "compliance/facility_history.html",
        # each object's timeline is the change log's page: linked for those who open it
        {**context, "facility": facility, "link_objects": can_read_history(request.user)},
    )


@capability_required(can_read_history)
def object_history(request, model: str, pk: int):
    """One object's history as a timeline, each version with what it changed."""
    if model not in TRACKED or not can_read_history(request.user):
        raise Http404
    rows = readable(history_of_object(request.user, model, pk))
    if not rows:
        raise Http404
    current = TRACKED[model].objects.filter(pk=pk).first()
    return render(
        request,
        "compliance/object_history.html",
        {
            "rows": rows,
            "object": current,
            "model": model,
            "model_label": rows[0].model_verbose_name,
            "pk": pk,
        },
    )
