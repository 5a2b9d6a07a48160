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

import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.dispatch import Signal, receiver
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from facilities.text import nfc

CHANGE_REASON_HEADER = "HTTP_X_CHANGE_REASON"

# Sent (sender=model, objs=..., created=bool) after the bulk helpers below wrote rows,
# which send no post_save: derived data kept current on every write (the facility
# standing, compliance/standing.py) listens to it beside post_save and post_delete.
registry_bulk_written = Signal()
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


class InvalidReasonHeader(ValueError):
    """The ``X-Change-Reason`` header is not UTF-8 text."""


_HEX = frozenset("0123456789abcdefABCDEF")


def _percent_encoded(text: str) -> bool:
    """Does ASCII ``text`` hold a %XX escape (as ``encodeURIComponent`` makes them)?"""
    return any(
        text[i] == "%" and text[i + 1] in _HEX and text[i + 2] in _HEX for i in range(len(text) - 2)
    )


def reason_from_header(raw: str | None) -> str | None:
    """The text of an ``X-Change-Reason`` header, NFC; ``None`` when absent or empty.

    HTTP headers travel as bytes, and WSGI hands them over decoded as latin-1, so the
    UTF-8 that curl and browsers send raw arrives as mojibake ("Sá»..." for "Sử..."):
    the bytes are taken back (latin-1) and read as UTF-8. ``encodeURIComponent`` sends pure ASCII with %XX
    escapes of the UTF-8 bytes; those are decoded too, so both ways store the same text.
    Raises ``InvalidReasonHeader`` for bytes that are not UTF-8, bad escapes and NUL.
    """
    if not raw:
        return None
    try:
        text = raw.encode("latin-1").decode("utf-8")
    except UnicodeEncodeError:
        text = raw  # already text (a server that decoded it for us)
    except UnicodeDecodeError as exc:
        raise InvalidReasonHeader(str(exc)) from None
    if text.isascii() and _percent_encoded(text):
        try:
            text = unquote(text, errors="strict")
        except UnicodeDecodeError as exc:
            raise InvalidReasonHeader(str(exc)) from None
    if "\x00" in text:
        raise InvalidReasonHeader("NUL")
    return clean_reason(text)


