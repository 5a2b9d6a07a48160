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

from facilities.choices import Activity, UnitGap
from facilities.dates import validate_date
from facilities.models import (
    Commune,
    District,
    Enterprise,
    Facility,
    Sector,
    in_districts_q,
    unit_gap_q,
)
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


class DistrictFilter(django_filters.ModelChoiceFilter):
    """A district by its code (8 rows of reference data; an unknown code is a 400).

    Selects the rows whose facility's district is that one — recorded, or derived from a
    commune with a single former district (facilities.models.in_districts_q), whatever
    the date: a scope filter is a place (docs/geography.md).
    """

    def __init__(self, *, prefix: str = "", **kwargs):
        self.prefix = prefix
        kwargs.setdefault("label", _("Mã huyện"))
        super().__init__(
            field_name=f"{prefix}district",
            queryset=District.objects.all(),
            to_field_name="code",
            **kwargs,
        )

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(in_districts_q([value.code], prefix=self.prefix))


def district_filter(field_name: str) -> DistrictFilter:
    """The district filter of a model whose facility is at ``field_name`` minus
    "district" ("district" for Facility, "facility__district" for its rows)."""
    return DistrictFilter(prefix=field_name[: -len("district")])


def commune_filter(field_name: str) -> django_filters.ModelChoiceFilter:
    """A commune-level unit by its 5-digit code (38 rows; an unknown code is a 400)."""
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=Commune.objects.all(),
        to_field_name="code",
        label=_("Mã xã / phường"),
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
    commune = commune_filter("commune")
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
    unit_gap = django_filters.ChoiceFilter(
        choices=UnitGap.choices, method="filter_unit_gap", label=_("Thiếu địa bàn")
    )

    class Meta:
        model = Facility
        fields = [
            "q",
            "district",
            "commune",
            "sector",
            "activity",
            "enterprise",
            "active_on",
            "unit_gap",
        ]

    def filter_unit_gap(self, queryset, name, value):
        """The data-quality list: facilities missing the unit their dates call for."""
        return queryset.filter(unit_gap_q(value))

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(active_on(value))


class CommuneFilterSet(django_filters.FilterSet):
    """Communes by former district (those of which a part belonged to it)."""

    district = django_filters.ModelChoiceFilter(
        field_name="former_districts",
        queryset=District.objects.all(),
        to_field_name="code",
        label=_("Mã huyện cũ"),
    )

    class Meta:
        model = Commune
        fields = ["district"]
