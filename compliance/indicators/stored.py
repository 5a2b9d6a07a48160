"""The figures of the dashboard's series, stored (docs/architecture.md, "The standing").

``stored_series`` gives what ``compute_series`` gives, reading the figures of each date
and scope from ``StoredFigures`` and computing (from the standing, one statement) only
the dates that are missing. Only the rows of the current ``FiguresGeneration`` are read.

A write of a few facilities' standing (``carry_figures``, called by
compliance/standing.py ``refresh``) carries the current rows to the next generation,
each changed by exactly what those facilities' share of it changed: their counts per
date and unit, read from the standing before and after the refresh. Any other write that
can change a figure (a facility's own columns, a bulk load) moves the generation on with
no rows (``forget_figures``), and the next read computes them again. The figure of
"today" is keyed by its date, so tomorrow is a new key.

Either way the generation moves on, and a reader reads it before computing: figures
computed while a write commits are stored under the old generation and so never read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from compliance.indicators import rules
from compliance.indicators.engine import IndicatorFigures, SeriesPoint, series_dates
from compliance.indicators.series import counts_by_cell, counts_on_dates
from compliance.models import FiguresGeneration, StoredFigures
from facilities.models import Facility, new_build_since

GENERATION = 1  # the primary key of the one FiguresGeneration row


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


def _share(cells: dict, day, scope: str) -> list[int]:
    """The counts of the cells of ``day`` that fall in ``scope`` (an empty part of
    "district|commune|sector" takes every unit), summed."""
    parts = scope.split("|")
    total = [0] * 6
    for (as_of, *unit), counts in cells.items():
        if as_of == day and all(
            not wanted or wanted == got for wanted, got in zip(parts, unit, strict=True)
        ):
            total = [t + c for t, c in zip(total, counts, strict=True)]
    return total


def lock_generation() -> int:
    """The current generation, its row locked until the caller's transaction ends (made
    on the first write ever). Every writer of the standing takes it before reading the
    records (compliance/standing.py ``refresh``)."""
    row, _created = FiguresGeneration.objects.select_for_update().get_or_create(pk=GENERATION)
    return row.number


def carry_figures(
    generation: int, facility_ids: Iterable[int], refresh: Callable[[], None]
) -> None:
    """Run ``refresh`` — which changes the standing of ``facility_ids`` and of no other
    facility, inside the caller's transaction — and keep the stored figures current
    without computing them again: every row of the current ``generation`` (locked by
    the caller) and rules moves to the next generation with counts + (after − before),
    where before and after are those facilities' counts per date and unit, read from
    the standing around ``refresh`` (one statement each, whatever the number of scopes
    stored). Exact, because nothing else changed in between: the lock makes writers
    carry one after the other, each from the rows the previous one left.

    Every other row — another rule setting, an older generation, or one a reader
    stored meanwhile — is dropped: the next read of it computes it.
    """
    key = _rules_key()
    rows = list(StoredFigures.objects.filter(generation=generation, rules=key))
    if rows:
        dates = sorted({stored.as_of for stored in rows})
        restrict = Facility.objects.filter(pk__in=sorted(set(facility_ids)))
        before = counts_by_cell(dates, restrict=restrict)
    refresh()
    if rows:
        after = counts_by_cell(dates, restrict=restrict)
        for stored in rows:
            gained = _share(after, stored.as_of, stored.scope)
            lost = _share(before, stored.as_of, stored.scope)
            stored.counts = [c + a - b for c, a, b in zip(stored.counts, gained, lost, strict=True)]
            stored.generation = generation + 1
            stored.pk = None
    # Replaced rather than updated: one DELETE and one INSERT whatever the number of rows
    # (an UPDATE of each row's own counts costs more to build than to run).
    StoredFigures.objects.all().delete()
    StoredFigures.objects.bulk_create(rows)
    FiguresGeneration.objects.filter(pk=GENERATION).update(number=generation + 1)


def stored_counts(dates, *, district=None, commune=None, sector=None) -> dict:
    """``counts_on_dates`` through the stored figures: one query when all are stored;
    else the generation, deleting older generations, the missing dates' statement and
    one insert."""
    scope = "|".join(part or "" for part in (district, commune, sector))
    key = {"scope": scope, "rules": _rules_key()}
    current = FiguresGeneration.objects.filter(pk=GENERATION).values("number")[:1]
    counts = {
        row.as_of: tuple(row.counts)
        for row in StoredFigures.objects.filter(as_of__in=dates, generation=current, **key)
    }
    missing = sorted(set(dates) - set(counts))
    if missing:
        generation = _generation()
        # Rows of older generations are never read again.
        StoredFigures.objects.filter(generation__lt=generation).delete()
        fresh = counts_on_dates(missing, district=district, commune=commune, sector=sector)
        StoredFigures.objects.bulk_create(
            [
                StoredFigures(as_of=day, generation=generation, counts=list(values), **key)
                for day, values in fresh.items()
            ],
            ignore_conflicts=True,
        )
        counts.update(fresh)
    return counts


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
    points = []
    for day in dates:
        p1, n1, p2, n2, p3, n3 = counts[day]
        figures = [
            IndicatorFigures(code=code, numerator=n, population=p)
            for code, (n, p) in zip(rules.CODES, ((n1, p1), (n2, p2), (n3, p3)), strict=True)
        ]
        points.append(SeriesPoint(year=day.year, as_of=day, indicators=figures))
    return points
