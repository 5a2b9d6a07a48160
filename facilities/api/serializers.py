"""Serializers of the registry's own models, and the base every API serializer uses.

``ValidatedModelSerializer`` (NetBox's pattern) runs the model's ``full_clean()`` on the
instance as it would be saved, so the API enforces exactly the rules the admin and the
pages do — field validators, ``clean()`` across fields, named constraints — and answers
400 with the model's (Vietnamese) messages instead of an IntegrityError.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings
from rest_framework.validators import UniqueValidator

from facilities.api.exceptions import validation_error_detail
from facilities.filtersets import MAX_ID
from facilities.models import Commune, District, Enterprise, Sector

# Every related field is typed as a plain id/code input: the browsable API would
# otherwise render a <select> listing the whole related table (100,000 facilities).
ID_INPUT = {"base_template": "input.html", "input_type": "number"}
CODE_INPUT = {"base_template": "input.html"}


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by id, rendered as a number input; out-of-range ids are invalid."""

    def __init__(self, **kwargs):
        kwargs.setdefault("style", ID_INPUT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, int) and not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        if isinstance(data, str) and (not data.isdigit() or len(data) > 18):
            self.fail("incorrect_type", data_type="str")
        return super().to_internal_value(data)


class CodeRelatedField(serializers.SlugRelatedField):
    """A reference-data row (district, sector) by its code, rendered as a text input."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("style", CODE_INPUT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # A NUL byte cannot even be sent to PostgreSQL; refuse it as an unknown code.
        if not isinstance(data, str) or "\x00" in data or len(data) > 40:
            self.fail("invalid")
        return super().to_internal_value(data)


def place_constraint_errors(model, detail: dict) -> dict:
    """Move the message of a one-field unique constraint onto that field.

    Django reports a constraint with a custom message as a model-wide error; the client
    must fix the field ("Đã có cơ sở với mã này." belongs to ``code``).
    """
    general = detail.get(api_settings.NON_FIELD_ERRORS_KEY)
    if not general:
        return detail
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        message = str(constraint.violation_error_message)
        if len(fields) == 1 and message in general:
            general.remove(message)
            detail.setdefault(fields[0], []).append(message)
    if not general:
        del detail[api_settings.NON_FIELD_ERRORS_KEY]
    return detail


class ValidatedModelSerializer(serializers.ModelSerializer):
    """ModelSerializer that validates the would-be instance with ``full_clean()``.

    ``change_reason`` (write-only) goes to history like the X-Change-Reason header.
    """

    serializer_related_field = IdRelatedField

    change_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("Lý do thay đổi, lưu vào lịch sử (bắt buộc khi sửa đợt kiểm tra đã hoàn tất)."),
    )
    version = serializers.IntegerField(
        read_only=True, help_text=_("Phiên bản; gửi lại trong If-Match (ETag) để tránh ghi đè.")
    )

    def get_fields(self):
        # Uniqueness is checked by full_clean with the model's own constraint messages.
        fields = super().get_fields()
        for field in fields.values():
            field.validators = [v for v in field.validators if not isinstance(v, UniqueValidator)]
        return fields

    def get_validators(self):
        return list(getattr(self.Meta, "validators", []))

    def validate(self, attrs):
        attrs = super().validate(attrs)
        values = {k: v for k, v in attrs.items() if k != "change_reason"}
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        m2m = {f.name for f in model._meta.many_to_many}
        for name, value in values.items():
            if name not in m2m:
                setattr(instance, name, value)
        normalize = getattr(instance, "normalize", None)
        if normalize is not None:
            normalize()
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                place_constraint_errors(model, validation_error_detail(exc))
            ) from exc
        return attrs

    def create(self, validated_data):
        validated_data.pop("change_reason", None)
        return super().create(validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("change_reason", None)
        return super().update(instance, validated_data)


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["code", "name"]


class CommuneSerializer(serializers.ModelSerializer):
    former_districts = serializers.SlugRelatedField(
        many=True,
        read_only=True,
        slug_field="code",
        help_text=_("Mã các huyện cũ (trước 01/07/2025) có đơn vị đã hợp thành xã / phường này."),
    )

    class Meta:
        model = Commune
        fields = ["code", "name", "kind", "former_districts"]


class SectorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("Tên theo ngôn ngữ đang dùng."))

    class Meta:
        model = Sector
        fields = ["code", "name"]


class EnterpriseSerializer(ValidatedModelSerializer):
    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "tax_code",
            "address",
            "representative",
            "phone",
            "email",
            "version",
            "change_reason",
        ]
