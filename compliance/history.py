"""Reading the change history: the one reader behind the API, the change-log pages, the
history export and the annual-report diff (docs/architecture.md, "History").

Writing history (user and reason on every row) is facilities/history.py's job; this
module reads it back. It lives in compliance, the highest app, because it spans the
models of all three apps.

* ``TRACKED`` — the models whose history is read, derived from the model registry: every
  registry model (``RegistryModel``) with ``HistoricalRecords``; the key of each is its
  name in snake case (``clean_tech_measure``), the ``model`` of the API.
* ``history_scope(model, user)`` — which objects' history ``user`` may read, from the
  rules of facilities/access.py.
* ``diff(model, previous, record)`` — the field-level changes of one history row; the
  only diff (bookkeeping columns left out).
* ``readable(entries)`` — the values of those changes as people read them (names,
  labels, dd/mm/yyyy, local time), one query per model named; the API keeps raw values.
* ``held_labels()`` / ``HistoryFilters(held_by=, facility=)`` — a facility and everything
  it holds, derived from the foreign keys (its history tab).
* ``history_page(user, filters, after=/before=, limit=)`` — newest first, keyset
  (cursor) pagination: any page costs the same, however deep.
* ``history_stream(user, filters)`` — every row, oldest first per object, one row in
  memory at a time (exports).
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from compliance.models import Certificate
from facilities.access import (
    can_read_history,
    enterprises_for,
    facilities_for,
    history_hides_inspections,
    restrict_inspection_rows,
    restrict_to_visible,
)
from facilities.models import Enterprise, Facility, RegistryModel, in_districts_q
from facilities.text import nfc, search_key
from inspections.models import Inspection

# Rows that belong to an inspection through a finding (remediation evidence) or through
# evidence (its files): the path from each to its Inspection.
INSPECTION_PATHS = {"finding": "finding__inspection", "evidence": "evidence__finding__inspection"}

# Columns that change on every save and say nothing to a reader (the same ones a save
# does not count as a change).
BOOKKEEPING_FIELDS = RegistryModel.BOOKKEEPING_FIELDS
TYPES = {"+": "created", "~": "changed", "-": "deleted"}
TYPE_LABELS = {"+": _("Tạo mới"), "~": _("Thay đổi"), "-": _("Xóa")}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _tracked_models() -> dict[str, type[models.Model]]:
    tracked = {
        _snake(model.__name__): model
        for model in apps.get_models()
        if issubclass(model, RegistryModel) and hasattr(model, "history")
    }
    return dict(sorted(tracked.items()))


TRACKED: dict[str, type[models.Model]] = _tracked_models()


def history_scope(model: type[models.Model], user) -> QuerySet | None:
    """The current objects of ``model`` whose history ``user`` may read.

    None means everything, deleted objects included (administrators and auditors).
    Others read the history of what they may see now (facilities/access.py); business
    users read none of an inspection's, whose drafts are not theirs to see.
    """
    if can_read_history(user):
        return None
    if model is Enterprise:
        return enterprises_for(user)
    if model is Facility:
        return facilities_for(user)
    names = {f.name for f in model._meta.concrete_fields}
    via = next((INSPECTION_PATHS[n] for n in INSPECTION_PATHS if n in names), None)
    if model is Inspection or "inspection" in names or via:
        if history_hides_inspections(user):
            return model.objects.none()
        path = "" if model is Inspection else (via or "inspection")
        return restrict_inspection_rows(model.objects.all(), user, inspection_path=path)
    if "facility" in names:
        return restrict_to_visible(model.objects.all(), user)
    return model.objects.none()


def _held_q(model: type[models.Model], facility_ids, seen: frozenset = frozenset()) -> Q | None:
    """History rows of ``model`` held by one of the facilities ``facility_ids`` (ids or a
    query of ids): the facility itself, or anything whose foreign keys lead to one —
    derived from the models (a certificate by its facility, a finding by its inspection's
    facility, an attachment by its inspection's ...), so a model added later is covered.
    None: ``model`` does not belong to a facility.

    A hop through another tracked model reads that model's history rows, so the rows of
    an object whose parent was deleted since are still placed.
    """
    if model is Facility:
        return Q(id__in=facility_ids)
    tracked = set(TRACKED.values())
    q = None
    for f in model._meta.concrete_fields:
        if not f.many_to_one:
            continue
        target = f.related_model
        if target is Facility:
            part = Q(**{f"{f.attname}__in": facility_ids})
        elif target in tracked and target is not model and target not in seen:
            inner = _held_q(target, facility_ids, seen | {model})
            if inner is None:
                continue
            part = Q(**{f"{f.attname}__in": target.history.filter(inner).values("id")})
        else:
            continue
        q = part if q is None else q | part
    return q


@functools.cache
def held_labels() -> tuple[str, ...]:
    """The tracked models a facility holds (itself included): its history tab's models
    (fixed once the models are loaded, as ``TRACKED`` is)."""
    return tuple(label for label, model in TRACKED.items() if _held_q(model, []) is not None)


def _facility_q(model: type[models.Model], facilities: QuerySet) -> Q:
    """History rows of ``model`` that belong to one of ``facilities`` (by their facility);
    for an enterprise, the enterprise that owns them."""
    facility_ids = facilities.values("pk")
    if model is Enterprise:
        return Q(id__in=facilities.values("enterprise_id"))
    held = _held_q(model, facility_ids)
    return Q(pk__in=[]) if held is None else held


@dataclass(frozen=True)
class HistoryFilters:
    """What the API, the pages and the export filter the history by.

    ``since`` and ``until`` are inclusive moments; ``district`` and ``facilities`` keep the
    rows of objects located there (by their facility). ``held_by`` (facility ids) and
    ``facility`` (a facility's code, or words of its name, in any of its versions) keep
    the rows of those facilities and of everything they hold; ``certificate`` the rows
    of the certificates that ever bore that number; ``types`` the kinds of change
    (``+``, ``~``, ``-``); ``text`` the rows whose reason or whose text values contain it.
    """

    models: tuple[str, ...] = ()
    object_id: int | None = None
    username: str | None = None
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    district: str | None = None
    facilities: frozenset[int] | None = None
    held_by: frozenset[int] | None = None
    facility: str | None = None
    certificate: str | None = None
    types: tuple[str, ...] = ()
    text: str | None = None

    def labels(self) -> list[str]:
        labels = list(self.models) or list(TRACKED)
        if self.held_by is not None or self.facility:
            held = held_labels()
            labels = [label for label in labels if label in held]
        if self.certificate:
            labels = [label for label in labels if TRACKED[label] is Certificate]
        return labels


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of ``day`` in the registry's time zone (an inclusive ``until``)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _rows(label: str, user, filters: HistoryFilters) -> QuerySet:
    model = TRACKED[label]
    rows = model.history.model.objects.all()
    scope = history_scope(model, user)
    if scope is not None:
        rows = rows.filter(id__in=scope.values("pk"))
    if filters.object_id is not None:
        rows = rows.filter(id=filters.object_id)
    if filters.username:
        rows = rows.filter(history_user__username=filters.username)
    if filters.since is not None:
        rows = rows.filter(history_date__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(history_date__lte=filters.until)
    if filters.district:
        rows = rows.filter(
            _facility_q(model, Facility.objects.filter(in_districts_q([filters.district])))
        )
    if filters.facilities is not None:
        rows = rows.filter(_facility_q(model, Facility.objects.filter(pk__in=filters.facilities)))
    if filters.held_by is not None:
        rows = rows.filter(_held_q(model, list(filters.held_by)) or Q(pk__in=[]))
    if filters.facility:
        rows = rows.filter(_held_q(model, facility_ids_matching(filters.facility)) or Q(pk__in=[]))
    if filters.certificate:
        numbers = Certificate.history.filter(number__iexact=nfc(filters.certificate))
        rows = rows.filter(id__in=numbers.values("id"))
    if filters.types:
        rows = rows.filter(history_type__in=filters.types)
    if filters.text:
        rows = rows.filter(_text_q(model, nfc(filters.text)))
    return rows


def facility_ids_matching(text: str) -> QuerySet:
    """Ids of the facilities, deleted ones included, whose code (in any version) is
    ``text``; failing that, those whose name contains its words, diacritics or not (the
    registry's search). A code wins so that "TD-001" never also brings "TD-0010"."""
    text = nfc(text) or ""
    by_code = Facility.history.filter(code__iexact=text).values("id").distinct()
    folded = search_key(text)
    if by_code.exists() or not folded:
        return by_code
    return Facility.history.filter(search_key__contains=folded).values("id").distinct()


def _text_q(model: type[models.Model], text: str) -> Q:
    """Rows whose change reason or whose text values (in that version) contain ``text``.

    SQLite folds the case of ASCII letters only, so "đá" would miss "Đá": the text is
    also sought in lower case, upper case and with a capital first letter (PostgreSQL
    folds every letter; the variants change nothing there).
    """
    variants = {text, text.lower(), text.upper(), text.capitalize()}
    columns = ["history_change_reason"] + [
        f.attname
        for f in tracked_fields(model)
        if isinstance(f, CharField | models.TextField) and not f.choices
    ]
    q = Q()
    for column in columns:
        for variant in variants:
            q |= Q(**{f"{column}__icontains": variant})
    return q


# --- the diff -------------------------------------------------------------------------


@dataclass
class Change:
    """One field of one history row: its value before and after (None: no value), and
    both as a reader reads them (``old_text``, ``new_text``, filled by ``readable``)."""

    model_field: models.Field
    old: Any
    new: Any
    old_text: str = ""
    new_text: str = ""

    @property
    def name(self) -> str:
        return self.model_field.name

    @property
    def label(self) -> str:
        return str(self.model_field.verbose_name)

    def display(self, value) -> Any:
        """The value as a reader sees it: a choice's label; dates stay dates."""
        if value is not None and self.model_field.choices:
            return str(dict(self.model_field.flatchoices).get(value, value))
        return value

    @property
    def old_display(self):
        return self.display(self.old)

    @property
    def new_display(self):
        return self.display(self.new)

    def to_dict(self) -> dict:
        return {"field": self.name, "old": _jsonable(self.old), "new": _jsonable(self.new)}


EMPTY = "—"


def show(model_field: models.Field, value, names: dict | None = None) -> str:
    """One stored value as the pages print it: a related object by its name, a choice by
    its label, a date dd/mm/yyyy, a moment in the registry's time zone, Có/Không, "—"."""
    if value is None or value == "":
        return EMPTY
    if model_field.many_to_one:
        found = (names or {}).get(model_field.related_model, {}).get(value)
        return found if found is not None else f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Có") if value else _("Không"))
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, int | float | Decimal):
        return formats.number_format(value, use_l10n=True)
    return str(value)


def _parent_fields(model: type[models.Model]) -> list[models.Field]:
    """The foreign keys of ``model`` to the facility or to what it holds (an inspection's
    facility, a finding's inspection): what names an object beside its own name."""
    held = {TRACKED[label] for label in held_labels()}
    return [
        f
        for f in model._meta.concrete_fields
        if f.many_to_one and f.related_model in held and f.related_model is not model
    ]


def _name_of(obj) -> str:
    if isinstance(obj, get_user_model()):
        return obj.get_full_name() or obj.get_username()
    parents = [getattr(obj, f.name) for f in _parent_fields(type(obj))]
    return " · ".join([str(obj), *(str(p) for p in parents if p is not None)])


def related_names(entries: list[Entry]) -> dict[type[models.Model], dict[Any, str]]:
    """{model: {pk: name}} of every object the entries' changes and objects point to.

    One query per model pointed to, its parents joined (a page costs the same however
    many rows it shows); an object deleted since is named from its last history row (one
    more query).
    """
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for entry in entries:
        for f in _parent_fields(entry.model):
            if (value := getattr(entry.record, f.attname)) is not None:
                wanted[f.related_model].add(value)
        for change in entry.changes:
            if change.model_field.many_to_one:
                wanted[change.model_field.related_model].update(
                    v for v in (change.old, change.new) if v is not None
                )
    names: dict[type[models.Model], dict[Any, str]] = {}
    for model, ids in wanted.items():
        found = model._default_manager.filter(pk__in=ids).select_related(
            *(f.name for f in _parent_fields(model))
        )
        names[model] = {obj.pk: _name_of(obj) for obj in found}
        missing = ids - set(names[model])
        if missing and hasattr(model, "history"):
            for row in model.history.filter(id__in=missing).order_by("id", "history_id"):
                names[model][row.id] = str(as_it_was(row))
    return names


def as_it_was(record) -> models.Model:
    """The object as a history row kept it, built from the row alone.

    simple-history's ``record.instance`` reads the fields a history leaves out
    (``excluded_fields``, such as a draft's last save key) from the live row: a query per
    history row, and none of it is shown here."""
    model = record.instance_type
    return model(
        **{
            f.attname: getattr(record, f.attname)
            for f in model._meta.concrete_fields
            if hasattr(record, f.attname)
        }
    )


def readable(entries: list[Entry]) -> list[Entry]:
    """Fill the entries' shown values and object names (``show``), in a fixed number of
    queries, and return them."""
    names = related_names(entries)
    for entry in entries:
        entry.names = names
        for change in entry.changes:
            change.old_text = show(change.model_field, change.old, names)
            change.new_text = show(change.model_field, change.new, names)
    return entries


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields whose changes are shown, by name: those the history keeps (a model may
    leave bookkeeping out of it, ``HistoricalRecords(excluded_fields=...)``)."""
    kept = {f.attname for f in model.history.model._meta.concrete_fields}
    return sorted(
        (
            f
            for f in model._meta.concrete_fields
            if f.name not in BOOKKEEPING_FIELDS and f.attname in kept
        ),
        key=lambda f: f.name,
    )


def _empty(value) -> bool:
    return value is None or value == ""


def diff(model: type[models.Model], previous, record) -> list[Change]:
    """What ``record`` (a history row) changed after ``previous`` (the object's row before
    it, or None). A creation lists every field given a value, a deletion every field
    that had one, a change every field whose value differs."""
    changes = []
    for f in tracked_fields(model):
        new = getattr(record, f.attname)
        if record.history_type == "-":
            old, new = new, None
        elif record.history_type == "+" or previous is None:
            old = None
        else:
            old = getattr(previous, f.attname)
        old = None if _empty(old) else old
        new = None if _empty(new) else new
        if old != new:
            changes.append(Change(f, old, new))
    return changes


def _jsonable(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# --- entries --------------------------------------------------------------------------


@dataclass
class Entry:
    """One history row with its changes, as every reader shows it."""

    label: str
    record: Any
    changes: list[Change] = field(default_factory=list)
    names: dict = field(default_factory=dict, repr=False)

    @property
    def model(self) -> type[models.Model]:
        return TRACKED[self.label]

    @property
    def model_verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def history_id(self) -> int:
        return self.record.history_id

    @property
    def object_id(self) -> int:
        return self.record.id

    @property
    def at(self) -> datetime.datetime:
        return self.record.history_date

    @property
    def type(self) -> str:
        return TYPES.get(self.record.history_type, "changed")

    @property
    def type_label(self) -> str:
        return str(TYPE_LABELS.get(self.record.history_type, self.record.history_type))

    @property
    def user(self):
        return self.record.history_user

    @property
    def username(self) -> str | None:
        return self.user.get_username() if self.user else None

    @property
    def reason(self) -> str | None:
        return self.record.history_change_reason

    @property
    def object_name(self) -> str:
        """The object as it was in this version: its own name, and the facility (or
        other registry object) it belongs to by name — never a raw id."""
        parents = [
            self.names.get(f.related_model, {}).get(getattr(self.record, f.attname))
            for f in _parent_fields(self.model)
        ]
        return " · ".join([str(as_it_was(self.record)), *[p for p in parents if p]])

    @property
    def cursor(self) -> str:
        return encode_cursor(self.at, self.label, self.history_id)

    def to_dict(self) -> dict:
        """The API's shape (docs/api.md, "Change history")."""
        return {
            "id": self.history_id,
            "model": self.label,
            "object_id": self.object_id,
            "type": self.type,
            "at": timezone.localtime(self.at).isoformat(),
            "user": self.username,
            "reason": self.reason,
            "changes": [change.to_dict() for change in self.changes],
        }


def load_entries(keys: list[tuple[str, int]]) -> list[Entry]:
    """The entries of ``keys`` ((label, history id) pairs), in that order.

    Two queries per model present: its rows (with their users and the id of each
    object's row before), then those earlier rows for the diff.
    """
    by_label: dict[str, list[int]] = defaultdict(list)
    for label, history_id in keys:
        by_label[label].append(history_id)
    found: dict[tuple[str, int], Entry] = {}
    for label, ids in by_label.items():
        model = TRACKED[label]
        historical = model.history.model
        records = list(
            historical.objects.filter(history_id__in=ids)
            .select_related("history_user")
            .annotate(
                previous_id=Subquery(
                    historical.objects.filter(
                        id=OuterRef("id"), history_id__lt=OuterRef("history_id")
                    )
                    .order_by("-history_id")
                    .values("history_id")[:1]
                )
            )
        )
        wanted = [r.previous_id for r in records if r.previous_id]
        previous = (
            {r.history_id: r for r in historical.objects.filter(history_id__in=wanted)}
            if wanted
            else {}
        )
        for record in records:
            before = previous.get(record.previous_id)
            found[(label, record.history_id)] = Entry(label, record, diff(model, before, record))
    return [found[key] for key in keys if key in found]


# --- keyset pagination ----------------------------------------------------------------


class InvalidCursor(ValueError):
    """A cursor that this reader did not write."""


def encode_cursor(at: datetime.datetime, label: str, history_id: int) -> str:
    raw = json.dumps([at.isoformat(), label, history_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, label, history_id = json.loads(raw)
        moment = datetime.datetime.fromisoformat(at)
    except (ValueError, TypeError) as error:
        raise InvalidCursor(cursor) from error
    if (
        label not in TRACKED
        or not isinstance(history_id, int)
        or not 0 < history_id < 2**63
        or moment.tzinfo is None
    ):
        raise InvalidCursor(cursor)
    return moment, label, history_id


def _beyond(label: str, cursor: tuple[datetime.datetime, str, int], *, forward: bool) -> Q:
    """Rows of ``label`` after (``forward``) or before the cursor, in the order
    (history_date desc, model label asc, history_id desc). The label is constant within
    one model's rows, so the three-column comparison becomes a two-column one."""
    at, cursor_label, history_id = cursor
    if forward:
        if label > cursor_label:
            return Q(history_date__lte=at)
        if label < cursor_label:
            return Q(history_date__lt=at)
        return Q(history_date__lt=at) | Q(history_date=at, history_id__lt=history_id)
    if label < cursor_label:
        return Q(history_date__gte=at)
    if label > cursor_label:
        return Q(history_date__gt=at)
    return Q(history_date__gt=at) | Q(history_date=at, history_id__gt=history_id)


def _keys(user, filters: HistoryFilters, cursor=None, *, forward: bool = True) -> QuerySet:
    parts = []
    labels = filters.labels()
    if not labels:  # the filters exclude every model (a certificate number, model=finding)
        return Facility.history.none().values("history_id", "history_date")
    for label in labels:
        rows = _rows(label, user, filters)
        if cursor is not None:
            rows = rows.filter(_beyond(label, cursor, forward=forward))
        parts.append(
            rows.order_by()
            .values("history_id", "history_date")
            .annotate(model_label=Value(label, output_field=CharField()))
        )
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    if forward:
        return union.order_by("-history_date", "model_label", "-history_id")
    return union.order_by("history_date", "-model_label", "history_id")


def history_count(user, filters: HistoryFilters) -> int:
    """How many history rows ``user`` may read that match ``filters`` (one query)."""
    return _keys(user, filters).count()


@dataclass
class HistoryPage:
    """One page of entries, newest first, with the cursors of its neighbours."""

    entries: list[Entry]
    next_cursor: str | None
    previous_cursor: str | None


def history_page(
    user,
    filters: HistoryFilters,
    *,
    limit: int,
    after: str | None = None,
    before: str | None = None,
    offset: int = 0,
) -> HistoryPage:
    """``limit`` entries after the cursor ``after`` (or before ``before``), newest first.

    Keyset pagination: the database seeks to the cursor through the (history_date)
    order, so page 1,000 costs what page 1 does. ``offset`` serves the API's
    ``?page=N`` (kept for existing clients; its links carry cursors). Queries: the page
    of keys, then two per model present (``load_entries``).
    """
    # Paging back (``before``) reads the rows just above the cursor in reverse order;
    # ``after`` wins when both are given.
    forward = after is None and before is not None
    if after is not None or before is not None:
        cursor = decode_cursor(after if after is not None else before)
        keys = _keys(user, filters, cursor, forward=not forward)
        window = list(keys[: limit + 1])
    else:
        cursor = None
        window = list(_keys(user, filters)[offset : offset + limit + 1])
    more = len(window) > limit
    window = window[:limit]
    if forward:
        window.reverse()
    entries = load_entries([(k["model_label"], k["history_id"]) for k in window])
    if not entries:
        return HistoryPage([], None, None)
    if forward:  # paging back: there are rows after these (where we came from)
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, cursor is not None or offset > 0
    return HistoryPage(
        entries,
        entries[-1].cursor if has_next else None,
        entries[0].cursor if has_previous else None,
    )


def history_of_object(user, label: str, object_id: int) -> list[Entry]:
    """Every entry of one object, newest first (its timeline)."""
    filters = HistoryFilters(models=(label,), object_id=object_id)
    keys = _keys(user, filters)
    return load_entries([(k["model_label"], k["history_id"]) for k in keys])


def history_stream(user, filters: HistoryFilters) -> Iterator[Entry]:
    """Every matching entry, model by model, oldest first per object, each with its
    changes; streamed (chunks of 2,000 rows), for exports of any size.

    The rows before ``since`` are read too (not yielded) so that the first change after
    it still shows its old values.
    """
    for label in filters.labels():
        model = TRACKED[label]
        unbounded = HistoryFilters(**{**filters.__dict__, "models": (label,), "since": None})
        rows = _rows(label, user, unbounded).select_related("history_user")
        previous = None
        for record in rows.order_by("id", "history_id").iterator(chunk_size=2000):
            if previous is not None and previous.id != record.id:
                previous = None
            if filters.since is None or record.history_date >= filters.since:
                yield Entry(label, record, diff(model, previous, record))
            previous = record


def history_by_facility(
    user, facility_ids: set[int], since: datetime.datetime, labels: tuple[str, ...]
) -> dict[int, list[Entry]]:
    """{facility id: entries after ``since``, oldest first} for the facilities and the
    rows that belong to them (certificates, measures, inspections, findings ...)."""
    filters = HistoryFilters(models=labels, facilities=frozenset(facility_ids))
    inspection_facility = dict(
        Inspection.history.filter(facility_id__in=facility_ids)
        .values_list("id", "facility_id")
        .distinct()
    )
    entries: dict[int, list[Entry]] = defaultdict(list)
    for entry in history_stream(user, filters):
        if entry.at <= since:
            continue
        record = entry.record
        if entry.model is Facility:
            facility_id = record.id
        elif hasattr(record, "facility_id"):
            facility_id = record.facility_id
        else:
            facility_id = inspection_facility.get(record.inspection_id)
        entries[facility_id].append(entry)
    for facility_entries in entries.values():
        facility_entries.sort(key=lambda e: (e.at, e.history_id))
    return dict(entries)
