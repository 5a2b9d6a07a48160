"""Each facility's standing over time, kept current on every write (docs/architecture.md,
"The standing").

The rules of docs/methodology.md do not change; this module only records, per facility,
the date ranges on which each of their ingredients holds, so that the figures of any date
are a join of the facilities with a handful of rows instead of a recomputation:

* ``inspection`` (value: the outcome): the latest finalized inspection, from its visit
  until the next finalized one's ([visited_on, next visited_on); on a same-day tie the
  greater id wins and the other holds on no date);
* ``overdue``: some finding of a finalized inspection is overdue — a finding holds on
  [max(visit, deadline + 1), resolved_on), and the facility's are merged;
* ``measure``: some counted, verified measure is in place — [max(installed, verified),
  removed_on), merged;
* ``certificate`` (value: compliance.choices.CertificateStatus): the certificate status
  of compliance.selectors, which only changes on an issue day, the day after a
  ``valid_until`` and a revocation day.

Nothing here depends on a setting: the assessment window is applied when the standing is
read (a latest inspection is current on D when its ``valid_from`` >= the window start of
D), and the new-build baseline and "active on D" are plain facility columns.

``refresh(facility_ids, aspects)`` recomputes the rows of those facilities inside the
caller's transaction. It is called from one place for every write: the post_save and
post_delete signals of inspections, findings, certificates and measures (pages, API,
admin, services) and the ``registry_bulk_written`` signal of facilities/history.py
(bulk creates and updates, COPY loads, the Excel import). ``rebuild()`` and ``differences()``
back the ``rebuild_standing`` and ``check_standing`` commands.

``compute()`` is the plain reference, in Python; every write (``refresh``) uses it.
``rebuild()`` and ``differences()`` use the same rows computed set-based in the database (compliance/standing_bulk.py, held
to ``compute()`` by tests/compliance/test_standing_bulk.py) where it has window functions
(PostgreSQL, SQLite 3.25+): measured in docs/performance.md, "The standing in bulk, in
SQL".
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from compliance import standing_bulk
from compliance.choices import CertificateStatus
from compliance.indicators.stored import (  # GENERATION: re-exported for callers
    BEFORE_WRITE,
    GENERATION,  # noqa: F401
    UNWRITTEN,
    carry_end,
    carry_figures,
    carry_start,
    forget_figures,
    lock_generation,
)
from compliance.models import Certificate, CleanTechMeasure, FacilityStanding, StandingAspect
from compliance.predicates import COUNTED_MEASURE_KINDS
from compliance.standing_bulk import ASPECTS, OPEN_END, OPEN_START  # noqa: F401 (re-exported)
from facilities.history import registry_bulk_written
from facilities.models import Commune, Facility
from inspections.choices import InspectionStatus
from inspections.models import Finding, Inspection

CHUNK = 2000  # facilities refreshed per statement by a bulk write
SQL_CHUNK = 50_000  # facilities per statement of ``_replace_in_sql``
Interval = tuple[str, str, datetime.date, datetime.date]  # aspect, value, from, to


def _day_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=1) if day < OPEN_END else OPEN_END


def _merged(ranges: Iterable[tuple[datetime.date, datetime.date]]):
    """Overlapping or touching [from, to) ranges as one."""
    merged: list[list[datetime.date]] = []
    for start, end in sorted(r for r in ranges if r[0] < r[1]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _certificate_status(certificates: list[tuple], day: datetime.date) -> str | None:
    """compliance.selectors.facilities_with_status's ``certificate_status`` on ``day``,
    for one facility's (id, issued_on, valid_until, revoked_on) certificates."""
    for _id, issued, until, revoked in certificates:
        if issued <= day and (until is None or until >= day) and (revoked is None or revoked > day):
            return CertificateStatus.VALID
    issued_by_then = [c for c in certificates if c[1] <= day]
    if issued_by_then:
        _id, _issued, _until, revoked = max(issued_by_then, key=lambda c: (c[1], c[0]))
        if revoked is not None and revoked <= day:
            return CertificateStatus.REVOKED
        return CertificateStatus.EXPIRED
    return CertificateStatus.NOT_YET_VALID if certificates else None


def _certificate_intervals(certificates: list[tuple]) -> list[Interval]:
    # The status is constant between two of these days: evaluate it on each.
    days = {OPEN_START}
    for _id, issued, until, revoked in certificates:
        days.add(issued)
        if until is not None:
            days.add(_day_after(until))
        if revoked is not None:
            days.add(revoked)
    days = sorted(days)
    rows: list[Interval] = []
    for start, end in zip(days, [*days[1:], OPEN_END], strict=True):
        status = _certificate_status(certificates, start)
        if rows and rows[-1][1] == status and rows[-1][3] == start:
            rows[-1] = (rows[-1][0], status, rows[-1][2], end)
        else:
            rows.append((StandingAspect.CERTIFICATE, status, start, end))
    return [row for row in rows if row[1] is not None and row[2] < row[3]]


