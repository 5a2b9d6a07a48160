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
* ``history_page(user, filters, after=/before=, limit=)`` — newest first, keyset
  (cursor) pagination: any page costs the same, however deep.
* ``history_stream(user, filters)`` — every row, oldest first per object, one row in
  memory at a time (exports).
"""

from __future__ import annotations

import base64
import datetime
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.access import (
    can_read_history,
    enterprises_for,
    facilities_for,
    history_hides_inspections,
    restrict_inspection_rows,
    restrict_to_visible,
)
from facilities.models import Enterprise, Facility, RegistryModel, in_districts_q
from inspections.models import Finding, Inspection, RemediationEvidence

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


def _facility_q(model: type[models.Model], facilities: QuerySet) -> Q:
    """History rows of ``model`` that belong to one of ``facilities`` (by their facility)."""
    facility_ids = facilities.values("pk")
    if model is Facility:
        return Q(id__in=facility_ids)
    if model is Enterprise:
        return Q(id__in=facilities.values("enterprise_id"))
    names = {f.name for f in model._meta.concrete_fields}
    if "facility" in names:
        return Q(facility_id__in=facility_ids)
    # Inspections deleted since still place their findings: read their history rows.
    inspections = Inspection.history.filter(facility_id__in=facility_ids).values("id")
    if "inspection" in names:
        return Q(inspection_id__in=inspections)
    findings = Finding.history.filter(inspection_id__in=inspections).values("id")
    if "finding" in names:
        return Q(finding_id__in=findings)
    if "evidence" in names:
        evidence = RemediationEvidence.history.filter(finding_id__in=findings).values("id")
        return Q(evidence_id__in=evidence)
    return Q(pk__in=[])


@dataclass(frozen=True)
class HistoryFilters:
    """What the API, the pages and the export filter the history by.

    ``since`` and ``until`` are inclusive moments; ``district`` and ``facilities`` keep the
    rows of objects located there (by their facility).
    """

    models: tuple[str, ...] = ()
    object_id: int | None = None
    username: str | None = None
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    district: str | None = None
    facilities: frozenset[int] | None = None

    def labels(self) -> list[str]:
        return list(self.models) or list(TRACKED)


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
    return rows


# --- the diff -------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field of one history row: its value before and after (None: no value)."""

    model_field: models.Field
    old: Any
    new: Any

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


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields whose changes are shown, by name."""
    return sorted(
        (f for f in model._meta.concrete_fields if f.name not in BOOKKEEPING_FIELDS),
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
    for label in filters.labels():
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