class ChangeReasonMiddleware:
    """Carries the ``X-Change-Reason`` header of a request into its history rows.

    A header that is not UTF-8 text is refused with 400 (JSON under ``/api/``) rather
    than stored garbled.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            reason = reason_from_header(request.META.get(CHANGE_REASON_HEADER))
        except InvalidReasonHeader:
            message = _("Tiêu đề X-Change-Reason phải là văn bản UTF-8 hợp lệ.")
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"detail": message}, status=400, json_dumps_params={"ensure_ascii": False}
                )
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        if not reason:
            return self.get_response(request)
        with change_context(reason=reason):
            return self.get_response(request)


def _prepare(objs: Iterable[models.Model], normalized: bool = False) -> list[models.Model]:
    objs = list(objs)
    if normalized:
        return objs
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
    normalized: bool = False,
) -> list[models.Model]:
    """``bulk_create`` that normalises text and writes one history row per object.

    ``normalized=True``: the caller has just normalised every object (the importer
    validates them normalised), so it is not done a second time.

    ``m2m`` sets many-to-many relations at creation: ``{"inspectors": [ids of objs[0],
    ids of objs[1], ...]}``. The through rows are written in bulk, and the history row
    of each object records them (as simple-history does when ``m2m_fields`` are saved
    one by one), so a bulk-created inspection shows its inspectors in its history.
    """
    objs = _prepare(objs, normalized)
    if not m2m:
        with transaction.atomic(savepoint=False):
            created = bulk_create_with_history(
                objs,
                model,
                batch_size=batch_size,
                default_user=resolve_user(user),
                default_change_reason=resolve_reason(reason),
            )
            registry_bulk_written.send(sender=model, objs=created, created=True)
        return created
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
        registry_bulk_written.send(sender=model, objs=created, created=True)
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
    normalized: bool = False,
) -> int:
    """``bulk_update`` that normalises text and writes one history row per object
    (``normalized`` as in ``bulk_create_with_reason``)."""
    objs = _prepare(objs, normalized)
    fields = list(fields)
    # As for a single save: rows whose values did not change are not written at all.
    objs = [o for o in objs if not hasattr(o, "changed_fields") or o.changed_fields(fields)]
    if not objs:
        return 0
    if "version" in {f.name for f in model._meta.fields}:
        for obj in objs:
            obj.version += 1
        fields = sorted(
            set(fields) | {"version", "search_key"} & {f.name for f in model._meta.fields}
        )
    with transaction.atomic(savepoint=False):
        bulk_update_with_history(
            objs,
            model,
            fields,
            batch_size=batch_size,
            default_user=resolve_user(user),
            default_change_reason=resolve_reason(reason),
        )
        registry_bulk_written.send(sender=model, objs=objs, created=False)
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


# Field types that psycopg's COPY writes from the Python value as is.
_COPYABLE = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
    "UUIDField",  # psycopg writes a uuid.UUID (the visit form's keys) as is
}


def copy_create_with_reason(
    model: type[models.Model],
    objs: Iterable[models.Model],
    *,
    user=None,
    reason: str | None = None,
    m2m: Mapping[str, Sequence[Iterable[Any]]] | None = None,
    normalized: bool = False,
) -> list[models.Model]:
    """``bulk_create_with_reason`` for large loads: the same rows, written with COPY.

    On PostgreSQL the primary keys (of the rows, their history rows and many-to-many
    links) are reserved from the sequences first, then everything is streamed with
    COPY, which skips the per-value SQL compilation of ``bulk_create`` (measured about
    3× faster for seed_demo). Elsewhere, or for a model with a field COPY cannot take
    as is, it is exactly ``bulk_create_with_reason``. Each history row gets the user,
    the reason and history type "+", like every other path.

    ``normalized=True``: the caller built every object already normalised (NFC text, its
    search key: what ``normalize()`` would leave), so it is not done again — seed_demo
    assembles its text from constants normalised once (docs/performance.md, "seed_demo").
    """
    objs = list(objs)
    fields = model._meta.concrete_fields
    history_model = model.history.model
    if (
        connection.vendor != "postgresql"
        or not objs
        or any(f.get_internal_type() not in _COPYABLE for f in fields)
        or any(f.get_internal_type() not in _COPYABLE for f in history_model._meta.concrete_fields)
    ):
        return bulk_create_with_reason(
            model, objs, user=user, reason=reason, m2m=m2m, normalized=normalized
        )
    objs = _prepare(objs, normalized)
    user_id = resolve_user(user).pk
    reason_text = resolve_reason(reason)
    now = timezone.now()
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    alias = connection.alias  # read once: ``connection`` is a proxy, each read a lookup
    with transaction.atomic(savepoint=False):
        for obj, pk in zip(objs, _reserve_ids(model, len(objs)), strict=True):
            obj.pk = pk
            for attname in stamped:
                setattr(obj, attname, now)
            obj._state.adding = False
            obj._state.db = alias
        # Each row read once, as a tuple, by one C-level getter (millions of rows in a
        # large seed); the history row picks from it and from the history's own values.
        values = operator.attrgetter(*(f.attname for f in fields))
        rows = [values(obj) for obj in objs]
        _copy(model, fields, rows)

        history_ids = _reserve_ids(history_model, len(objs))
        extra = {
            "history_date": now,
            "history_change_reason": reason_text,
            "history_type": "+",
            "history_user_id": user_id,
        }
        history_fields = history_model._meta.concrete_fields
        # Positions in (row values..., history id, extra values...) of each history column.
        position = {f.attname: n for n, f in enumerate(fields)}
        position.update((name, len(fields) + 1 + n) for n, name in enumerate(extra))
        pick = operator.itemgetter(
            *(len(fields) if f.primary_key else position[f.attname] for f in history_fields)
        )
        constants = tuple(extra.values())
        _copy(
            history_model,
            history_fields,
            (
                pick((*row, history_id, *constants))
                for row, history_id in zip(rows, history_ids, strict=True)
            ),
        )
        for field_name, values in (m2m or {}).items():
            _copy_m2m(model, field_name, objs, history_ids, values)
        registry_bulk_written.send(sender=model, objs=objs, created=True)
    return objs


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model: type[models.Model], fields, rows: Iterable[list[Any]]) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _copy_m2m(model, field_name, objs, history_ids, values) -> None:
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    source = f"{field.m2m_field_name()}_id"
    target = f"{field.m2m_reverse_field_name()}_id"
    pairs = [
        (obj.pk, target_id, history_id)
        for obj, history_id, ids in zip(objs, history_ids, values, strict=True)
        for target_id in ids
    ]
    if not pairs:
        return
    link_ids = _reserve_ids(through, len(pairs))
    link_fields = [through._meta.pk, through._meta.get_field(field.m2m_field_name())]
    link_fields.append(through._meta.get_field(field.m2m_reverse_field_name()))
    _copy(
        through,
        link_fields,
        (
            [link_id, obj_pk, target_id]
            for link_id, (obj_pk, target_id, _h) in zip(link_ids, pairs, strict=True)
        ),
    )
    history_m2m = HistoricalRecords.m2m_models.get(field)
    if history_m2m is None:
        return
    history_fields = [f for f in history_m2m._meta.concrete_fields if not f.primary_key]
    # Each history link picks from (link id, object, target, object's history row).
    position = {"id": 0, source: 1, target: 2, "history_id": 3}
    pick = operator.itemgetter(*(position[f.attname] for f in history_fields))
    _copy(
        history_m2m,
        history_fields,
        (pick((link_id, *pair)) for link_id, pair in zip(link_ids, pairs, strict=True)),
    )
