"""Serializers of facilities (with their standing today), certificates and measures.

The facility serializer lives here, not in facilities.api, because its read-only
``is_new_build``/``compliance_status``/``certificate_status`` come from
compliance.selectors.facilities_with_status and facilities must not import compliance.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.choices import CertificateStatus, ComplianceStatus
from compliance.models import Certificate, CleanTechMeasure
from facilities.api.serializers import CodeRelatedField, ValidatedModelSerializer
from facilities.models import Commune, District, Facility, Sector


class FacilitySerializer(ValidatedModelSerializer):
    sector = CodeRelatedField(queryset=Sector.objects.all(), help_text=_("Mã ngành."))
    district = CodeRelatedField(
        queryset=District.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Mã huyện nơi cơ sở đặt trước 01/07/2025; có thể để trống."),
    )
    commune = CodeRelatedField(
        queryset=Commune.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Mã xã / phường nơi cơ sở đặt từ 01/07/2025 (5 chữ số)."),
    )
    is_new_build = serializers.BooleanField(
        read_only=True, help_text=_("Đi vào hoạt động từ ngày NEW_BUILD_SINCE (hôm nay).")
    )
    compliance_status = serializers.ChoiceField(
        choices=ComplianceStatus.choices,
        read_only=True,
        help_text=_("Tình trạng tuân thủ hôm nay (docs/methodology.md)."),
    )
    certificate_status = serializers.ChoiceField(
        choices=CertificateStatus.choices,
        read_only=True,
        allow_null=True,
        help_text=_("Tình trạng giấy chứng nhận hôm nay; null nếu chưa từng có."),
    )

    class Meta:
        model = Facility
        fields = [
            "id",
            "code",
            "name",
            "enterprise",
            "activity",
            "sector",
            "district",
            "commune",
            "address",
            "latitude",
            "longitude",
            "operating_since",
            "closed_on",
            "is_new_build",
            "compliance_status",
            "certificate_status",
            "version",
            "change_reason",
        ]


class CertificateSerializer(ValidatedModelSerializer):
    status = serializers.SerializerMethodField(help_text=_("Tình trạng hôm nay."))

    class Meta:
        model = Certificate
        fields = [
            "id",
            "facility",
            "kind",
            "number",
            "issuer",
            "issued_on",
            "valid_until",
            "revoked_on",
            "revocation_reason",
            "status",
            "version",
            "change_reason",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=CertificateStatus.choices))
    def get_status(self, certificate) -> str:
        # Annotated by compliance.selectors.certificates_for (the viewset's queryset).
        return certificate.status


class CleanTechMeasureSerializer(ValidatedModelSerializer):
    verified_by = serializers.SlugRelatedField(read_only=True, slug_field="username")

    class Meta:
        model = CleanTechMeasure
        fields = [
            "id",
            "facility",
            "kind",
            "category",
            "description",
            "installed_on",
            "removed_on",
            "verified_on",
            "verified_by",
            "version",
            "change_reason",
        ]
        read_only_fields = ["verified_on"]


class VerifySerializer(serializers.Serializer):
    verified_on = serializers.DateField()
    change_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=500
    )