def compute(facility_ids: set[int] | None, aspects: Iterable[str] = ASPECTS) -> dict:
    """{facility id: [(aspect, value, from, to), ...]} of the asked aspects, from the
    registry (every facility when ``facility_ids`` is None). One query per aspect."""
    aspects = set(aspects)
    result: dict[int, list[Interval]] = defaultdict(list)

    def only(queryset, path="facility_id"):
        queryset = queryset.order_by()  # sorted here, per facility; no ORDER BY needed
        if facility_ids is None:
            return queryset
        return queryset.filter(**{f"{path}__in": facility_ids})

    if StandingAspect.INSPECTION in aspects:
        finalized: dict[int, list[tuple]] = defaultdict(list)
        for fid, pk, visited_on, outcome in only(
            Inspection.objects.filter(status=InspectionStatus.FINALIZED)
        ).values_list("facility_id", "id", "visited_on", "outcome"):
            finalized[fid].append((visited_on, pk, outcome))
        for fid, visits in finalized.items():
            visits.sort()
            for (visited_on, _pk, outcome), following in zip(
                visits, [*visits[1:], None], strict=True
            ):
                end = OPEN_END if following is None else following[0]
                if visited_on < end:
                    result[fid].append((StandingAspect.INSPECTION, outcome, visited_on, end))
    if StandingAspect.OVERDUE in aspects:
        overdue: dict[int, list[tuple]] = defaultdict(list)
        for fid, visited_on, deadline, resolved_on in only(
            Finding.objects.filter(
                inspection__status=InspectionStatus.FINALIZED, deadline__isnull=False
            ),
            "inspection__facility_id",
        ).values_list(
            "inspection__facility_id", "inspection__visited_on", "deadline", "resolved_on"
        ):
            start = max(visited_on, _day_after(deadline))
            overdue[fid].append((start, resolved_on or OPEN_END))
        for fid, ranges in overdue.items():
            for start, end in _merged(ranges):
                result[fid].append((StandingAspect.OVERDUE, "", start, end))
    if StandingAspect.MEASURE in aspects:
        in_place: dict[int, list[tuple]] = defaultdict(list)
        for fid, installed_on, verified_on, removed_on in only(
            CleanTechMeasure.objects.filter(
                kind__in=COUNTED_MEASURE_KINDS, verified_on__isnull=False
            )
        ).values_list("facility_id", "installed_on", "verified_on", "removed_on"):
            in_place[fid].append((max(installed_on, verified_on), removed_on or OPEN_END))
        for fid, ranges in in_place.items():
            for start, end in _merged(ranges):
                result[fid].append((StandingAspect.MEASURE, "", start, end))
    if StandingAspect.CERTIFICATE in aspects:
        held: dict[int, list[tuple]] = defaultdict(list)
        for fid, *certificate in only(Certificate.objects.all()).values_list(
            "facility_id", "id", "issued_on", "valid_until", "revoked_on"
        ):
            held[fid].append(tuple(certificate))
        for fid, certificates in held.items():
            result[fid].extend(_certificate_intervals(certificates))
    return result


def _rows(computed: dict) -> list[FacilityStanding]:
    return [
        FacilityStanding(
            facility_id=fid, aspect=aspect, value=value, valid_from=start, valid_to=end
        )
        for fid, intervals in computed.items()
        for aspect, value, start, end in intervals
    ]


# A write of up to this many facilities carries the stored figures by their delta; a
# larger one (a bulk load) forgets them: past this, two statements over those facilities
# per write cost more than the one recomputation of the next read.
DELTA_LIMIT = 100


def in_sql() -> bool:
    """Whether this database computes the standing in one statement
    (compliance/standing_bulk.py): PostgreSQL, and SQLite from 3.25 (window functions)."""
    if connection.vendor == "sqlite":
        return connection.Database.sqlite_version_info >= (3, 25)
    return connection.vendor == "postgresql"


def _replace(ids: list[int], aspects: tuple[str, ...]) -> None:
    """The rows of ``ids`` computed in Python (``compute``), replacing the old ones."""
    for start in range(0, len(ids), CHUNK):
        chunk = set(ids[start : start + CHUNK])
        computed = compute(chunk, aspects)
        FacilityStanding.objects.filter(facility_id__in=chunk, aspect__in=aspects).delete()
        FacilityStanding.objects.bulk_create(_rows(computed), batch_size=5000)


