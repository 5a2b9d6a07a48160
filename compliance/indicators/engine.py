"""The indicators engine: the three figures on any date, with breakdowns and reasons.

Public, stable interface (imported by the API, the pages, the Excel workbook, the
annual reports and the management command):

* ``compute_indicators(as_of, *, district=None, commune=None, sector=None) -> IndicatorReport``
* ``facility_rows(code, as_of, *, district=None, commune=None, sector=None) -> list[FacilityRow]``
* ``compute_series(from_year, to_year, *, district=None, commune=None, sector=None,
  include_today=False)``

Set-based: one date's figures — province, every unit, every sector — come from ONE
SQL statement that counts each population and numerator per (district, commune, sector)
cell; the province, unit and sector figures are sums of those cells. The district of a
facility is its recorded one, else its commune's only former district; the units of a
date are districts until 30 June 2025 and communes from 1 July 2025, when the districts
are still given, by former district (docs/geography.md). The statement
(series.py ``standing_sql``) joins the facilities active on the date(s) to the facility
standing — the intervals of dates on which each rule's ingredients hold, kept current
on every write (compliance/standing.py): hash joins, no per-facility probe. The
per-facility rows (``facility_rows``) read the same standing per facility
(``with_standing``); the annual report's snapshot comes from ``facilities_with_status``,
an independent ORM formulation over the records; the tests check all against a
plain-Python reference. One statement means one snapshot, even under PostgreSQL's READ
COMMITTED: the numerator can never include a facility that the population missed.
The series runs one hand-written statement for all its dates (series.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance.choices import CertificateStatus
from compliance.indicators import rules
from compliance.indicators.series import counts_by_unit, counts_on_dates
from compliance.selectors import ComplianceStatus, Reason, facilities_with_status, with_standing
from facilities.choices import BUSINESS_ACTIVITIES, PRODUCTION_ACTIVITIES
from facilities.models import REFORM_DATE, Facility, in_districts_q, new_build_since
from facilities.predicates import active_on


class UnknownIndicator(ValueError):
    """Raised for an indicator code that docs/methodology.md does not define."""


@dataclass(frozen=True)
class Figure:
    """Numerator and population of one indicator in one scope, and what follows."""

    numerator: int
    population: int

    @property
    def value(self) -> float | None:
        return rules.value(self.numerator, self.population)

    def met(self, code: str) -> bool | None:
        return rules.met(code, self.numerator, self.population)


@dataclass
class IndicatorFigures:
    """One indicator on one date: the scope's figure and its units and sectors.

    ``by_commune`` is None before 1 July 2025 (no communes then); a unit key of None
    holds the facilities with no unit.
    """

    code: str
    numerator: int
    population: int
    by_district: dict[str | None, Figure] = field(default_factory=dict)
    by_sector: dict[str, Figure] = field(default_factory=dict)
    by_commune: dict[str | None, Figure] | None = None

    @property
    def indicator(self) -> rules.Indicator:
        return rules.indicator(self.code)

    @property
    def title(self) -> str:
        return str(self.indicator.title)

    @property
    def target(self) -> rules.Target:
        return self.indicator.target

    @property
    def value(self) -> float | None:
        return rules.value(self.numerator, self.population)

    @property
    def met(self) -> bool | None:
        return rules.met(self.code, self.numerator, self.population)

    def _units(self, key: str, units: dict[str | None, Figure]) -> list[dict]:
        # Units by code, the row of facilities with no unit (None) last.
        ordered = sorted(units.items(), key=lambda item: (item[0] is None, item[0] or ""))
        return [
            {
                key: unit,
                "numerator": fig.numerator,
                "population": fig.population,
                "value": fig.value,
                "met": fig.met(self.code),
            }
            for unit, fig in ordered
            if fig.population > 0
        ]

    def to_dict(self) -> dict:
        """docs/api.md, Indicators: one entry of ``indicators`` (``by_commune`` from
        1 July 2025)."""
        data = {
            "code": self.code,
            "title": self.title,
            "target": self.target.to_dict(),
            "numerator": self.numerator,
            "population": self.population,
            "value": self.value,
            "met": self.met,
            "by_district": self._units("district", self.by_district),
        }
        if self.by_commune is not None:
            data["by_commune"] = self._units("commune", self.by_commune)
        data["by_sector"] = self._units("sector", self.by_sector)
        return data

    def summary(self) -> dict:
        """The short form used by the series: code, numerator, population, value, met."""
        return {
            "code": self.code,
            "numerator": self.numerator,
            "population": self.population,
            "value": self.value,
            "met": self.met,
        }


@dataclass
class IndicatorReport:
    """The three indicators on ``as_of`` for a scope (province, a unit, a sector, both)."""

    as_of: datetime.date
    district: str | None
    sector: str | None
    indicators: list[IndicatorFigures]
    commune: str | None = None

    def __getitem__(self, code: str) -> IndicatorFigures:
        for figures in self.indicators:
            if figures.code == code:
                return figures
        raise KeyError(code)

    def to_dict(self) -> dict:
        """Exactly the JSON of docs/api.md's Indicators section."""
        return {
            "as_of": self.as_of.isoformat(),
            "scope": {"district": self.district, "commune": self.commune, "sector": self.sector},
            "indicators": [figures.to_dict() for figures in self.indicators],
        }


