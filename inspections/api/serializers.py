"""Serializers of inspections and findings (writes go through inspections.services)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from facilities.access import can_inspect
from facilities.api.serializers import ValidatedModelSerializer
from inspections.choices import Outcome
from inspections.models import Finding, Inspection, ReinspectionRequest, RemediationEvidence

NOT_YOUR_DISTRICT = _("Cơ sở này không thuộc địa bàn được giao cho bạn.")


def _request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class InspectionSerializer(ValidatedModelSerializer):
    inspectors = serializers.SlugRelatedField(
        many=True,
        read_only=True,
        slug_field="username",
        help_text=_("Tên đăng nhập cán bộ kiểm tra."),
    )
    findings = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    finalized_by = serializers.SlugRelatedField(read_only=True, slug_field="username")

    class Meta:
        model = Inspection
        fields = [
            "id",
            "facility",
            "kind",
            "visited_on",
            "status",
            "outcome",
            "summary",
            "inspectors",
            "findings",
            "finalized_at",
            "finalized_by",
            "version",
            "change_reason",
        ]
        read_only_fields = ["status", "finalized_at"]

    def validate_facility(self, facility):
        if not can_inspect(_request_user(self), facility):
            raise serializers.ValidationError(NOT_YOUR_DISTRICT)
        return facility


class FinalizeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    change_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=500
    )


class ReasonSerializer(serializers.Serializer):
    change_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=500
    )


class FindingSerializer(ValidatedModelSerializer):
    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "category",
            "description",
            "severity",
            "corrective_action",
            "deadline",
            "resolved_on",
            "version",
            "change_reason",
        ]

    def validate_inspection(self, inspection):
        if not can_inspect(_request_user(self), inspection.facility):
            raise serializers.ValidationError(NOT_YOUR_DISTRICT)
        return inspection


class ResolveSerializer(serializers.Serializer):
    resolved_on = serializers.DateField()
    change_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=500
    )


class RemediationEvidenceSerializer(serializers.ModelSerializer):
    """Evidence a business sent for a corrective action, and the decision on it (read-only:
    it is sent and decided on the pages, docs/web.md)."""

    submitted_by = serializers.SlugRelatedField(read_only=True, slug_field="username")
    decided_by = serializers.SlugRelatedField(read_only=True, slug_field="username")
    files = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = RemediationEvidence
        fields = [
            "id",
            "finding",
            "note",
            "completed_on",
            "status",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "return_reason",
            "files",
            "version",
        ]
        read_only_fields = fields


class ReinspectionRequestSerializer(serializers.ModelSerializer):
    """A business's request for a re-inspection and its answer (read-only)."""

    requested_by = serializers.SlugRelatedField(read_only=True, slug_field="username")
    answered_by = serializers.SlugRelatedField(read_only=True, slug_field="username")

    class Meta:
        model = ReinspectionRequest
        fields = [
            "id",
            "facility",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "answer",
            "answered_by",
            "answered_at",
            "version",
        ]
        read_only_fields = fields
