"""The figures of the dashboard and the indicators API, stored (docs/architecture.md,
"The standing").

What is stored is, for each date the dashboard and the API show by default (today and the
31 December of each year of the series), the counts of every (district, commune, sector)
cell: one ``StoredFigures`` row a date (scope ``CELLS``) and one ``StoredCell`` row a
cell. Any scope's figures on such a date are sums of its cells: the series' totals
(``stored_series``) summed by the database, one query for every date; the report with its
units and sectors (``stored_indicators``) rolled up in Python from the scope's cells
(engine.py ``report_from_cells``) — a read of rows whose number depends on the units and
sectors, not on the number of facilities. Missing dates are computed (from the standing,
one statement for all of them) and stored. Only the rows of the current
``FiguresGeneration`` are read.

A write of a few facilities (``carry_figures``, called by compliance/standing.py
``refresh`` for the records and around a facility's own save) carries the current rows
to the next generation, each cell changed by exactly what those facilities' share of it
changed: their counts per date and cell, read from the standing before and after the
write; only the cells that changed are rewritten. Any other write that can change a figure (a bulk load, a facility saved outside a
transaction) moves the generation on with no rows (``forget_figures``), and the next read
computes them again. "Today" is keyed by its date, so tomorrow is a new key.

Either way the generation moves on, and a reader reads it before computing: figures
computed while a write commits are stored under the old generation and so never read.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from compliance.indicators import rules
from compliance.indicators.engine import (
    IndicatorReport,
    SeriesPoint,
    compute_indicators,
    last_year_ended,
    report_from_cells,
    series_dates,
    series_points,
)
from compliance.indicators.series import counts_by_cell
from compliance.models import FiguresGeneration, StoredCell, StoredFigures
from facilities.models import Facility, new_build_since

GENERATION = 1  # the primary key of the one FiguresGeneration row
CELLS = "*"  # the scope of a row holding every cell of its date

Unit = tuple  # (district, commune, sector), each may be None
Counts = list[int]  # [p1, n1, p2, n2, p3, n3]


def _rules_key() -> str:
    return f"{new_build_since().isoformat()}|{settings.ASSESSMENT_VALID_YEARS}"


def _generation() -> int:
    number = FiguresGeneration.objects.filter(pk=GENERATION).values_list("number", flat=True)
    for found in number:
        return found
    try:  # the first figures ever stored
        with transaction.atomic():
            row, _created = FiguresGeneration.objects.get_or_create(pk=GENERATION)
    except IntegrityError:  # created meanwhile by another request
        row = FiguresGeneration.objects.get(pk=GENERATION)
    return row.number


def forget_figures() -> None:
    """Every stored figure may be out of date: a new generation, so that the next read
    computes them again. One UPDATE of one row."""
    FiguresGeneration.objects.filter(pk=GENERATION).update(number=F("number") + 1)


def lock_generation() -> int:
    """The current generation, its row locked until the caller's transaction ends (made
    on the first write ever). Every writer of the standing takes it before reading the
    records (compliance/standing.py ``refresh``)."""
    row, _created = FiguresGeneration.objects.select_for_update().get_or_create(pk=GENERATION)
    return row.number


# --- Cells as stored -------------------------------------------------------------------

COUNTS = ("p1", "n1", "p2", "n2", "p3", "n3")


def _by_date(cells: dict[tuple, tuple]) -> dict[datetime.date, dict[Unit, Counts]]:
    """counts_by_cell's {(date, district, commune, sector): counts} by date."""
    result: dict[datetime.date, dict[Unit, Counts]] = {}
    for (day, *unit), counts in cells.items():
        result.setdefault(day, {})[tuple(unit)] = list(counts)
    return result


def _cell(header: StoredFigures | int, unit: Unit, counts: Counts) -> StoredCell:
    district, commune, sector = unit
    return StoredCell(
        figures_id=getattr(header, "pk", header),
        district=district,
        commune=commune,
        sector=sector,
        **dict(zip(COUNTS, counts, strict=True)),
    )


def _in_scope(unit: Unit, district, commune, sector) -> bool:
    # The cell's district is the facility's place district (recorded or derived), as the
    # computation's scope (series.py ``_dates_and_scope``).
    return all(
        wanted is None or wanted == got
        for wanted, got in zip((district, commune, sector), unit, strict=True)
    )


def _scope_filter(district, commune, sector, prefix: str = "") -> dict:
    wanted = {"district": district, "commune": commune, "sector": sector}
    return {f"{prefix}{unit}": code for unit, code in wanted.items() if code is not None}


# --- Carrying a write's delta ------------------------------------------------------------


