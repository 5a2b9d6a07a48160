"""Facilities (with their standing today), certificates and clean-technology measures."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from compliance.api.serializers import (
    CertificateSerializer,
    CleanTechMeasureSerializer,
    FacilitySerializer,
    VerifySerializer,
)
from compliance.filtersets import (
    CertificateFilterSet,
    CleanTechMeasureFilterSet,
    FacilityStatusFilterSet,
)
from compliance.selectors import (
    certificates_for,
    facility_list,
    measures_for,
    page_rows,
    with_standing,
)
from compliance.services import measure_verify
from facilities.access import (
    can_inspect,
    can_manage_registry,
    can_record_inspections,
    facilities_for,
)
from facilities.api.views import RegistryModelViewSet


class FacilityViewSet(RegistryModelViewSet):
    """Facilities a user may see, each with is_new_build, compliance and certificate
    status as of today (one query for the page, compliance.selectors)."""

    serializer_class = FacilitySerializer
    filterset_class = FacilityStatusFilterSet
    ordering_fields = ["code", "name", "operating_since", "closed_on", "id", "compliance_status"]

    def get_queryset(self):
        if self.action == "list":
            # Filtered, ordered and paged on ids; the page's rows get their standing in
            # paginate_queryset (a deep page costs what the first does). Ordering by
            # compliance_status needs it on every row: with_standing's one subquery.
            return with_standing(facilities_for(self.request.user), timezone.localdate())
        return facility_list(self.request.user, timezone.localdate())

    def paginate_queryset(self, queryset):
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True))
        if ids is None:
            return None
        return page_rows(
            ids,
            timezone.localdate(),
            facilities_for(self.request.user).select_related(
                "enterprise", "sector", "district", "commune"
            ),
        )


class CertificateViewSet(RegistryModelViewSet):
    """Certificates of meeting environmental standards (administrators write)."""

    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    ordering_fields = ["issued_on", "valid_until", "number", "id"]

    def get_queryset(self):
        return certificates_for(self.request.user)


class CleanTechMeasureViewSet(RegistryModelViewSet):
    """Measures; administrators record them, inspectors of the district verify them."""

    serializer_class = CleanTechMeasureSerializer
    filterset_class = CleanTechMeasureFilterSet
    ordering_fields = ["installed_on", "verified_on", "id"]

    def get_queryset(self):
        return measures_for(self.request.user)

    def may_write(self, user) -> bool:
        if self.action == "verify":
            return can_record_inspections(user)
        return can_manage_registry(user)

    def may_write_object(self, user, obj) -> bool:
        if self.action == "verify":
            return can_inspect(user, obj.facility)
        return can_manage_registry(user)

    @extend_schema(request=VerifySerializer, responses=CleanTechMeasureSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Record that the measure was seen in place on ``verified_on``, and by whom."""
        return self.run_action(
            VerifySerializer, measure_verify, target="measure", field="verified_on"
        )
