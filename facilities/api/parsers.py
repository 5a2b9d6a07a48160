"""The API's JSON parser: any body it cannot take is a 400 or 413 with a message.

DRF's own JSONParser lets Python's RecursionError through (``[`` × 5000 is a 500) and
reads a body of any size. Here the body is read up to ``DATA_UPLOAD_MAX_MEMORY_SIZE``
(413 beyond), must be UTF-8 JSON (400 otherwise) and may nest at most
``MAX_JSON_DEPTH`` arrays or objects (400 beyond): registry objects are flat, so a deep
body is never a real request and must not reach code that walks it recursively.
"""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant

MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("Nội dung yêu cầu quá lớn.")
    default_code = "too_large"


def depth_exceeds(data, limit: int) -> bool:
    """Does ``data`` nest lists/dicts deeper than ``limit``? (iterative: no recursion)"""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class RegistryJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # One byte over the limit is enough to know it is over.
        raw = stream.read(-1 if limit is None else limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError(_("Nội dung JSON không phải văn bản UTF-8 hợp lệ.")) from None
        try:
            data = json.loads(
                text, parse_constant=strict_constant if api_settings.STRICT_JSON else None
            )
        except RecursionError:
            raise ParseError(self.too_deep()) from None
        except ValueError as exc:
            raise ParseError(_("Nội dung JSON không hợp lệ: %(error)s") % {"error": exc}) from None
        if depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(self.too_deep())
        return data

    @staticmethod
    def too_deep():
        return _("Nội dung JSON lồng nhau quá sâu (tối đa %(depth)d tầng).") % {
            "depth": MAX_JSON_DEPTH
        }
