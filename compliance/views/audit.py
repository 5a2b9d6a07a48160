"""The auditor's pages: the change log across the registry (who, when, why, field by
field) and the history of one object as a timeline."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django import forms
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from compliance.models import Certificate, CleanTechMeasure
from facilities.access import can_read_history
from facilities.choices import Role
from facilities.models import District, Enterprise, Facility, in_districts_q
from facilities.views import querystring_without, role_required
from inspections.forms import DateInput
from inspections.models import Attachment, Finding, Inspection

# The object types of the change log, by the names the history API uses (api.md).
HISTORY_MODELS = {
    "facility": Facility,
    "enterprise": Enterprise,
    "certificate": Certificate,
    "clean_tech_measure": CleanTechMeasure,
    "inspection": Inspection,
    "finding": Finding,
    "attachment": Attachment,
}
# Bookkeeping columns that change on every save and say nothing to a reader.
HIDDEN_FIELDS = {"version", "updated_at", "created_at", "search_key"}
PER_PAGE = 50


def _district_q(key: str, district: str):
    """History rows of objects located in ``district`` (by their facility's district,
    recorded or derived from its commune: docs/geography.md)."""
    in_district = Facility.objects.filter(in_districts_q([district]))
    if key == "facility":
        return {"id__in": in_district.values("pk")}
    if key == "enterprise":
        return {"id__in": in_district.values("enterprise_id")}
    if key == "finding":
        return {
            "inspection_id__in": Inspection.objects.filter(facility__in=in_district).values("pk")
        }
    if key == "attachment":
        return {
            "inspection_id__in": Inspection.objects.filter(facility__in=in_district).values("pk")
        }
    return {"facility_id__in": in_district.values("pk")}


class ChangeLogForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Người thay đổi"),
        queryset=get_user_model().objects.order_by("username"),
        required=False,
    )
    model = forms.ChoiceField(
        label=_("Loại đối tượng"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            ("facility", _("Cơ sở")),
            ("enterprise", _("Doanh nghiệp")),
            ("certificate", _("Giấy chứng nhận")),
            ("clean_tech_measure", _("Biện pháp công nghệ sạch")),
            ("inspection", _("Đợt kiểm tra")),
            ("finding", _("Tồn tại, vi phạm")),
            ("attachment", _("Tệp đính kèm")),
        ],
    )
    since = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())
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


def _history_queryset(key: str, filters: dict):
    model = HISTORY_MODELS[key]
    queryset = model.history.select_related("history_user")
    if filters.get("user"):
        queryset = queryset.filter(history_user=filters["user"])
    if filters.get("since"):
        queryset = queryset.filter(history_date__date__gte=filters["since"])
    if filters.get("until"):
        queryset = queryset.filter(history_date__date__lte=filters["until"])
    if filters.get("district"):
        queryset = queryset.filter(**_district_q(key, filters["district"].code))
    return queryset


def changes_of(rows: list) -> None:
    """Set ``row.changes`` (field, old, new) on each history row, from its predecessor.

    One query per model present: all earlier versions of the objects on the page.
    """
    by_model = defaultdict(list)
    for row in rows:
        by_model[row.model_key].append(row)
    for key, model_rows in by_model.items():
        history_model = type(model_rows[0])
        ids = {r.id for r in model_rows}
        latest = max(r.history_date for r in model_rows)
        versions = defaultdict(list)
        for version in history_model.objects.filter(id__in=ids, history_date__lte=latest).order_by(
            "history_date", "history_id"
        ):
            versions[version.id].append(version)
        fields = [
            f
            for f in HISTORY_MODELS[key]._meta.concrete_fields
            if f.name not in HIDDEN_FIELDS and f.name != "id"
        ]
        for row in model_rows:
            chain = versions[row.id]
            index = next((i for i, v in enumerate(chain) if v.history_id == row.history_id), None)
            previous = chain[index - 1] if index else None
            row.changes = _diff(fields, previous, row)


def _diff(fields, old, new) -> list[dict]:
    changes = []
    for field in fields:
        new_value = _display(field, new)
        old_value = _display(field, old) if old is not None else None
        if old is None and new.history_type == "+":
            if new_value in ("", None):
                continue
        elif old_value == new_value:
            continue
        changes.append(
            {"field": field.verbose_name, "name": field.name, "old": old_value, "new": new_value}
        )
    return changes


def _display(field, row):
    value = getattr(row, field.attname)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date | datetime.datetime):
        return value
    return "" if value is None else str(value)


TYPE_LABELS = {"+": _("Tạo mới"), "~": _("Thay đổi"), "-": _("Xóa")}


def _label(rows, key=None):
    for row in rows:
        if key:
            row.model_key = key
        row.type_label = TYPE_LABELS.get(row.history_type, row.history_type)
        row.model_label = HISTORY_MODELS[row.model_key]._meta.verbose_name


@role_required(Role.ADMIN, Role.AUDITOR)
def changelog(request):
    """Every change to registry data, newest first, filtered; 50 a page.

    Per model: one count and one slice of the newest rows (enough for the page), merged;
    then one query per model for the predecessors used by the field differences.
    """
    form = ChangeLogForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    keys = [filters["model"]] if filters.get("model") else list(HISTORY_MODELS)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    total = 0
    merged = []
    for key in keys:
        queryset = _history_queryset(key, filters).order_by("-history_date", "-history_id")
        total += queryset.count()
        for row in queryset[: page * PER_PAGE]:
            row.model_key = key
            merged.append(row)
    merged.sort(key=lambda r: r.history_date, reverse=True)
    rows = merged[(page - 1) * PER_PAGE : page * PER_PAGE]
    _label(rows)
    changes_of(rows)
    num_pages = max(1, -(-total // PER_PAGE))
    return render(
        request,
        "compliance/changelog.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "page": page,
            "num_pages": num_pages,
            "has_previous": page > 1,
            "has_next": page < num_pages,
            "previous_page": page - 1,
            "next_page": page + 1,
            "querystring_without_page": querystring_without(request, "page"),
        },
    )


@role_required(Role.ADMIN, Role.AUDITOR)
def object_history(request, model: str, pk: int):
    """One object's history as a timeline, each version with what it changed."""
    if model not in HISTORY_MODELS or not can_read_history(request.user):
        raise Http404
    rows = list(
        HISTORY_MODELS[model]
        .history.filter(id=pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    if not rows:
        raise Http404
    _label(rows, model)
    changes_of(rows)
    current = HISTORY_MODELS[model].objects.filter(pk=pk).first()
    return render(
        request,
        "compliance/object_history.html",
        {
            "rows": rows,
            "object": current,
            "model": model,
            "model_label": rows[0].model_label,
            "pk": pk,
        },
    )