@dataclass(frozen=True)
class FacilityRow:
    """One facility of an indicator's population: counted or not, and why not."""

    facility: int
    code: str
    name: str
    district: str | None  # recorded, or derived from the commune; None when neither
    sector: str
    counted: bool
    reason: str | None
    commune: str | None = None

    def to_dict(self) -> dict:
        """docs/api.md: ``{"facility","code","name","district","commune","sector","counted",
        "reason"}``."""
        return {
            "facility": self.facility,
            "code": self.code,
            "name": self.name,
            "district": self.district,
            "commune": self.commune,
            "sector": self.sector,
            "counted": self.counted,
            "reason": self.reason,
        }


def scoped(
    queryset: QuerySet | None,
    district: str | None,
    sector: str | None,
    commune: str | None = None,
) -> QuerySet[Facility]:
    """Facilities in scope: ``district`` by the district of a facility (recorded or
    derived), ``commune`` by the recorded commune — places, whatever the date."""
    queryset = Facility.objects.all() if queryset is None else queryset
    if district is not None:
        queryset = queryset.filter(in_districts_q([district]))
    if commune is not None:
        queryset = queryset.filter(commune_id=commune)
    if sector is not None:
        queryset = queryset.filter(sector_id=sector)
    return queryset


def population_q(code: str, as_of: datetime.date) -> Q:
    """The population of indicator ``code`` on ``as_of``, on plain Facility columns."""
    if code == rules.ESTABLISHMENTS_MEETING_STANDARDS:
        return active_on(as_of)
    if code == rules.NEW_PRODUCTION_CLEAN_TECH:
        return (
            active_on(as_of)
            & Q(activity__in=PRODUCTION_ACTIVITIES)
            & Q(operating_since__gte=new_build_since())
        )
    if code == rules.BUSINESSES_CERTIFIED:
        return active_on(as_of) & Q(activity__in=BUSINESS_ACTIVITIES)
    raise UnknownIndicator(code)


def compute_indicators(
    as_of: datetime.date,
    *,
    district: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
    queryset: QuerySet[Facility] | None = None,
) -> IndicatorReport:
    """The three indicators on ``as_of`` for the province (or a district, a sector, both),
    with every district and every sector of the scope.

    ONE statement (series.py's query of the facility standing on a single date, grouped
    by district and sector): hash joins instead of one probe per facility and rule,
    faster than the best hand-written SQL over the records for the province totals
    alone (docs/performance.md).
    ``queryset`` narrows the facilities further (defaults to all).
    """
    cells = counts_by_unit(
        as_of, district=district, commune=commune, sector=sector, restrict=queryset
    )
    return report_from_cells(as_of, district, sector, cells, commune=commune)


def communes_in_force(as_of: datetime.date) -> bool:
    """Is the unit of a facility on ``as_of`` its commune (from 1 July 2025) rather than
    its district (until 30 June 2025)? docs/geography.md."""
    return as_of >= REFORM_DATE


