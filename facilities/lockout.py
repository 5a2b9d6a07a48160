"""Logins refused after repeated failures (django-axes): the answer, and the log.

django-axes counts failed logins per username and per address, on every path that
calls ``django.contrib.auth.authenticate`` with the request (the API token endpoint,
the login page, the admin login). Once either count reaches ``AXES_FAILURE_LIMIT``
within ``AXES_COOLOFF_TIME``, the login is refused before any password is checked and
the answer comes from ``lockout_response``: 429 with ``Retry-After`` — JSON under
``/api/``, a page elsewhere.

Every lockout is logged (logger ``envreg.auth``), and so is every count of failures
that is cleared, which releases a lock: django-axes clears counts older than the
cool-off at the next login attempt, and ``manage.py axes_reset_username USERNAME`` /
``axes_reset_ip ADDRESS`` clear them at once.
"""

import logging
import math

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

log = logging.getLogger("envreg.auth")


def retry_after_seconds() -> int:
    """How long a locked-out client should wait: the whole cool-off.

    Each refused attempt starts the cool-off again, so this is exact for the client
    that was just refused.
    """
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = math.ceil(retry_after_seconds() / 60)
    return ngettext(
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.",
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 with ``Retry-After``, JSON for the API."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        response = render(
            request, "registration/locked_out.html", {"message": lockout_message()}, status=429
        )
    response["Retry-After"] = str(retry_after_seconds())
    return response


@receiver(user_locked_out)
def log_lockout(sender, request, username, ip_address, **kwargs):
    log.warning(
        "login locked out: username=%r address=%s path=%s",
        username,
        ip_address,
        getattr(request, "path", ""),
    )


@receiver(post_delete, sender=AccessAttempt)
def log_release(sender, instance, **kwargs):
    log.warning(
        "login failures cleared, logins allowed again: username=%r address=%s failures=%d",
        instance.username,
        instance.ip_address,
        instance.failures_since_start,
    )
