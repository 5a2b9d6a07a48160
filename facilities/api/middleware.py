"""Under ``/api/`` every answer is JSON, errors included, and none is cached.

DRF answers its own errors in JSON, but some errors never reach a DRF view: an unknown
path (Django's 404 page), a body over the size limit, a 500. This middleware turns any
non-JSON error under ``/api/`` into ``{"detail": "..."}`` with the same status and
headers, refuses a body whose declared size is over the limit with 413 before anything
reads it, and marks every answer to a request with credentials (a token or a logged-in
session) ``Cache-Control: no-store``: registry data and tokens must not stay in shared
or browser caches.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from facilities.api.parsers import RequestTooLarge

API_PREFIX = "/api/"


def _messages() -> dict[int, str]:
    return {
        400: _("Yêu cầu không hợp lệ."),
        401: _("Cần đăng nhập."),
        403: _("Không có quyền thực hiện thao tác này."),
        404: _("Không tìm thấy."),
        405: _("Phương thức không được hỗ trợ."),
        413: str(RequestTooLarge.default_detail),
        429: _("Quá nhiều yêu cầu."),
        500: _("Lỗi máy chủ. Xin thử lại sau."),
    }


def json_error(status: int, detail: str | None = None, headers=None) -> JsonResponse:
    detail = detail or _messages().get(status) or _("Lỗi.")
    response = JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        if name.lower() not in {"content-type", "content-length"}:
            response[name] = value
    return response


def body_limit(request) -> int | None:
    """The largest body an API request may declare: the form limit, plus for uploads
    (imports, attachments) the largest file they accept."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return None
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
        limit += max(settings.EXCEL_IMPORT_MAX_BYTES, settings.ATTACHMENT_MAX_BYTES)
    return limit


def declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def is_json(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    return content_type == "application/json" or content_type.endswith("+json")


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        limit = body_limit(request)
        if limit is not None and declared_length(request) > limit:
            return json_error(413)
        response = self.get_response(request)
        if response.status_code >= 400 and not is_json(response):
            response = json_error(response.status_code, headers=response.headers)
        user = getattr(request, "user", None)
        if "HTTP_AUTHORIZATION" in request.META or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True)
        return response

    def process_exception(self, request, exception):
        # Django would answer 400: the client needs to know it is the size.
        if request.path_info.startswith(API_PREFIX) and isinstance(exception, RequestDataTooBig):
            return json_error(413)
        return None
