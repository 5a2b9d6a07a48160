"""FilterSets of certificates, measures, and facilities by their compliance standing."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.choices import CertificateKind, CertificateStatus, ComplianceStatus, MeasureKind
from compliance.models import Certificate, CleanTechMeasure
from compliance.selectors import certificate_status_q, compliance_status_q
from facilities.filtersets import FacilityFilterSet, IdFilter, commune_filter, district_filter


class FacilityStatusFilterSet(FacilityFilterSet):
    """The facility FilterSet plus ``compliance_status`` (as of today).

    It extends facilities.filtersets.FacilityFilterSet rather than living there because
    the standing is compliance's knowledge and facilities must not import compliance.
    The API, the facility pages and the export all use this one.
    """

    compliance_status = django_filters.ChoiceFilter(
        choices=ComplianceStatus.choices,
        method="filter_compliance_status",
        label=_("Tình trạng tuân thủ (hôm nay)"),
    )

    class Meta(FacilityFilterSet.Meta):
        fields = [*FacilityFilterSet.Meta.fields, "compliance_status"]

    def filter_compliance_status(self, queryset, name, value):
        # From the facility standing, as a semi-join: nothing computed per row, and the
        # same facilities as the compliance_status of facilities_with_status (tested).
        return queryset.filter(compliance_status_q(value, timezone.localdate()))


class CertificateFilterSet(django_filters.FilterSet):
    """Certificates by facility, kind, status today, place, and expiry before a date."""

    facility = IdFilter(field_name="facility_id", label=_("Mã định danh cơ sở"))
    status = django_filters.ChoiceFilter(
        choices=CertificateStatus.choices,
        method="filter_status",
        label=_("Tình trạng (hôm nay)"),
    )
    kind = django_filters.ChoiceFilter(choices=CertificateKind.choices, label=_("Loại"))
    district = district_filter("facility__district")
    commune = commune_filter("facility__commune")
    expires_before = django_filters.DateFilter(
        field_name="valid_until", lookup_expr="lt", label=_("Hết hiệu lực trước ngày")
    )

    class Meta:
        model = Certificate
        fields = ["facility", "kind", "status", "district", "commune", "expires_before"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(certificate_status_q(value, timezone.localdate()))


class CleanTechMeasureFilterSet(django_filters.FilterSet):
    """Measures by facility, kind, and whether an inspector has verified them."""

    facility = IdFilter(field_name="facility_id", label=_("Mã định danh cơ sở"))
    kind = django_filters.ChoiceFilter(choices=MeasureKind.choices, label=_("Loại"))
    verified = django_filters.BooleanFilter(
        field_name="verified_on", lookup_expr="isnull", exclude=True, label=_("Đã xác nhận")
    )

    class Meta:
        model = CleanTechMeasure
        fields = ["facility", "kind", "verified"]
