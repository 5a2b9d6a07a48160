"""Inspections and findings: inspectors write in their districts, via the services."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from facilities.access import can_inspect, can_record_inspections
from facilities.api.views import RegistryModelViewSet, RegistryViewSet
from inspections.api.serializers import (
    FinalizeSerializer,
    FindingSerializer,
    InspectionSerializer,
    ReasonSerializer,
    ReinspectionRequestSerializer,
    RemediationEvidenceSerializer,
    ResolveSerializer,
)
from inspections.filtersets import (
    FindingFilterSet,
    InspectionFilterSet,
    ReinspectionRequestFilterSet,
    RemediationEvidenceFilterSet,
)
from inspections.models import Inspection
from inspections.selectors import (
    evidence_for,
    findings_for,
    inspections_for,
    reinspection_requests_for,
)
from inspections.services import (
    finding_create,
    finding_delete,
    finding_resolve,
    finding_update,
    inspection_cancel,
    inspection_create,
    inspection_delete,
    inspection_finalize,
    inspection_update,
)


class InspectionWriteRules:
    """Administrators and inspectors write; inspectors only in their districts."""

    def may_write(self, user) -> bool:
        return can_record_inspections(user)

    def may_write_object(self, user, obj) -> bool:
        facility = obj.facility if isinstance(obj, Inspection) else obj.inspection.facility
        return can_inspect(user, facility)


class InspectionViewSet(InspectionWriteRules, RegistryModelViewSet):
    """Site visits. Business users see only finalized ones of their own facilities."""

    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    ordering_fields = ["visited_on", "id", "status"]

    def get_queryset(self):
        return inspections_for(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = inspection_create(
            user=self.request.user, reason=data.pop("change_reason", None), **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = inspection_update(
            inspection=serializer.instance,
            user=self.request.user,
            reason=data.pop("change_reason", None),
            **data,
        )

    def reason_from(self, serializer=None):
        return None  # the services take the change_reason field themselves

    def perform_destroy(self, instance):
        inspection_delete(inspection=instance, user=self.request.user)

    @extend_schema(request=FinalizeSerializer, responses=InspectionSerializer)
    @action(detail=True, methods=["post"])
    def finalize(self, request, pk=None):
        """Draft → finalized with an outcome; the inspection and its findings then lock."""
        return self.run_action(
            FinalizeSerializer, inspection_finalize, target="inspection", field="outcome"
        )

    @extend_schema(request=ReasonSerializer, responses=InspectionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Draft → cancelled (the visit did not take place)."""
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            inspection = self.claimed_object()
            inspection_cancel(
                inspection=inspection,
                user=request.user,
                reason=body.validated_data.get("change_reason"),
            )
        return Response(self.get_serializer(self.reload(inspection)).data)


class FindingViewSet(InspectionWriteRules, RegistryModelViewSet):
    """Findings of inspections; locked with their finalized inspection except resolved_on."""

    serializer_class = FindingSerializer
    filterset_class = FindingFilterSet
    ordering_fields = ["deadline", "id", "severity", "resolved_on"]

    def get_queryset(self):
        return findings_for(self.request.user)

    def reason_from(self, serializer=None):
        return None  # the services take the change_reason field themselves

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = finding_create(
            user=self.request.user, reason=data.pop("change_reason", None), **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = finding_update(
            finding=serializer.instance,
            user=self.request.user,
            reason=data.pop("change_reason", None),
            **data,
        )

    def perform_destroy(self, instance):
        finding_delete(finding=instance, user=self.request.user)

    @extend_schema(request=ResolveSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Record the day the facility fixed the finding (open after finalization)."""
        return self.run_action(
            ResolveSerializer, finding_resolve, target="finding", field="resolved_on"
        )


@extend_schema_view(
    list=extend_schema(summary="Remediation evidence sent by businesses, and the decisions"),
    retrieve=extend_schema(summary="One remediation evidence"),
)
class RemediationEvidenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RegistryViewSet):
    """Read-only: a business sends evidence and an inspector decides on the pages
    (docs/web.md, "Business portal"); a business user reads its own."""

    serializer_class = RemediationEvidenceSerializer
    filterset_class = RemediationEvidenceFilterSet
    ordering_fields = ["submitted_at", "id"]

    def get_queryset(self):
        return evidence_for(self.request.user).order_by("-submitted_at", "-id")


@extend_schema_view(
    list=extend_schema(summary="Requests for a re-inspection, and their answers"),
    retrieve=extend_schema(summary="One request for a re-inspection"),
)
class ReinspectionRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RegistryViewSet):
    """Read-only, like the evidence: asked and answered on the pages."""

    serializer_class = ReinspectionRequestSerializer
    filterset_class = ReinspectionRequestFilterSet
    ordering_fields = ["requested_at", "id"]

    def get_queryset(self):
        return reinspection_requests_for(self.request.user).order_by("-requested_at", "-id")
