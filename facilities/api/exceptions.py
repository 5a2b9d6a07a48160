"""One error shape for the whole API, whatever raised the error (docs/api.md, "Errors").

* Django ``ValidationError`` (models' full_clean, services) → 400 ``{"field": [...]}``;
  model-wide messages under ``non_field_errors`` like DRF's own.
* ``ProtectedError`` (deleting what evidence points to) and ``IntegrityError`` (a
  duplicate that slipped past validation in a race) → 409 ``{"detail": ...}``.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Xung đột với dữ liệu đã có.")
    default_code = "conflict"


def validation_error_detail(exc: DjangoValidationError) -> dict:
    """A Django ValidationError as DRF's ``{"field": ["message", ...]}``."""
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key): list(msgs)
            for key, msgs in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=validation_error_detail(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(_("Không xóa được: còn hồ sơ khác tham chiếu tới đối tượng này."))
    elif isinstance(exc, IntegrityError):
        exc = Conflict(_("Trùng với dữ liệu đã có (mã, số hoặc mã số thuế đã được dùng)."))
    return drf_exception_handler(exc, context)
