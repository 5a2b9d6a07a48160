"""Optimistic concurrency for API writes: ETag out, If-Match in, 412 on a lost race.

Every registry row has a ``version`` that RegistryModel.save increments. A GET of one
object answers ``ETag: W/"<version>"``; a PUT/PATCH/DELETE (or action) may send it back
in ``If-Match``. Comparing the version in Python and then saving is not enough — two
writers can both pass the check and the second silently overwrites the first — so the
comparison happens *inside* an UPDATE (``claim_row``): the row is claimed with
``UPDATE … SET version = version WHERE id = %s AND version = %s``. On PostgreSQL the
second writer's UPDATE waits for the first's row lock, then re-reads the row, finds the
version moved on and matches nothing; on SQLite the IMMEDIATE transaction makes the
second writer wait for the first to commit (busy timeout) and then match nothing. In
both cases the loser gets 412 and history shows exactly one change.
"""

from __future__ import annotations

import re

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException

IF_MATCH_HEADER = "HTTP_IF_MATCH"
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "Đối tượng đã bị người khác sửa kể từ khi bạn tải về (If-Match không khớp):"
        " hãy tải lại rồi sửa."
    )
    default_code = "precondition_failed"


def etag_for(version: int) -> str:
    """The ETag of an object at ``version`` (weak: it names the version, not the bytes)."""
    return f'W/"{version}"'


def expected_versions(request) -> set[int] | None:
    """The versions If-Match accepts; None when absent or ``*`` (any version).

    A header that names no version we could ever have written matches nothing: 412.
    """
    raw = request.META.get(IF_MATCH_HEADER)
    if raw is None:
        return None
    raw = raw.strip()
    if raw == "*":
        return None
    versions = set()
    for part in raw.split(","):
        match = _ETAG.match(part)
        if match:
            versions.add(int(match.group(1)))
    return versions


def claim_row(model: type[models.Model], pk, versions: set[int] | None) -> bool:
    """Lock the row ``pk`` for this transaction, only if its version is in ``versions``.

    Must run inside ``transaction.atomic()``; returns False when the row is gone or its
    version does not match (the caller answers 412). ``versions=None`` locks any version
    (a write without If-Match still waits for, and then sees, a concurrent one).
    This no-op UPDATE is the one sanctioned bare ``QuerySet.update`` on registry rows: it
    changes no value, so it has no history to write.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_row must run inside transaction.atomic()")
    queryset = model._default_manager.filter(pk=pk)
    if versions is not None:
        if not versions:
            return False
        queryset = queryset.filter(version__in=versions)
    return queryset.update(version=F("version")) == 1


def claim_or_412(model: type[models.Model], pk, request) -> None:
    """``claim_row`` with the request's If-Match; raises PreconditionFailed on mismatch."""
    if not claim_row(model, pk, expected_versions(request)):
        raise PreconditionFailed()
