"""Logins refused after repeated failures (django-axes): the answer, and the log.

django-axes counts failed logins per username and per address, on every path that
calls ``django.contrib.auth.authenticate`` with the request (the API token endpoint,
the login page, the admin login). Once either count reaches ``AXES_FAILURE_LIMIT``
within ``AXES_COOLOFF_TIME``, the login is refused before any password is checked and
the answer comes from ``lockout_response``: 429 with ``Retry-After`` — JSON under
``/api/``, a page elsewhere. Tries during the lock are refused without being counted.

Every lockout is logged (logger ``envreg.auth``), and so is every count of failures
that is cleared, which releases a lock: django-axes clears counts older than the
cool-off at the next login attempt, and ``manage.py axes_reset_username USERNAME`` /
``axes_reset_ip ADDRESS`` clear them at once.
"""

import logging
import math

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

log = logging.getLogger("envreg.auth")


def client_address(request: HttpRequest) -> str | None:
    """The address failures are counted against (``AXES_CLIENT_IP_CALLABLE``).

    With no proxy in front, the connection's. Behind ``LOGIN_PROXY_COUNT`` proxies, the
    entry of X-Forwarded-For that the outermost of them appended — counted from the
    right, since a client can put anything it likes on the left.
    """
    proxies = settings.LOGIN_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def retry_after_seconds(request: HttpRequest | None = None, credentials=None) -> int:
    """Seconds until the lock of this request's username or address ends.

    The lock lasts the cool-off from the last counted failure (tries during the lock
    are not counted); without such a failure at hand, the whole cool-off.
    """
    cool_off = settings.AXES_COOLOFF_TIME
    since = timezone.now() - cool_off
    matches = Q()
    username = get_client_username(request, credentials) if request is not None else None
    address = getattr(request, "axes_ip_address", None)
    if username:
        matches |= Q(username=username)
    if address:
        matches |= Q(ip_address=address)
    last = None
    if matches:
        last = (
            AccessAttempt.objects.filter(matches, attempt_time__gte=since)
            .aggregate(last=Max("attempt_time"))
            .get("last")
        )
    remaining = (last + cool_off - timezone.now()) if last else cool_off
    return max(1, math.ceil(remaining.total_seconds()))


def lockout_message(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.",
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 with ``Retry-After``, JSON for the API."""
    seconds = retry_after_seconds(request, credentials)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": lockout_message(seconds)},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": lockout_message(seconds)},
            status=429,
        )
    response["Retry-After"] = str(seconds)
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
