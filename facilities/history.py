"""Who changed registry data, and why: the user and reason on every history row.

Every registry model has django-simple-history records. simple-history fills the user
from the request; this module makes sure that *every* write path — admin, API, pages,
management commands, imports, bulk operations — also leaves a user and a reason:

* ``change_context(user=..., reason=...)`` sets both for everything written inside it
  (services, commands and imports use it);
* ``ChangeReasonMiddleware`` takes the reason of a web request from ``X-Change-Reason``;
* the ``pre_create_historical_record`` handler fills any row still missing one, with the
  named system account and a description of the request as last resorts;
* ``bulk_create_with_reason`` / ``bulk_update_with_reason`` / ``update_with_reason``
  replace ``bulk_create``/``bulk_update``/``QuerySet.update``, which write no history.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from facilities.text import nfc

CHANGE_REASON_HEADER = "HTTP_X_CHANGE_REASON"
MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class ChangeContext:
    user: Any = None
    reason: str | None = None


_current: ContextVar[ChangeContext] = ContextVar("registry_change", default=ChangeContext())  # noqa: B039 (frozen)


@contextmanager
def change_context(*, user=None, reason: str | None = None) -> Iterator[ChangeContext]:
    """Attribute every history row written inside the block to ``user`` with ``reason``.

    Nested blocks inherit what they do not override.
    """
    outer = _current.get()
    ctx = ChangeContext(
        user=user if user is not None else outer.user,
        reason=clean_reason(reason) or outer.reason,
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def clean_reason(reason: str | None) -> str | None:
    """NFC, trimmed, bounded; empty means no reason."""
    reason = nfc(reason or "")
    return reason[:MAX_REASON_LENGTH] if reason else None


def current_reason() -> str | None:
    return _current.get().reason


def system_user():
    """The named account for writes that no person made (commands without --user)."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=settings.SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "EnvReg", "last_name": "system"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _request_user():
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _request_reason() -> str | None:
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return None
    return f"{request.method} {request.path}"


def resolve_user(explicit=None):
    """The user a history row is attributed to: explicit, context, request, system."""
    return explicit or _current.get().user or _request_user() or system_user()


def resolve_reason(explicit: str | None = None) -> str:
    """The reason of a history row: explicit, context, request header, request line."""
    return clean_reason(explicit) or _current.get().reason or _request_reason() or "unspecified"


@receiver(pre_create_historical_record)
def fill_user_and_reason(sender, history_instance, **kwargs):
    if history_instance.history_user_id is None:
        history_instance.history_user = resolve_user()
    history_instance.history_change_reason = resolve_reason(history_instance.history_change_reason)


class ChangeReasonMiddleware:
    """Carries the ``X-Change-Reason`` header of a request into its history rows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = request.META.get(CHANGE_REASON_HEADER)
        if not reason:
            return self.get_response(request)
        with change_context(reason=reason):
            return self.get_response(request)


def _prepare(objs: Iterable[models.Model]) -> list[models.Model]:
    objs = list(objs)
    for obj in objs:
        normalize = getattr(obj, "normalize", None)
        if normalize is not None:
            normalize()
    return objs


def bulk_create_with_reason(
    model: type[models.Model],
    objs: Iterable[models.Model],
    *,
    user=None,
    reason: str | None = None,
    batch_size: int = 2000,
    m2m: Mapping[str, Sequence[Iterable[Any]]] | None = None,
) -> list[models.Model]:
    """``bulk_create`` that normalises text and writes one history row per object.

    ``m2m`` sets many-to-many relations at creation: ``{"inspectors": [ids of objs[0],
    ids of objs[1], ...]}``. The through rows are written in bulk, and the history row
    of each object records them (as simple-history does when ``m2m_fields`` are saved
    one by one), so a bulk-created inspection shows its inspectors in its history.
    """
    objs = _prepare(objs)
    if not m2m:
        return bulk_create_with_history(
            objs,
            model,
            batch_size=batch_size,
            default_user=resolve_user(user),
            default_change_reason=resolve_reason(reason),
        )
    with transaction.atomic(savepoint=False):
        created = model._default_manager.bulk_create(objs, batch_size=batch_size)
        history_rows = model.history.bulk_history_create(
            created,
            batch_size=batch_size,
            default_user=resolve_user(user),
            default_change_reason=resolve_reason(reason),
        )
        for field_name, values in m2m.items():
            _bulk_add_m2m_with_history(model, field_name, created, history_rows, values)
    return created


def _bulk_add_m2m_with_history(model, field_name, objs, history_rows, values) -> None:
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    source = field.m2m_field_name()  # e.g. "inspection"
    target = field.m2m_reverse_field_name()  # e.g. "user"
    links = [
        through(**{f"{source}_id": obj.pk, f"{target}_id": target_id})
        for obj, ids in zip(objs, values, strict=True)
        for target_id in ids
    ]
    through.objects.bulk_create(links, batch_size=5000)
    history_m2m = HistoricalRecords.m2m_models.get(field)
    if history_m2m is None:
        return
    history_by_pk = {getattr(row, model._meta.pk.attname): row for row in history_rows}
    history_m2m.objects.bulk_create(
        [
            history_m2m(
                history=history_by_pk[getattr(link, f"{source}_id")],
                id=link.pk,
                **{
                    f"{source}_id": getattr(link, f"{source}_id"),
                    f"{target}_id": getattr(link, f"{target}_id"),
                },
            )
            for link in links
        ],
        batch_size=5000,
    )


def bulk_update_with_reason(
    model: type[models.Model],
    objs: Iterable[models.Model],
    fields: Sequence[str],
    *,
    user=None,
    reason: str | None = None,
    batch_size: int = 2000,
) -> int:
    """``bulk_update`` that normalises text and writes one history row per object."""
    objs = _prepare(objs)
    fields = list(fields)
    if "version" in {f.name for f in model._meta.fields}:
        for obj in objs:
            obj.version += 1
        fields = sorted(
            set(fields) | {"version", "search_key"} & {f.name for f in model._meta.fields}
        )
    bulk_update_with_history(
        objs,
        model,
        fields,
        batch_size=batch_size,
        default_user=resolve_user(user),
        default_change_reason=resolve_reason(reason),
    )
    return len(objs)


def update_with_reason(
    queryset: models.QuerySet, *, user=None, reason: str | None = None, **values
) -> int:
    """``QuerySet.update`` with history: loads the rows, sets ``values``, bulk-updates."""
    objs = list(queryset)
    for obj in objs:
        for name, value in values.items():
            setattr(obj, name, value)
    return bulk_update_with_reason(queryset.model, objs, list(values), user=user, reason=reason)
