"""``GET /api/v1/history/``: every change to registry data, newest first (docs/api.md).

The rows, their scope and their field-level changes come from compliance/history.py,
the one history reader. History is read-only here: the viewset has no write method.

Queries, whatever the page, its size or the number of rows:
1. the count of matching rows (one UNION over the selected models' history tables);
2. the page of (model, history_id) keys from the same UNION, newest first — with a
   cursor (``after``/``before``, as the ``next``/``previous`` links carry) the database
   seeks straight to it, so a deep page costs what the first does;
then, for each model present on the page:
3. its history rows on the page with their users, each with the id of the row before;
4. those previous rows, for the field-level changes.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from compliance.history import (
    TRACKED,
    TYPES,
    HistoryFilters,
    InvalidCursor,
    end_of_day,
    history_count,
    history_page,
)
from facilities.access import can_read_own_history
from facilities.api.pagination import RegistryPagination
from facilities.api.views import RegistryViewSet
from facilities.dates import validate_date
from facilities.filtersets import MAX_ID

DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class HistoryTextFilters(forms.Form):
    """The filters the list and the export share beyond dates (docs/api.md)."""

    facility = forms.CharField(max_length=200, required=False)
    certificate = forms.CharField(max_length=100, required=False)
    type = forms.ChoiceField(choices=[(t, t) for t in TYPES.values()], required=False)
    text = forms.CharField(max_length=200, required=False)

    def extra(self) -> dict:
        data = self.cleaned_data
        by_name = {name: code for code, name in TYPES.items()}
        return {
            "facility": data["facility"] or None,
            "certificate": data["certificate"] or None,
            "types": (by_name[data["type"]],) if data["type"] else (),
            "text": data["text"] or None,
        }


class HistoryQueryForm(HistoryTextFilters):
    model = forms.ChoiceField(choices=[(k, k) for k in TRACKED], required=False)
    object_id = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    user = forms.CharField(max_length=150, required=False)
    since = forms.DateTimeField(required=False, validators=[validate_date])
    until = forms.DateTimeField(required=False, validators=[validate_date])
    after = forms.CharField(max_length=200, required=False)
    before = forms.CharField(max_length=200, required=False)

    def filters(self, raw_until: str) -> HistoryFilters:
        data = self.cleaned_data
        until = data["until"]
        if until is not None and DATE_ONLY.match(raw_until.strip()):
            until = end_of_day(until.date())  # a bare date means the whole of that day
        return HistoryFilters(
            models=(data["model"],) if data["model"] else (),
            object_id=data["object_id"],
            username=data["user"] or None,
            since=data["since"],
            until=until,
            **self.extra(),
        )


class ChangeSerializer(serializers.Serializer):
    """One changed field: its value before and after (null when created or deleted)."""

    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    """One change to one object (docs/api.md, "Change history")."""

    id = serializers.IntegerField(help_text=_("Mã dòng lịch sử (duy nhất trong một model)."))
    model = serializers.ChoiceField(choices=list(TRACKED))
    object_id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=list(TYPES.values()))
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    changes = ChangeSerializer(many=True)


@extend_schema(
    summary="Change history of registry data, newest first",
    parameters=[
        OpenApiParameter("model", OpenApiTypes.STR, enum=list(TRACKED)),
        OpenApiParameter("object_id", OpenApiTypes.INT),
        OpenApiParameter("user", OpenApiTypes.STR, description="Username of who made the change."),
        OpenApiParameter(
            "facility",
            OpenApiTypes.STR,
            description="A facility's code, or words of its name: its rows and those of "
            "everything it holds (certificates, measures, inspections, findings ...).",
        ),
        OpenApiParameter(
            "certificate",
            OpenApiTypes.STR,
            description="A certificate number (any case): every version of the "
            "certificates that bore it.",
        ),
        OpenApiParameter("type", OpenApiTypes.STR, enum=list(TYPES.values())),
        OpenApiParameter("text", OpenApiTypes.STR, description="In the reason or in a text value."),
        OpenApiParameter(
            "since", OpenApiTypes.DATETIME, description="From this time (or date), inclusive."
        ),
        OpenApiParameter(
            "until",
            OpenApiTypes.DATETIME,
            description="Until this time, or to the end of this date.",
        ),
        OpenApiParameter(
            "after", OpenApiTypes.STR, description="Cursor of the next page (the `next` link)."
        ),
        OpenApiParameter(
            "before",
            OpenApiTypes.STR,
            description="Cursor of the previous page (the `previous` link).",
        ),
    ],
    responses=HistoryEntrySerializer(many=True),
)
class HistoryViewSet(mixins.ListModelMixin, RegistryViewSet):
    """Read-only change log. Administrators and auditors read everything; inspectors
    the history of what they may see; business users that of their own enterprise,
    facilities, certificates and measures (not of inspections, whose drafts they may not see)."""

    filter_backends: list = []
    serializer_class = HistoryEntrySerializer

    def may_write(self, user) -> bool:
        return False

    def may_read(self, user) -> bool:
        return can_read_own_history(user)

    def list(self, request, *args, **kwargs):
        form = HistoryQueryForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        filters = form.filters(request.query_params.get("until", ""))
        paginator = RegistryPagination()
        size = paginator.get_page_size(request)
        page_number = request.query_params.get(paginator.page_query_param, "1")
        if not page_number.isdigit() or not 1 <= int(page_number) <= MAX_PAGE:
            raise NotFound(_("Trang không hợp lệ."))
        after, before = form.cleaned_data["after"] or None, form.cleaned_data["before"] or None
        try:
            page = history_page(
                request.user,
                filters,
                limit=size,
                after=after,
                before=before,
                offset=(int(page_number) - 1) * size if not (after or before) else 0,
            )
        except InvalidCursor:
            name = "after" if after else "before"
            raise ValidationError({name: [_("Con trỏ không hợp lệ.")]}) from None
        if not page.entries and page_number != "1":
            raise NotFound(_("Trang không hợp lệ."))
        url = remove_query_param(
            remove_query_param(request.build_absolute_uri(), "after"), "before"
        )
        url = remove_query_param(url, paginator.page_query_param)
        return Response(
            {
                "count": history_count(request.user, filters),
                "next": page.next_cursor and replace_query_param(url, "after", page.next_cursor),
                "previous": page.previous_cursor
                and replace_query_param(url, "before", page.previous_cursor),
                "results": [entry.to_dict() for entry in page.entries],
            }
        )


# ``?page=N`` seeks by offset (kept for existing clients); beyond this it is a 404, before
# the database is asked for an offset it cannot take.
MAX_PAGE = 10**6
