"""The figures of the dashboard's series, stored (docs/architecture.md, "The standing").

``stored_series`` gives what ``compute_series`` gives, reading the figures of each date
and scope from ``StoredFigures`` and computing (from the standing, one statement) only
the dates that are missing. A write that can change a figure moves the generation on
(compliance/standing.py ``forget_figures``) and rows of an older generation are never
read; the figure of "today" is keyed by its date, so tomorrow is a new key. The
generation is read before computing, and a write moves it on again once committed:
figures computed while a write commits are stored under an older generation and so
never read.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.expressions import RawSQL

from compliance.indicators.engine import SeriesPoint, series_dates, series_points
from compliance.indicators.series import counts_on_dates
from compliance.models import StoredFigures
from compliance.standing import current_generation, generation_sql
from facilities.models import new_build_since


def _rules_key() -> str:
    return f"{new_build_since().isoformat()}|{settings.ASSESSMENT_VALID_YEARS}"


def stored_counts(dates, *, district=None, commune=None, sector=None) -> dict:
    """``counts_on_dates`` through the stored figures: one query when all are stored;
    else the generation, deleting older generations, the missing dates' statement and
    one insert."""
    scope = "|".join(part or "" for part in (district, commune, sector))
    key = {"scope": scope, "rules": _rules_key()}
    current = RawSQL(generation_sql(), [])  # noqa: S611 (constant SQL, no input)
    counts = {
        row.as_of: tuple(row.counts)
        for row in StoredFigures.objects.filter(as_of__in=dates, generation=current, **key)
    }
    missing = sorted(set(dates) - set(counts))
    if missing:
        generation = current_generation()
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
    return series_points(dates, counts)
