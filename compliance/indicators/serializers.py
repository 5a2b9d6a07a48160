"""Query parameters and (documentation-only) response shapes of the indicators API.

Responses are built by the engine's ``to_dict()`` (docs/api.md, exactly); the response
serializers below describe those shapes for drf-spectacular. Parameter serializers
turn bad input into 400 with a Vietnamese message, never a 500.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from compliance.indicators import rules
from facilities.dates import validate_date, validate_year
from facilities.models import Commune, District, Sector

DATE_ERRORS = {"invalid": _("Ngày không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2020-12-31).")}
# Plain strings in the schema (not an enum) so that no other enum named "code" clashes.
CODES_HELP = "establishments_meeting_standards | new_production_clean_tech | businesses_certified"
YEAR_ERRORS = {"invalid": _("Năm phải là một số nguyên, ví dụ 2020.")}


class ScopeQuery(serializers.Serializer):
    """``district``, ``commune`` and ``sector`` codes, checked against the reference
    tables."""

    district = serializers.CharField(required=False)
    commune = serializers.CharField(required=False)
    sector = serializers.CharField(required=False)

    def validate_commune(self, code: str) -> str:
        if not Commune.objects.filter(pk=code).exists():
            raise serializers.ValidationError(
                _("Không có xã / phường mã “%(code)s”.") % {"code": code}
            )
        return code

    def validate_district(self, code: str) -> str:
        if not District.objects.filter(pk=code).exists():
            raise serializers.ValidationError(
                _("Không có huyện/thành phố mã “%(code)s”.") % {"code": code}
            )
        return code

    def validate_sector(self, code: str) -> str:
        if not Sector.objects.filter(pk=code).exists():
            raise serializers.ValidationError(_("Không có ngành mã “%(code)s”.") % {"code": code})
        return code


class AsOfQuery(ScopeQuery):
    """``as_of`` (default today) plus the scope."""

    as_of = serializers.DateField(
        required=False, error_messages=DATE_ERRORS, validators=[validate_date]
    )


class FacilitiesQuery(AsOfQuery):
    code = serializers.ChoiceField(
        choices=rules.CODES,
        error_messages={
            "invalid_choice": _("Không có chỉ tiêu mã “{input}”. Các mã: {codes}."),
            "required": _("Cần chọn chỉ tiêu (code)."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Show the valid codes in the message.
        messages = self.fields["code"].error_messages
        messages["invalid_choice"] = str(messages["invalid_choice"]).replace(
            "{codes}", ", ".join(rules.CODES)
        )


class SeriesQuery(ScopeQuery):
    """``from`` and ``to`` years (Python keywords, hence renamed), ``include_today``."""

    from_year = serializers.IntegerField(
        required=False, error_messages=YEAR_ERRORS, validators=[validate_year]
    )
    to_year = serializers.IntegerField(
        required=False, error_messages=YEAR_ERRORS, validators=[validate_year]
    )
    include_today = serializers.BooleanField(required=False, default=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_year")
        fields["to"] = fields.pop("to_year")
        return fields

    def validate(self, attrs):
        first = attrs.get("from", rules.FIRST_SERIES_YEAR)
        last = attrs.get("to", timezone.localdate().year)
        if first > last:
            raise serializers.ValidationError(
                {
                    "from": _("Năm bắt đầu (%(first)s) sau năm kết thúc (%(last)s).")
                    % {"first": first, "last": last}
                }
            )
        attrs["from"], attrs["to"] = first, last
        return attrs


class YearPath(serializers.Serializer):
    year = serializers.IntegerField(error_messages=YEAR_ERRORS, validators=[validate_year])


# --- response shapes (documentation) ---------------------------------------------------


class IndicatorTargetSerializer(serializers.Serializer):
    comparator = serializers.ChoiceField(choices=[">=", ">"])
    percent = serializers.IntegerField()


class IndicatorFigureSerializer(serializers.Serializer):
    numerator = serializers.IntegerField()
    population = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)


class IndicatorDistrictFigureSerializer(IndicatorFigureSerializer):
    district = serializers.CharField(
        allow_null=True, help_text=_("null: các cơ sở chưa xác định huyện.")
    )


class IndicatorCommuneFigureSerializer(IndicatorFigureSerializer):
    commune = serializers.CharField(
        allow_null=True, help_text=_("null: các cơ sở chưa xác định xã / phường.")
    )


class IndicatorSectorFigureSerializer(IndicatorFigureSerializer):
    sector = serializers.CharField()


class IndicatorFiguresSerializer(IndicatorFigureSerializer):
    code = serializers.CharField(help_text=CODES_HELP)
    title = serializers.CharField()
    target = IndicatorTargetSerializer()
    by_district = IndicatorDistrictFigureSerializer(many=True)
    by_commune = IndicatorCommuneFigureSerializer(
        many=True, required=False, help_text=_("Chỉ có từ ngày 01/07/2025.")
    )
    by_sector = IndicatorSectorFigureSerializer(many=True)


class IndicatorScopeSerializer(serializers.Serializer):
    district = serializers.CharField(allow_null=True)
    commune = serializers.CharField(allow_null=True)
    sector = serializers.CharField(allow_null=True)


class IndicatorReportSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    scope = IndicatorScopeSerializer()
    indicators = IndicatorFiguresSerializer(many=True)


class IndicatorFacilityRowSerializer(serializers.Serializer):
    facility = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    district = serializers.CharField(allow_null=True)
    commune = serializers.CharField(allow_null=True)
    sector = serializers.CharField()
    counted = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)


class IndicatorSummarySerializer(IndicatorFigureSerializer):
    code = serializers.CharField(help_text=CODES_HELP)


class IndicatorSeriesPointSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    indicators = IndicatorSummarySerializer(many=True)


class AnnualReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    published_by = serializers.CharField(allow_null=True)
    report = IndicatorReportSerializer()


class AnnualReportListItemSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    published_at = serializers.DateTimeField()
    published_by = serializers.CharField(allow_null=True)
    indicators = IndicatorSummarySerializer(many=True)


class ReportStateSerializer(serializers.Serializer):
    counted = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)


class ReportHistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class ReportHistoryEntrySerializer(serializers.Serializer):
    model = serializers.CharField()
    object_id = serializers.IntegerField()
    type = serializers.CharField(help_text="created | changed | deleted")
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    changes = ReportHistoryChangeSerializer(many=True)


class ReportFacilityDifferenceSerializer(serializers.Serializer):
    facility = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    indicator = serializers.CharField(help_text=CODES_HELP)
    published = ReportStateSerializer(allow_null=True)
    current = ReportStateSerializer(allow_null=True)
    history = ReportHistoryEntrySerializer(many=True, allow_null=True)


class ReportFigureDifferenceSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=CODES_HELP)
    published = IndicatorFigureSerializer()
    current = IndicatorFigureSerializer()


class AnnualReportDiffSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    published_at = serializers.DateTimeField()
    figures = ReportFigureDifferenceSerializer(many=True)
    facilities = ReportFacilityDifferenceSerializer(many=True)


class IndicatorErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