# Other counts stored under the same generation and carried by the same writes (the work
# list's, compliance/worklist.py): pairs of ``start(generation, facility_ids) -> state``,
# called under the lock before the standing is refreshed, and ``end(state, generation,
# facility_ids)``, called after it, which stores them under ``generation + 1`` or drops
# them (the next read counts them again).
CARRIED_WITH_FIGURES: list[tuple[Callable, Callable]] = []
# Such counts may read the records themselves, which a save or delete has already
# changed when the standing is refreshed: what they read before it travels here, set by
# compliance/standing.py around the write's refresh from the record's ``_before_write``
# (``UNWRITTEN`` while a facility's own save is carried before it happens). None: not known.
BEFORE_WRITE: ContextVar = ContextVar("before_write", default=None)
UNWRITTEN = "unwritten"


@dataclass
class Carry:
    """The stored dates a writer found under the lock, and its facilities' cells before."""

    generation: int
    rows: list[tuple[int, datetime.date]] = field(default_factory=list)  # (pk, as_of)
    before: dict = field(default_factory=dict)
    others: list = field(default_factory=list)  # (end, state) of CARRIED_WITH_FIGURES

    @property
    def dates(self) -> list[datetime.date]:
        return sorted({day for _pk, day in self.rows})


def _cells_of(dates, facility_ids: list[int]) -> dict:
    if not dates or not facility_ids:
        return {}
    return counts_by_cell(dates, restrict=Facility.objects.filter(pk__in=facility_ids))


def carry_start(generation: int, facility_ids: Iterable[int]) -> Carry:
    """Before a write of ``facility_ids`` (the caller holds the ``generation`` lock):
    the current stored dates and those facilities' cells on them (one statement). A
    date no longer shown by default (yesterday's "today") is not carried: each would
    cost every later write."""
    today = timezone.localdate()
    rows = [
        (pk, day)
        for pk, day in StoredFigures.objects.filter(
            generation=generation, rules=_rules_key(), scope=CELLS
        ).values_list("pk", "as_of")
        if is_stored_date(day, today)
    ]
    carry = Carry(generation=generation, rows=rows)
    ids = sorted(set(facility_ids))
    carry.before = _cells_of(carry.dates, ids)
    carry.others = [(end, start(generation, ids)) for start, end in CARRIED_WITH_FIGURES]
    return carry


def carry_end(carry: Carry, facility_ids: Iterable[int]) -> None:
    """After the write: every date ``carry`` found moves to the next generation, each of
    its cells + (after − before) — only the cells that changed are read and replaced
    (one SELECT, DELETE and INSERT whatever their number). Every other date — another
    rule setting, an older generation, or one a reader stored meanwhile — is dropped:
    the next read of it computes it."""
    ids = sorted(set(facility_ids))
    for end, state in carry.others:
        end(state, carry.generation, ids)
    after = _cells_of(carry.dates, ids)
    header = {day: pk for pk, day in carry.rows}
    delta: dict[tuple, Counts] = {}
    for key in carry.before.keys() | after.keys():
        was, now = carry.before.get(key, (0,) * 6), after.get(key, (0,) * 6)
        if was != now:
            delta[key] = [a - b for a, b in zip(now, was, strict=True)]
    if delta:
        wanted = Q()
        for day, district, commune, sector in delta:
            wanted |= Q(figures_id=header[day], district=district, commune=commune, sector=sector)
        existing = {
            (cell.figures_id, cell.district, cell.commune, cell.sector): cell
            for cell in StoredCell.objects.filter(wanted)
        }
        replaced = []
        for (day, *unit), change in delta.items():
            old = existing.get((header[day], *unit))
            counts = [getattr(old, name) if old else 0 for name in COUNTS]
            counts = [c + d for c, d in zip(counts, change, strict=True)]
            if counts[0]:  # a cell where nobody is active any more holds nothing
                replaced.append(_cell(header[day], tuple(unit), counts))
        StoredCell.objects.filter(pk__in=[cell.pk for cell in existing.values()]).delete()
        StoredCell.objects.bulk_create(replaced)
    following = carry.generation + 1
    StoredFigures.objects.filter(pk__in=list(header.values())).update(generation=following)
    # Nobody else can have stored under the next generation yet: it is not committed.
    StoredFigures.objects.exclude(generation=following).delete()
    FiguresGeneration.objects.filter(pk=GENERATION).update(number=following)


def carry_figures(
    generation: int, facility_ids: Iterable[int], refresh: Callable[[], None]
) -> None:
    """Run ``refresh`` — which changes the standing of ``facility_ids`` and of no other
    facility, inside the caller's transaction — and keep the stored figures current
    without computing them again (``carry_start``, ``carry_end``). Exact, because
    nothing else changed in between: the lock makes writers carry one after the other,
    each from the rows the previous one left."""
    ids = sorted(set(facility_ids))
    carry = carry_start(generation, ids)
    refresh()
    carry_end(carry, ids)


# --- Reading ---------------------------------------------------------------------------


def _current(dates):
    """The stored dates among ``dates`` of the current generation and rules."""
    current = FiguresGeneration.objects.filter(pk=GENERATION).values("number")[:1]
    return StoredFigures.objects.filter(
        as_of__in=dates, generation=current, rules=_rules_key(), scope=CELLS
    )


