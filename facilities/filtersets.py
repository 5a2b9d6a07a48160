"""FilterSets of the registry (one per model), shared by the API, the pages and exports.

Ids of facility-owned rows are filtered with plain integer filters, never with a
``ModelChoiceFilter`` over the whole table: validating the id against a table would
answer "does not exist" for some ids and "no results" for others, which tells a user
that an object they may not see exists (and would render a <select> of the table).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from facilities.choices import Activity
from facilities.dates import validate_date
from facilities.models import District, Enterprise, Facility, Sector
from facilities.predicates import active_on
from facilities.text import search_key

# Ids are 64-bit on both databases; a larger number can never match, and SQLite would
# overflow ("Python int too large") on it, so the form refuses it as invalid input.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A positive integer id (no lookup of the referenced table)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class SearchFilter(django_filters.CharFilter):
    """``q``: case- and diacritic-insensitive search on the model's ``search_key``.

    "lai chau" finds "Lai Châu" and "đ" matches "d" (facilities.text.search_key).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Tìm kiếm (không phân biệt dấu, hoa thường)"))
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, field_name="search_key", **kwargs)

    def filter(self, qs, value):
        key = search_key(value or "")
        if not key:
            return qs
        return qs.filter(search_key__contains=key)


def district_filter(field_name: str) -> django_filters.ModelChoiceFilter:
    """A district by its code (8 rows of reference data; an unknown code is a 400)."""
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=District.objects.all(),
        to_field_name="code",
        label=_("Mã huyện"),
    )


class EnterpriseFilterSet(django_filters.FilterSet):
    """Enterprises: free-text search."""

    q = SearchFilter()

    class Meta:
        model = Enterprise
        fields = ["q"]


class FacilityFilterSet(django_filters.FilterSet):
    """Facilities by place, sector, activity, owner and whether active on a date.

    The compliance standing filter lives in compliance.filtersets (FacilityStatusFilterSet),
    because facilities must not import compliance (dependency direction).
    """

    q = SearchFilter()
    district = district_filter("district")
    sector = django_filters.ModelChoiceFilter(
        field_name="sector",
        queryset=Sector.objects.all(),
        to_field_name="code",
        label=_("Mã ngành"),
    )
    activity = django_filters.ChoiceFilter(choices=Activity.choices, label=_("Loại hình"))
    enterprise = IdFilter(field_name="enterprise_id", label=_("Mã định danh doanh nghiệp"))
    active_on = django_filters.DateFilter(
        validators=[validate_date],
        method="filter_active_on",
        label=_("Đang hoạt động vào ngày (YYYY-MM-DD)"),
    )

    class Meta:
        model = Facility
        fields = ["q", "district", "sector", "activity", "enterprise", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(active_on(value))