def _by_code(sums: dict[str | None, list[int]]) -> dict[str | None, Figure]:
    """Figures by unit or sector code, in code order with the no-unit row (None) last:
    the same report whatever order the database returned its cells in."""
    ordered = sorted(sums.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return {code: Figure(*sums_of_code) for code, sums_of_code in ordered}


def report_from_cells(
    as_of: datetime.date,
    district: str | None,
    sector: str | None,
    cells: list[dict],
    *,
    commune: str | None = None,
) -> IndicatorReport:
    """Roll the (district, commune, sector) cells up into the scope, its units and
    sectors. Communes only from 1 July 2025; districts on every date."""
    with_communes = communes_in_force(as_of)
    figures = []
    for code in rules.CODES:
        by_district: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
        by_commune: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
        by_sector: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        total = [0, 0]
        for cell in cells:
            n, p = cell[f"{code}__n"], cell[f"{code}__p"]
            accumulators = [by_district[cell["district_id"]], by_sector[cell["sector_id"]], total]
            if with_communes:
                accumulators.append(by_commune[cell.get("commune_id")])
            for acc in accumulators:
                acc[0] += n
                acc[1] += p
        figures.append(
            IndicatorFigures(
                code=code,
                numerator=total[0],
                population=total[1],
                by_district=_by_code(by_district),
                by_sector=_by_code(by_sector),
                by_commune=_by_code(by_commune) if with_communes else None,
            )
        )
    return IndicatorReport(
        as_of=as_of, district=district, sector=sector, indicators=figures, commune=commune
    )


def facility_rows(
    code: str,
    as_of: datetime.date,
    *,
    district: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
    queryset: QuerySet[Facility] | None = None,
) -> list[FacilityRow]:
    """The population of indicator ``code`` on ``as_of``, one row a facility, by code.

    ``reason`` (None when counted) is the compliance status for the first indicator,
    ``no_verified_measure`` for the second, the certificate reason for the third.
    ``queryset`` narrows the facilities (e.g. ``facilities_for(user)``). One query.
    """
    return _rows(code, as_of, population(code, as_of, district, sector, queryset, commune))


def population(
    code: str,
    as_of: datetime.date,
    district: str | None = None,
    sector: str | None = None,
    queryset: QuerySet[Facility] | None = None,
    commune: str | None = None,
) -> QuerySet[Facility]:
    """The facilities of indicator ``code``'s population on ``as_of``, in code order, on
    plain columns only (no standing): cheap to count and to page."""
    if code not in rules.BY_CODE:
        raise UnknownIndicator(code)
    return (
        scoped(queryset, district, sector, commune)
        .filter(population_q(code, as_of))
        .order_by("code")
    )


def facility_rows_page(code: str, as_of: datetime.date, ids) -> list[FacilityRow]:
    """The rows of the facilities ``ids`` (one page of ``population(...)``), by code.

    The standing is computed for these facilities only, so a deep page costs what the
    first does (paging ``facility_rows`` would compute it for every row OFFSET skips).
    """
    if code not in rules.BY_CODE:
        raise UnknownIndicator(code)
    return _rows(code, as_of, Facility.objects.filter(pk__in=list(ids)).order_by("code"))


# The reason a facility is not counted for the third indicator, by its certificate
# status on the date (compliance.selectors.facilities_with_status's certificate_reason).
_CERTIFICATE_REASON = {
    CertificateStatus.VALID: None,
    CertificateStatus.REVOKED: Reason.CERTIFICATE_REVOKED,
    CertificateStatus.EXPIRED: Reason.CERTIFICATE_EXPIRED,
    CertificateStatus.NOT_YET_VALID: Reason.NO_CERTIFICATE,
    None: Reason.NO_CERTIFICATE,
}


def _rows(code: str, as_of: datetime.date, facilities: QuerySet[Facility]) -> list[FacilityRow]:
    # From the facility standing: one subquery a column (with_standing), not the
    # records' nineteen; the property tests hold both to the reference.
    rows = with_standing(facilities, as_of).values(
        "pk",
        "code",
        "name",
        "place_district",
        "commune_id",
        "sector_id",
        "compliance_status",
        "has_verified_measure",
        "certificate_status",
    )
    result = []
    for row in rows:
        row["has_valid_certificate"] = row["certificate_status"] == CertificateStatus.VALID
        row["certificate_reason"] = _CERTIFICATE_REASON[row["certificate_status"]]
        result.append(_facility_row(code, row))
    return result


def _facility_row(code: str, row: dict) -> FacilityRow:
    if code == rules.ESTABLISHMENTS_MEETING_STANDARDS:
        counted = row["compliance_status"] == ComplianceStatus.COMPLIANT
        reason = None if counted else row["compliance_status"]
    elif code == rules.NEW_PRODUCTION_CLEAN_TECH:
        counted = bool(row["has_verified_measure"])
        reason = None if counted else Reason.NO_VERIFIED_MEASURE
    else:
        counted = bool(row["has_valid_certificate"])
        reason = None if counted else row["certificate_reason"]
    return FacilityRow(
        facility=row["pk"],
        code=row["code"],
        name=row["name"],
        district=row["place_district"],
        commune=row["commune_id"],
        sector=row["sector_id"],
        counted=counted,
        reason=reason,
    )


@dataclass
class SeriesPoint:
    """The three indicators (scope level only) on one date of a series."""

    year: int
    as_of: datetime.date
    indicators: list[IndicatorFigures]

    def __getitem__(self, code: str) -> IndicatorFigures:
        for figures in self.indicators:
            if figures.code == code:
                return figures
        raise KeyError(code)

    def to_dict(self) -> dict:
        """docs/api.md: ``{"year", "as_of", "indicators": [{code, numerator, population,
        value, met}]}``."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "indicators": [figures.summary() for figures in self.indicators],
        }


def last_year_ended(today: datetime.date) -> int:
    """The last year of the dashboard's series: the last whose 31 December has passed
    (today is added as its own point)."""
    return today.year if (today.month, today.day) == (12, 31) else today.year - 1


def series_dates(
    from_year: int, to_year: int, *, include_today: bool = False, today: datetime.date | None = None
) -> list[datetime.date]:
    """31 December of each year from ``from_year`` to ``to_year`` (+ today if asked)."""
    dates = [rules.year_end(year) for year in range(from_year, to_year + 1)]
    if include_today:
        today = today or timezone.localdate()
        if today not in dates:
            dates.append(today)
    return dates


def compute_series(
    from_year: int,
    to_year: int,
    *,
    district: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
    include_today: bool = False,
) -> list[SeriesPoint]:
    """The three indicators on 31 December of each year (+ today), in ONE query.

    Equal, date by date, to ``compute_indicators`` (tested), without one pass per date.
    """
    dates = series_dates(from_year, to_year, include_today=include_today)
    counts = counts_on_dates(dates, district=district, commune=commune, sector=sector)
    return series_points(dates, counts)


def series_points(dates, counts: dict) -> list[SeriesPoint]:
    """The series' points from ``{date: (p1, n1, p2, n2, p3, n3)}``, in the order of
    ``dates`` (computed now or read from the stored figures)."""
    points = []
    for day in dates:
        p1, n1, p2, n2, p3, n3 = counts[day]
        figures = [
            IndicatorFigures(code=code, numerator=n, population=p)
            for code, (n, p) in zip(rules.CODES, ((n1, p1), (n2, p2), (n3, p3)), strict=True)
        ]
        points.append(SeriesPoint(year=day.year, as_of=day, indicators=figures))
    return points


@dataclass
class Snapshot:
    """Figures and every population's rows on one date, from ONE query (one snapshot)."""

    report: IndicatorReport
    rows: dict[str, list[FacilityRow]]


def compute_snapshot(as_of: datetime.date) -> Snapshot:
    """The province's figures AND every facility's row of each population on ``as_of``.

    For the annual report: the figures are summed from the very rows that are frozen
    beside them, all read by one statement, so they can never disagree — whatever other
    sessions commit meanwhile, and whatever the isolation level.
    """
    records = (
        facilities_with_status(Facility.objects.filter(active_on(as_of)), as_of)
        .order_by("code")
        .values(
            "pk",
            "code",
            "name",
            "place_district",
            "commune_id",
            "sector_id",
            "is_production",
            "is_business",
            "is_new_build",
            "compliance_status",
            "has_verified_measure",
            "has_valid_certificate",
            "certificate_reason",
        )
    )
    rows: dict[str, list[FacilityRow]] = {code: [] for code in rules.CODES}
    cells: dict[tuple[str | None, str | None, str], dict] = {}
    for record in records:
        in_population = {
            rules.ESTABLISHMENTS_MEETING_STANDARDS: True,
            rules.NEW_PRODUCTION_CLEAN_TECH: bool(
                record["is_production"] and record["is_new_build"]
            ),
            rules.BUSINESSES_CERTIFIED: bool(record["is_business"]),
        }
        key = (record["place_district"], record["commune_id"], record["sector_id"])
        cell = cells.setdefault(
            key,
            {"district_id": key[0], "commune_id": key[1], "sector_id": key[2]}
            | {f"{code}__{x}": 0 for code in rules.CODES for x in "np"},
        )
        for code in rules.CODES:
            if not in_population[code]:
                continue
            row = _facility_row(code, record)
            rows[code].append(row)
            cell[f"{code}__p"] += 1
            cell[f"{code}__n"] += row.counted
    report = report_from_cells(as_of, None, None, list(cells.values()))
    return Snapshot(report=report, rows=rows)
