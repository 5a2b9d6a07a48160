"""Compliance indicators: the three targets of the green-growth plan (docs/methodology.md).

Import the public interface from here::

    from compliance.indicators import compute_indicators, facility_rows, compute_series
"""

from compliance.indicators.engine import (
    FacilityRow,
    Figure,
    IndicatorFigures,
    IndicatorReport,
    SeriesPoint,
    Snapshot,
    UnknownIndicator,
    compute_indicators,
    compute_series,
    compute_snapshot,
    facility_rows,
    facility_rows_page,
    population,
    population_q,
    series_dates,
)

__all__ = [
    "FacilityRow",
    "Figure",
    "IndicatorFigures",
    "IndicatorReport",
    "SeriesPoint",
    "UnknownIndicator",
    "compute_indicators",
    "compute_series",
    "compute_snapshot",
    "Snapshot",
    "facility_rows",
    "facility_rows_page",
    "population",
    "population_q",
    "series_dates",
]
