"""The auditor's pages: the change log across the registry (who, when, why, field by
field) and the history of one object as a timeline. Both read through
compliance/history.py, the reader the API and the export use too."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from compliance.history import (
    TRACKED,
    HistoryFilters,
    InvalidCursor,
    end_of_day,
    history_count,
    history_of_object,
    history_page,
    start_of_day,
)
from facilities.access import can_read_history
from facilities.dates import validate_date
from facilities.models import District
from facilities.views import capability_required, querystring_without
from inspections.forms import DateInput

PER_PAGE = 50


class ChangeLogForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Người thay đổi"),
        queryset=get_user_model().objects.order_by("username"),
        required=False,
    )
    model = forms.ChoiceField(
        label=_("Loại đối tượng"),
        required=False,
        choices=[("", _("Tất cả"))]
        + [(key, capfirst(model._meta.verbose_name)) for key, model in TRACKED.items()],
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
        )


@capability_required(can_read_history)
def changelog(request):
    """Every change to registry data, newest first, filtered; 50 a page.

    Cursor pagination ("Sau" carries the last entry's position): the count, one page of
    keys, then two queries per model on the page — the same for page 1 and page 1,000.
    """
    form = ChangeLogForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    filters = form.filters() if form.is_bound and valid else HistoryFilters()
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
    return render(
        request,
        "compliance/changelog.html",
        {
            "form": form,
            "rows": page.entries if page else [],
            "total": total,
            "next_cursor": page.next_cursor if page else None,
            "previous_cursor": page.previous_cursor if page else None,
            "querystring_without_cursor": querystring_without(request, "after", "before", "page"),
        },
    )


@capability_required(can_read_history)
def object_history(request, model: str, pk: int):
    """One object's history as a timeline, each version with what it changed."""
    if model not in TRACKED or not can_read_history(request.user):
        raise Http404
    rows = history_of_object(request.user, model, pk)
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