def _replace_in_sql(ids: list[int], aspects: tuple[str, ...]) -> None:
    """The same, computed by the database: a DELETE and an INSERT ... SELECT a chunk.
    Not used by ``refresh``: measured against ``_replace`` by bench/standing.py."""
    for start in range(0, len(ids), SQL_CHUNK):
        chunk = ids[start : start + SQL_CHUNK]
        standing_bulk.delete(chunk, aspects)
        standing_bulk.insert(chunk, aspects)


def refresh(facility_ids: Iterable[int | None], aspects: Iterable[str] = ASPECTS) -> None:
    """Recompute the ``aspects`` of the standing of ``facility_ids``, in the caller's
    transaction (a write and its standing commit together), and keep the stored figures
    current.

    Every writer first locks the one generation row of the stored figures, so that
    writers take turns: the second computes from the first's committed records (so two
    writers of one facility cannot leave a standing that misses one of their records)
    and carries the figures from the rows the first left. One lock, always taken
    first, rather than the facilities' rows: a facility's own save locks its row and
    then the generation (``forget_figures``), and a writer holding the generation while
    waiting for a facility row could deadlock with it.

    A write of a few facilities (the everyday inspection, finding, certificate or
    measure) then carries the stored figures by its delta (stored.py
    ``carry_figures``). A bulk write forgets them, and its facilities go by ``CHUNK``
    (bounded ``IN`` lists)."""
    ids = sorted({fid for fid in facility_ids if fid is not None})
    if not ids:
        return
    aspects = tuple(aspects)
    with transaction.atomic(savepoint=False):
        generation = lock_generation()
        if len(ids) <= DELTA_LIMIT:
            carry_figures(generation, ids, lambda: _replace(ids, aspects))
        else:
            # Python here too: limited to a set of facilities, the statement was slower
            # than compute() at 1,000,000 (docs/performance.md, "The standing in bulk").
            _replace(ids, aspects)
            forget_figures()


def rebuild(batch: int = 5000, python: bool = False) -> int:
    """The whole standing from the registry; the number of rows written. One DELETE and
    one INSERT ... SELECT where the database can (``in_sql``); else, or with ``python``
    (the reference, bench/standing.py), computed in Python and inserted in batches."""
    with transaction.atomic():
        lock_generation()  # writers of the standing take turns (``refresh``)
        if in_sql() and not python:
            standing_bulk.delete(None)
            written = standing_bulk.insert(None)
        else:
            FacilityStanding.objects.all().delete()
            rows = _rows(compute(None))
            FacilityStanding.objects.bulk_create(rows, batch_size=batch)
            written = len(rows)
        forget_figures()
    return written


def differences(python: bool = False) -> tuple[set, set]:
    """(rows the standing lacks, rows it has that the registry does not call for), each
    a set of (facility id, aspect, value, from, to): both empty when it is current.
    Compared in the database where it can (``in_sql``): only the differences leave it."""
    if in_sql() and not python:
        return standing_bulk.differences()
    expected = {
        (fid, *interval) for fid, intervals in compute(None).items() for interval in intervals
    }
    stored = set(
        FacilityStanding.objects.values_list(
            "facility_id", "aspect", "value", "valid_from", "valid_to"
        )
    )
    return expected - stored, stored - expected


# --- The one hook every write passes through -------------------------------------------

# What each model's rows feed, and how to reach the facility from a row.
_FEEDS = {
    Inspection: (StandingAspect.INSPECTION, StandingAspect.OVERDUE),
    Finding: (StandingAspect.OVERDUE,),
    Certificate: (StandingAspect.CERTIFICATE,),
    CleanTechMeasure: (StandingAspect.MEASURE,),
}
# The columns that decide the standing; a save that changes none of them changes nothing.
_DECIDING = {
    Inspection: {"facility_id", "status", "visited_on", "outcome"},
    Finding: {"inspection_id", "deadline", "resolved_on"},
    Certificate: {"facility_id", "issued_on", "valid_until", "revoked_on"},
    CleanTechMeasure: {"facility_id", "kind", "installed_on", "verified_on", "removed_on"},
    # The population and the units of a facility: figures, not the standing.
    Facility: {
        "operating_since",
        "closed_on",
        "activity",
        "district_id",
        "commune_id",
        "sector_id",
    },
}


