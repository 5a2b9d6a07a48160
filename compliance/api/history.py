"""``GET /api/v1/history/``: every change to registry data, newest first (api.md).

It lives in compliance because it spans all three apps' models (the highest app may
import the lower ones). History is read-only here: the viewset has no write method.

Queries, whatever the page size or the number of rows:
1. the count of matching rows (one UNION over the selected models' history tables);
2. the page of (model, history_id) keys from the same UNION, newest first;
then, for each model present on the page (at most six):
3. its history rows on the page with their users, each with the id of the row before;
4. those previous rows, to compute field-level changes (simple-history ``diff_against``).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from django import forms
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import DateField, DateTimeField

from compliance.models import Certificate, CleanTechMeasure
from facilities.access import (
    can_read_history,
    can_read_own_history,
    enterprises_for,
    facilities_for,
    history_hides_inspections,
    restrict_inspection_rows,
    restrict_to_visible,
)
from facilities.api.views import RegistryViewSet
from facilities.filtersets import MAX_ID
from facilities.models import Enterprise, Facility
from inspections.models import Finding, Inspection

HISTORY_MODELS = {
    "facility": Facility,
    "certificate": Certificate,
    "clean_tech_measure": CleanTechMeasure,
    "inspection": Inspection,
    "finding": Finding,
    "enterprise": Enterprise,
}
TYPES = {"+": "created", "~": "changed", "-": "deleted"}
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def visible_objects(label: str, user) -> QuerySet | None:
    """The current rows of ``label`` whose history ``user`` may read; None: all, deleted too."""
    if can_read_history(user):
        return None
    model = HISTORY_MODELS[label]
    if label in ("inspection", "finding") and history_hides_inspections(user):
        return model.objects.none()
    if label == "enterprise":
        return enterprises_for(user)
    if label == "facility":
        return facilities_for(user)
    if label == "inspection":
        return restrict_inspection_rows(model.objects.all(), user)
    if label == "finding":
        return restrict_inspection_rows(model.objects.all(), user, inspection_path="inspection")
    return restrict_to_visible(model.objects.all(), user)


class HistoryQueryForm(forms.Form):
    model = forms.ChoiceField(choices=[(k, k) for k in HISTORY_MODELS], required=False)
    object_id = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    user = forms.CharField(max_length=150, required=False)
    since = forms.DateTimeField(required=False)
    until = forms.DateTimeField(required=False)


class ChangeSerializer(serializers.Serializer):
    """One changed field: its value before and after (null when created or deleted)."""

    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    """One change to one object (api.md, "Change history")."""

    id = serializers.IntegerField(help_text=_("Mã dòng lịch sử (duy nhất trong một model)."))
    model = serializers.ChoiceField(choices=list(HISTORY_MODELS))
    object_id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=list(TYPES.values()))
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    changes = ChangeSerializer(many=True)


def _jsonable(value):
    if isinstance(value, datetime.datetime):
        return DateTimeField().to_representation(value)
    if isinstance(value, datetime.date):
        return DateField().to_representation(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@extend_schema(
    summary="Change history of registry data, newest first",
    parameters=[
        OpenApiParameter("model", OpenApiTypes.STR, enum=list(HISTORY_MODELS)),
        OpenApiParameter("object_id", OpenApiTypes.INT),
        OpenApiParameter("user", OpenApiTypes.STR, description="Username of who made the change."),
        OpenApiParameter(
            "since", OpenApiTypes.DATETIME, description="From this time (or date), inclusive."
        ),
        OpenApiParameter(
            "until",
            OpenApiTypes.DATETIME,
            description="Until this time, or to the end of this date.",
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

    def get_queryset(self):
        user = self.request.user
        form = HistoryQueryForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        params = form.cleaned_data
        labels = [params["model"]] if params["model"] else list(HISTORY_MODELS)
        parts = []
        for label in labels:
            rows = HISTORY_MODELS[label].history.model.objects.all()
            visible = visible_objects(label, user)
            if visible is not None:
                rows = rows.filter(id__in=visible.values("pk"))
            if params["object_id"]:
                rows = rows.filter(id=params["object_id"])
            if params["user"]:
                rows = rows.filter(history_user__username=params["user"])
            if params["since"]:
                rows = rows.filter(history_date__gte=params["since"])
            if params["until"]:
                until = params["until"]
                if DATE_ONLY.match(self.request.query_params.get("until", "").strip()):
                    rows = rows.filter(history_date__lt=until + datetime.timedelta(days=1))
                else:
                    rows = rows.filter(history_date__lte=until)
            parts.append(
                rows.order_by()
                .values("history_id", "history_date")
                .annotate(model_label=Value(label, output_field=CharField()))
            )
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        return union.order_by("-history_date", "-history_id", "model_label")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.entries(page))

    def entries(self, keys: list[dict]) -> list[dict]:
        by_model = defaultdict(list)
        for key in keys:
            by_model[key["model_label"]].append(key["history_id"])
        rows = {}
        for label, ids in by_model.items():
            historical = HISTORY_MODELS[label].history.model
            current = list(
                historical.objects.filter(history_id__in=ids)
                .select_related("history_user")
                .annotate(
                    previous_id=Subquery(
                        historical.objects.filter(
                            id=OuterRef("id"), history_id__lt=OuterRef("history_id")
                        )
                        .order_by("-history_id")
                        .values("history_id")[:1]
                    )
                )
            )
            previous_ids = [r.previous_id for r in current if r.previous_id]
            previous = {
                r.history_id: r for r in historical.objects.filter(history_id__in=previous_ids)
            }
            for record in current:
                rows[(label, record.history_id)] = (record, previous.get(record.previous_id))
        return [
            self.entry(key["model_label"], *rows[(key["model_label"], key["history_id"])])
            for key in keys
        ]

    def entry(self, label: str, record, previous) -> dict:
        fields = sorted(f.name for f in record.tracked_fields if f.editable and f.name != "id")
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, included_fields=fields)
            changes = [
                {"field": c.field, "old": _jsonable(c.old), "new": _jsonable(c.new)}
                for c in delta.changes
            ]
        elif record.history_type == "-":
            changes = [
                {"field": f, "old": _jsonable(getattr(record, _attname(record, f))), "new": None}
                for f in fields
            ]
        else:
            changes = [
                {"field": f, "old": None, "new": _jsonable(getattr(record, _attname(record, f)))}
                for f in fields
            ]
        user = record.history_user
        return {
            "id": record.history_id,
            "model": label,
            "object_id": record.id,
            "type": TYPES.get(record.history_type, "changed"),
            "at": timezone.localtime(record.history_date).isoformat(),
            "user": user.get_username() if user else None,
            "reason": record.history_change_reason,
            "changes": changes,
        }


def _attname(record, name: str) -> str:
    return record._meta.get_field(name).attname
