"""FilterSets of inspections and findings, shared by the API, the pages and exports."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from facilities.dates import validate_date
from facilities.filtersets import IdFilter, commune_filter, district_filter
from inspections.choices import EvidenceStatus, InspectionStatus, Outcome, ReinspectionStatus
from inspections.models import Finding, Inspection, ReinspectionRequest, RemediationEvidence
from inspections.predicates import overdue_on


class InspectionFilterSet(django_filters.FilterSet):
    """Inspections by facility, district, status, outcome and visit dates (inclusive)."""

    facility = IdFilter(field_name="facility_id", label=_("Mã định danh cơ sở"))
    district = district_filter("facility__district")
    commune = commune_filter("facility__commune")
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label=_("Trạng thái"))
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices, label=_("Kết quả"))
    visited_after = django_filters.DateFilter(
        validators=[validate_date],
        field_name="visited_on",
        lookup_expr="gte",
        label=_("Kiểm tra từ ngày (kể cả ngày này)"),
    )
    visited_before = django_filters.DateFilter(
        validators=[validate_date],
        field_name="visited_on",
        lookup_expr="lte",
        label=_("Kiểm tra đến ngày (kể cả ngày này)"),
    )

    class Meta:
        model = Inspection
        fields = [
            "facility",
            "district",
            "commune",
            "status",
            "outcome",
            "visited_after",
            "visited_before",
        ]


class FindingFilterSet(django_filters.FilterSet):
    """Findings by inspection, facility, and overdue on a date."""

    inspection = IdFilter(field_name="inspection_id", label=_("Mã định danh đợt kiểm tra"))
    facility = IdFilter(field_name="inspection__facility_id", label=_("Mã định danh cơ sở"))
    overdue_on = django_filters.DateFilter(
        validators=[validate_date],
        method="filter_overdue_on",
        label=_("Quá hạn khắc phục vào ngày (YYYY-MM-DD)"),
    )

    class Meta:
        model = Finding
        fields = ["inspection", "facility", "overdue_on"]

    def filter_overdue_on(self, queryset, name, value):
        return queryset.filter(overdue_on(value))


class RemediationEvidenceFilterSet(django_filters.FilterSet):
    """Evidence of corrective actions by finding, facility, district and status."""

    finding = IdFilter(field_name="finding_id", label=_("Mã định danh tồn tại, vi phạm"))
    facility = IdFilter(
        field_name="finding__inspection__facility_id", label=_("Mã định danh cơ sở")
    )
    district = district_filter("finding__inspection__facility__district")
    status = django_filters.ChoiceFilter(choices=EvidenceStatus.choices, label=_("Trạng thái"))

    class Meta:
        model = RemediationEvidence
        fields = ["finding", "facility", "district", "status"]


class ReinspectionRequestFilterSet(django_filters.FilterSet):
    """Requests for a re-inspection by facility, district and status."""

    facility = IdFilter(field_name="facility_id", label=_("Mã định danh cơ sở"))
    district = district_filter("facility__district")
    status = django_filters.ChoiceFilter(choices=ReinspectionStatus.choices, label=_("Trạng thái"))

    class Meta:
        model = ReinspectionRequest
        fields = ["facility", "district", "status"]