def _store(missing) -> dict[datetime.date, dict[Unit, Counts]]:
    """Every cell of the ``missing`` dates, computed from the standing (one statement) and
    stored under the generation read first — unless another reader stored them
    meanwhile (then this one's are as good, and are not stored twice)."""
    generation = _generation()
    # Rows of older generations are never read again.
    StoredFigures.objects.filter(generation__lt=generation).delete()
    computed = _by_date(counts_by_cell(missing, restrict=None))
    fresh = {day: computed.get(day, {}) for day in missing}
    try:
        with transaction.atomic():
            headers = StoredFigures.objects.bulk_create(
                [
                    StoredFigures(as_of=day, generation=generation, rules=_rules_key(), scope=CELLS)
                    for day in missing
                ]
            )
            StoredCell.objects.bulk_create(
                [
                    _cell(header, unit, counts)
                    for header in headers
                    for unit, counts in fresh[header.as_of].items()
                ],
                batch_size=5000,
            )
    except IntegrityError:
        pass
    return fresh


def stored_counts(dates, *, district=None, commune=None, sector=None) -> dict:
    """``counts_on_dates`` through the stored cells: {date: (p1, n1, p2, n2, p3, n3)}.
    One query (the scope's cells summed per date) when every date is stored."""
    scope = _scope_filter(district, commune, sector, prefix="cells__")
    sums = _current(dates).annotate(
        **{f"sum_{name}": Sum(f"cells__{name}", filter=Q(**scope)) for name in COUNTS}
    )
    result = {
        row["as_of"]: tuple(row[f"sum_{name}"] or 0 for name in COUNTS)
        for row in sums.values("as_of", *(f"sum_{name}" for name in COUNTS))
    }
    missing = sorted(set(dates) - set(result))
    if missing:
        for day, cells in _store(missing).items():
            total = [0] * 6
            for unit, counts in cells.items():
                if _in_scope(unit, district, commune, sector):
                    total = [t + c for t, c in zip(total, counts, strict=True)]
            result[day] = tuple(total)
    return result


def stored_series(
    from_year: int,
    to_year: int,
    *,
    district: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
    include_today: bool = False,
) -> list[SeriesPoint]:
    """``compute_series``, from the stored figures where they are current."""
    dates = series_dates(from_year, to_year, include_today=include_today)
    counts = stored_counts(dates, district=district, commune=commune, sector=sector)
    return series_points(dates, counts)


def store_default_dates(today: datetime.date) -> int:
    """Store the figures of every date the dashboard and the API show by default (the
    series and today) that are not stored yet; the number of dates. For the routine job
    after midnight (``manage.py warm_figures``), so that the first page of a day reads."""
    dates = series_dates(rules.FIRST_SERIES_YEAR, last_year_ended(today), include_today=True)
    stored_counts(dates, district=None, commune=None, sector=None)
    return len(dates)


def _as_cell(unit: Unit, counts: Counts) -> dict:
    """A stored cell in the form of series.py ``counts_by_unit``, which
    ``report_from_cells`` rolls up."""
    cell = {"district_id": unit[0], "commune_id": unit[1], "sector_id": unit[2]}
    for code, p, n in zip(rules.CODES, counts[0::2], counts[1::2], strict=True):
        cell[f"{code}__p"], cell[f"{code}__n"] = p, n
    return cell


def is_stored_date(as_of: datetime.date, today: datetime.date | None = None) -> bool:
    """Does the dashboard or the API show ``as_of`` by default: today, or the 31 December
    of a year of the series (rules.FIRST_SERIES_YEAR to this year)?"""
    today = today or timezone.localdate()
    return as_of == today or (
        (as_of.month, as_of.day) == (12, 31) and rules.FIRST_SERIES_YEAR <= as_of.year <= today.year
    )


def stored_indicators(
    as_of: datetime.date,
    *,
    district: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
) -> IndicatorReport:
    """``compute_indicators`` (every unit and sector of the scope): the scope's stored
    cells rolled up on a stored date (``is_stored_date``; two queries: the date, its
    cells), computed on any other."""
    if not is_stored_date(as_of):
        return compute_indicators(as_of, district=district, commune=commune, sector=sector)
    header = _current([as_of]).values_list("pk", flat=True).first()
    if header is not None:
        rows = StoredCell.objects.filter(
            figures_id=header, **_scope_filter(district, commune, sector)
        ).values_list("district", "commune", "sector", *COUNTS)
        cells = {tuple(row[:3]): list(row[3:]) for row in rows}
    else:
        cells = {
            unit: counts
            for unit, counts in _store([as_of])[as_of].items()
            if _in_scope(unit, district, commune, sector)
        }
    return report_from_cells(
        as_of,
        district,
        sector,
        [_as_cell(unit, counts) for unit, counts in cells.items()],
        commune=commune,
    )
