"""OpenAPI generation: the error shapes and headers every operation shares (docs/api.md)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <token>`` (facilities.api.authentication), under the name
    the schema has always used for it."""

    target_class = "facilities.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )


class ErrorSerializer(serializers.Serializer):
    """401, 403, 404, 405, 409, 412, 415: a message."""

    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """400: ``{"field": ["message", ...]}`` for each invalid field; errors about the
    object as a whole under ``non_field_errors``."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='ETag from a GET of the object (W/"<version>"); 412 if it changed since.',
)
CHANGE_REASON = OpenApiParameter(
    "X-Change-Reason",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Reason stored in the object's history (required to correct a finalized inspection).",
)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class RegistryAutoSchema(AutoSchema):
    """AutoSchema plus 400/401/403/404/409/412 bodies and If-Match/X-Change-Reason headers."""

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self.method in WRITE_METHODS and self._is_registry_view():
            params.append(CHANGE_REASON)
            if self.method != "POST" or self._is_detail():
                params.append(IF_MATCH)
        return params

    def _is_registry_view(self) -> bool:
        return getattr(self.view, "registry_api", False)

    def _is_detail(self) -> bool:
        return "{id}" in self.path

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self._is_registry_view():
            return responses
        extra = {"401": ErrorSerializer, "403": ErrorSerializer}
        if self.method in WRITE_METHODS or self._is_list_view():
            extra["400"] = ValidationErrorSerializer
        if self._is_detail():
            extra["404"] = ErrorSerializer
        if self.method in WRITE_METHODS:
            extra["409"] = ErrorSerializer
            if self._is_detail():
                extra["412"] = ErrorSerializer
        for code, serializer in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(serializer, code, direction=direction)
        return responses