def decides_standing(instance, created: bool) -> bool:
    if created:
        return True
    loaded = getattr(instance, "_loaded_values", None)
    if loaded is None:
        return True
    return any(
        name not in loaded or loaded[name] != getattr(instance, name)
        for name in _DECIDING[type(instance)]
    )


def facilities_fed_by(model, objs) -> set[int]:
    """The facilities whose standing ``objs`` feed, before and after the write."""
    ids: set[int] = set()
    if model is Finding:
        inspections = set()
        for obj in objs:
            inspection = Finding.inspection.field.get_cached_value(obj, None)
            if inspection is not None and inspection.pk == obj.inspection_id:
                ids.add(inspection.facility_id)
            else:
                inspections.add(obj.inspection_id)
            previous = getattr(obj, "_loaded_values", {}).get("inspection_id")
            if previous not in (None, obj.inspection_id):
                inspections.add(previous)
        if inspections:
            ids |= set(
                Inspection.objects.filter(pk__in=inspections).values_list("facility_id", flat=True)
            )
        return ids
    for obj in objs:
        ids.add(obj.facility_id)
        previous = getattr(obj, "_loaded_values", {}).get("facility_id")
        if previous is not None:
            ids.add(previous)
    return ids


def written(model, objs, *, created: bool = False) -> None:
    """``objs`` of ``model`` were just written or deleted: bring what depends on them up
    to date."""
    if model is Facility:
        if any(decides_standing(obj, created) for obj in objs):
            forget_figures()
        return
    if model not in _FEEDS:
        return
    objs = [obj for obj in objs if decides_standing(obj, created)]
    if objs:
        refresh(facilities_fed_by(model, objs), _FEEDS[model])


def _saved(sender, instance, created, **kwargs):
    # Fixtures (loaddata, raw saves) too: the standing reads the records, not the instance.
    carry = getattr(instance, "_figures_carry", None)
    if carry is not None:  # a facility's own save, begun in _facility_saving
        instance._figures_carry = None
        carry_end(carry, [instance.pk])
        return
    with _before_write(instance):
        written(sender, [instance], created=created)


@contextmanager
def _before_write(instance):
    # What the record looked like before this write to the counts carried beside the
    # figures (stored.py ``BEFORE_WRITE``; compliance/worklist.py sets it in pre_save).
    token = BEFORE_WRITE.set(getattr(instance, "_before_write", None))
    try:
        yield
    finally:
        BEFORE_WRITE.reset(token)
        instance._before_write = None


@receiver(pre_save, sender=Facility, dispatch_uid="standing_facility_saving")
def _facility_saving(sender, instance, **kwargs):
    """A facility's own columns (its dates, activity, units) decide which populations and
    cells it counts in, not its standing: the stored figures are carried by the
    facility's cells before (read here) and after the save (``_saved``), like a write of
    its records, so that an everyday edit keeps them. Only inside a transaction — a
    service, a page, the admin, the API all save in one — so that the lock on the
    generation holds from here until the save commits; a save in autocommit forgets
    the figures instead (``written``)."""
    instance._figures_carry = None
    adding = instance._state.adding
    if not connection.in_atomic_block or not decides_standing(instance, adding):
        return
    existing = [] if instance.pk is None else [instance.pk]
    if existing:
        # The facility's row first, then the generation: the order every other writer
        # of a facility takes them in (``refresh``), so that no two wait on each other.
        list(Facility.objects.select_for_update(no_key=True).filter(pk__in=existing).values("pk"))
    token = BEFORE_WRITE.set(UNWRITTEN)  # the facility is saved after this
    try:
        instance._figures_carry = carry_start(lock_generation(), existing)
    finally:
        BEFORE_WRITE.reset(token)


def _deleted(sender, instance, **kwargs):
    with _before_write(instance):
        written(sender, [instance], created=True)


# Connected model by model: a post_delete receiver for every model would stop Django
# deleting any other model's rows in one statement (it would load them first).
for _model in _DECIDING:
    post_save.connect(_saved, sender=_model, dispatch_uid=f"standing_saved_{_model.__name__}")
    post_delete.connect(_deleted, sender=_model, dispatch_uid=f"standing_deleted_{_model.__name__}")


@receiver(registry_bulk_written)
def _bulk_written(sender, objs, created, **kwargs):
    if sender in _DECIDING:
        written(sender, objs, created=created)


@receiver(m2m_changed, sender=Commune.former_districts.through)
def _former_districts_changed(sender, **kwargs):
    # The district of a facility with none recorded follows its commune's former ones.
    if kwargs.get("action", "").startswith("post_"):
        forget_figures()
