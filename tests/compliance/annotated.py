"""A second, independent formulation of the indicators, for the tests and the benchmark.

The production engine counts with series.py's interval statement; this one counts the
ORM annotations of ``facilities_with_status``. The property tests check that both agree
with the plain-Python reference (tests/compliance/reference.py).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet

from compliance.choices import ComplianceStatus
from compliance.indicators import rules
from compliance.indicators.engine import (
    IndicatorReport,
    active_on,
    population_q,
    report_from_cells,
    scoped,
)
from compliance.selectors import facilities_with_status
from facilities.models import Facility, place_district_expression

# Which annotation of facilities_with_status says a facility is counted, per indicator.
COUNTED_Q = {
    rules.ESTABLISHMENTS_MEETING_STANDARDS: Q(compliance_status=ComplianceStatus.COMPLIANT),
    rules.NEW_PRODUCTION_CLEAN_TECH: Q(has_verified_measure=True),
    rules.BUSINESSES_CERTIFIED: Q(has_valid_certificate=True),
}


def compute_indicators_annotated(
    as_of: datetime.date,
    *,
    district: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
    queryset: QuerySet[Facility] | None = None,
) -> IndicatorReport:
    """The same figures as ``compute_indicators``, from the ORM: the facilities active on
    ``as_of``, annotated by ``facilities_with_status``, grouped by (district, commune,
    sector) with
    conditional counts. ONE query too, but with correlated subqueries per facility —
    several times slower on large registries; kept as an independent second
    implementation (the tests check all of them agree) and for the benchmark.
    """
    base = scoped(queryset, district, sector, commune).filter(active_on(as_of))
    aggregates = {}
    for code in rules.CODES:
        population = population_q(code, as_of)
        aggregates[f"{code}__p"] = Count("pk", filter=population)
        aggregates[f"{code}__n"] = Count("pk", filter=population & COUNTED_Q[code])
    cells = (
        facilities_with_status(base, as_of)
        # The district of a facility: recorded, or derived from its commune.
        .annotate(district_unit=place_district_expression())
        .order_by()
        .values("district_unit", "commune_id", "sector_id")
        .annotate(**aggregates)
    )
    cells = [
        {**cell, "district_id": cell.pop("district_unit")} for cell in (dict(c) for c in cells)
    ]
    return report_from_cells(as_of, district, sector, cells, commune=commune)
