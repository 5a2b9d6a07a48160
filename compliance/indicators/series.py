"""The three indicators on many dates in ONE hand-written SQL statement.

Computing each 31 December separately costs one full pass per date. Here every rule is
turned into the *interval of dates* on which it holds, and the intervals are joined to
the list of dates (a handful of rows):

* the latest finalized inspection of a facility is the latest from its ``visited_on``
  until the next one's (``LEAD`` over visited_on, id — on a tie the greater id wins and
  the smaller one's interval is empty);
* a certificate is valid on [issued_on, valid_until] minus [revoked_on, …) (a
  registration has no valid_until: [issued_on, …));
* a measure counts on [max(installed_on, verified_on), removed_on).

Plain SQL (CTEs, window function, VALUES) that SQLite ≥ 3.25 and PostgreSQL both run.
Each CTE names the query predicate it mirrors (facilities/, inspections/ and
compliance/predicates.py); tests/compliance/test_predicates.py runs each predicate and
this statement over the same generated registries.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import QuerySet

from compliance.choices import CertificateStatus, MeasureKind
from compliance.indicators.rules import CODES
from compliance.models import Certificate, CleanTechMeasure, FacilityStanding, StandingAspect
from compliance.selectors import assessment_window_start
from facilities.choices import BUSINESS_ACTIVITIES, PRODUCTION_ACTIVITIES
from facilities.models import Commune, Facility, new_build_since
from inspections.choices import InspectionStatus, Outcome
from inspections.models import Finding, Inspection

# The district of a facility: recorded, else its commune's only former district
# (facilities.models.place_district_expression, written here in SQL).
PLACE_DISTRICT = "COALESCE(f.district_id, cd.district)"


def _dates_and_scope(dates, *, district, commune, sector, restrict):
    """The dates as a VALUES list of (date, assessment window start) with their params,
    and the scope's conditions on the facility ``f`` with theirs — shared by the statement
    over the records and the one over the standing."""
    cast = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    values = ", ".join(f"({cast}, {cast})" for _ in dates)
    params: list = []
    for day in dates:
        params += [day, assessment_window_start(day)]
    scope_params: list = []
    scope = ""
    if district is not None:
        scope += f" AND {PLACE_DISTRICT} = %s"
        scope_params.append(district)
    if commune is not None:
        scope += " AND f.commune_id = %s"
        scope_params.append(commune)
    if sector is not None:
        scope += " AND f.sector_id = %s"
        scope_params.append(sector)
    if restrict is not None:
        restrict_sql, restrict_params = restrict.order_by().values("pk").query.sql_with_params()
        scope += f" AND f.id IN ({restrict_sql})"
        scope_params += list(restrict_params)
    return values, params, scope, scope_params


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)  # enumeration codes, never user input


def series_sql(
    dates: list[datetime.date],
    *,
    district: str | None,
    sector: str | None,
    commune: str | None = None,
    by_unit: bool = False,
    restrict: QuerySet | None = None,
):
    """The statement and its parameters: one row (d, p1, n1, p2, n2, p3, n3) a date —
    or, ``by_unit``, one row (d, district, commune, sector, p1, …) a date and cell, where
    district is the facility's district (recorded or derived) and either may be NULL.

    ``restrict`` (a Facility queryset) narrows the facilities to those it selects.
    """
    values, params, scope, scope_params = _dates_and_scope(
        dates, district=district, commune=commune, sector=sector, restrict=restrict
    )
    # Inspections outside [earliest window start, latest date] never decide anything;
    # dropping them before LEAD leaves the LEAD of the others unchanged (it looks ahead,
    # and an inspection after the latest date only ends an interval past every date).
    inspection_params = [min(assessment_window_start(day) for day in dates), max(dates)]
    select_unit = (
        ", sf.district AS district, sf.commune AS commune, sf.sector AS sector" if by_unit else ""
    )
    group_unit = ", sf.district, sf.commune, sf.sector" if by_unit else ""
    production = _in(PRODUCTION_ACTIVITIES)
    business = _in(BUSINESS_ACTIVITIES)

    def numerator(name: str, pairs: str, condition: str) -> str:
        # Counted (facility, date) pairs whose facility is in scope and population then.
        return f"""{name} AS (
  SELECT x.d AS d{select_unit}, COUNT(*) AS n
  FROM {pairs} x JOIN sf ON sf.fid = x.fid
  WHERE sf.since <= x.d AND (sf.closed IS NULL OR sf.closed > x.d){condition}
  GROUP BY x.d{group_unit}
)"""  # noqa: S608 (CTE names and fixed SQL fragments only)

    def same_cell(name: str) -> str:
        cell = f"{name}.d = pop.d"
        if by_unit:
            # Units may be NULL (a facility with no district or no commune): match NULLs.
            for unit in ("district", "commune"):
                cell += (
                    f" AND ({name}.{unit} = pop.{unit}"
                    f" OR ({name}.{unit} IS NULL AND pop.{unit} IS NULL))"
                )
            cell += f" AND {name}.sector = pop.sector"
        return cell

    # Values go in as parameters; the f-string only places quoted table names, the
    # enumeration codes of the choices modules and the right number of placeholders.
    # Each numerator joins its (facility, date) pairs to the small facility table once,
    # rather than joining every pair set to the big facilities × dates product.
    sql = f"""
WITH dates (d, ws) AS (VALUES {values}),
-- The communes with a single former district, from which a facility with no recorded
-- district takes its district (facilities.models.place_district_expression).
cd AS (
  SELECT l.commune_id AS commune, MAX(l.district_id) AS district
  FROM {_table(Commune.former_districts.through)} l
  GROUP BY l.commune_id HAVING COUNT(*) = 1
),
-- Facilities in scope; "active on D" (facilities.predicates.active_on) is applied
-- where they meet the dates: since <= d AND (closed IS NULL OR closed > d).
sf AS (
  SELECT f.id AS fid, f.operating_since AS since, f.closed_on AS closed,
         {PLACE_DISTRICT} AS district, f.commune_id AS commune, f.sector_id AS sector,
         CASE WHEN f.activity IN ({production}) AND f.operating_since >= %s THEN 1 ELSE 0 END
           AS new_production,
         CASE WHEN f.activity IN ({business}) THEN 1 ELSE 0 END AS business
  FROM {_table(Facility)} f LEFT JOIN cd ON cd.commune = f.commune_id
  WHERE f.operating_since IS NOT NULL{scope}
),
-- The finalized inspections (inspections.predicates.finalized_on), each with the day the
-- next one takes over: the latest inspection on d is the one whose [visited_on, next_on)
-- holds d.
latest AS (
  SELECT i.facility_id AS fid, i.visited_on AS visited_on, i.outcome AS outcome,
         LEAD(i.visited_on) OVER (PARTITION BY i.facility_id ORDER BY i.visited_on, i.id)
           AS next_on
  FROM {_table(Inspection)} i
  WHERE i.status = '{InspectionStatus.FINALIZED}' AND i.visited_on >= %s AND i.visited_on <= %s
),
-- Compliance status "compliant" (compliance.selectors.facilities_with_status): a current
-- latest inspection, not non-compliant, and no finding overdue on d
-- (inspections.predicates.overdue_on).
compliant AS (
  SELECT l.fid AS fid, dates.d AS d
  FROM latest l JOIN dates
    ON l.visited_on <= dates.d AND l.visited_on >= dates.ws
   AND (l.next_on IS NULL OR l.next_on > dates.d)
  WHERE l.outcome <> '{Outcome.NON_COMPLIANT}'
    AND NOT EXISTS (
      SELECT 1 FROM {_table(Finding)} fi
      JOIN {_table(Inspection)} i2 ON i2.id = fi.inspection_id
      WHERE i2.facility_id = l.fid AND i2.status = '{InspectionStatus.FINALIZED}'
        AND i2.visited_on <= dates.d AND fi.deadline < dates.d
        AND (fi.resolved_on IS NULL OR fi.resolved_on > dates.d))
),
-- Measures in place on d (compliance.predicates.measure_in_place_on).
measured AS (
  SELECT DISTINCT m.facility_id AS fid, dates.d AS d
  FROM {_table(CleanTechMeasure)} m JOIN dates
    ON m.installed_on <= dates.d AND m.verified_on <= dates.d
   AND (m.removed_on IS NULL OR m.removed_on > dates.d)
  WHERE m.kind IN ({_in([MeasureKind.CLEAN_TECHNOLOGY, MeasureKind.POLLUTION_CONTROL])})
),
-- Certificates valid on d (compliance.predicates.certificate_valid_on).
certified AS (
  SELECT DISTINCT c.facility_id AS fid, dates.d AS d
  FROM {_table(Certificate)} c JOIN dates
    ON c.issued_on <= dates.d AND (c.valid_until IS NULL OR c.valid_until >= dates.d)
   AND (c.revoked_on IS NULL OR c.revoked_on > dates.d)
),
-- The populations: facilities active on d (facilities.predicates.active_on), by activity.
pop AS (
  SELECT dates.d AS d{select_unit}, COUNT(*) AS p1, SUM(sf.new_production) AS p2,
         SUM(sf.business) AS p3
  FROM sf JOIN dates ON sf.since <= dates.d AND (sf.closed IS NULL OR sf.closed > dates.d)
  GROUP BY dates.d{group_unit}
),
{numerator("n1", "compliant", "")},
{numerator("n2", "measured", " AND sf.new_production = 1")},
{numerator("n3", "certified", " AND sf.business = 1")}
SELECT pop.d{", pop.district, pop.commune, pop.sector" if by_unit else ""},
  pop.p1, COALESCE(n1.n, 0), pop.p2, COALESCE(n2.n, 0), pop.p3, COALESCE(n3.n, 0)
FROM pop
LEFT JOIN n1 ON {same_cell("n1")}
LEFT JOIN n2 ON {same_cell("n2")}
LEFT JOIN n3 ON {same_cell("n3")}
"""  # noqa: S608 (only table names and enumeration codes are interpolated)
    params += [new_build_since(), *scope_params, *inspection_params]
    return sql, params


def standing_sql(
    dates: list[datetime.date],
    *,
    district: str | None,
    sector: str | None,
    commune: str | None = None,
    by_unit: bool = False,
    restrict: QuerySet | None = None,
):
    """``series_sql``'s statement, rows and parameters, read from the facility standing
    (compliance/standing.py) instead of the records: each (facility, date) of a
    population meets at most one row of each aspect of its standing, so the counts are
    a join of the facilities active on each date with four small lookups.

    The rules are the same (docs/methodology.md); only where they are evaluated moves:
    the intervals are kept on every write rather than rebuilt on every read.
    """
    values, params, scope, scope_params = _dates_and_scope(
        dates, district=district, commune=commune, sector=sector, restrict=restrict
    )
    unit = ", x.district, x.commune, x.sector" if by_unit else ""
    standing = _table(FacilityStanding)
    inspection, overdue = StandingAspect.INSPECTION, StandingAspect.OVERDUE
    measure, certificate = StandingAspect.MEASURE, StandingAspect.CERTIFICATE

    def passed(alias: str) -> str:
        # The latest inspection is current (on or after the window start of d), and not
        # non-compliant.
        return f"{alias}.valid_from >= dates.ws AND {alias}.value <> '{Outcome.NON_COMPLIANT}'"

    def valid(alias: str) -> str:
        return f"{alias}.value = '{CertificateStatus.VALID}'"

    if len(dates) == 1:
        # One date: the standing rows that hold on it folded into one row a facility
        # (one scan, one join; measured about twice as fast as four joins).
        holding = f"""st AS (
  SELECT s.facility_id AS fid, dates.d AS d,
         MAX(CASE WHEN s.aspect = '{inspection}' AND {passed("s")} THEN 1 ELSE 0 END) AS passed,
         MAX(CASE WHEN s.aspect = '{overdue}' THEN 1 ELSE 0 END) AS overdue,
         MAX(CASE WHEN s.aspect = '{measure}' THEN 1 ELSE 0 END) AS measured,
         MAX(CASE WHEN s.aspect = '{certificate}' AND {valid("s")} THEN 1 ELSE 0 END) AS certified
  FROM {standing} s JOIN dates ON s.valid_from <= dates.d AND s.valid_to > dates.d
  {"WHERE s.facility_id IN (SELECT fid FROM sf)" if scope else ""}
  GROUP BY s.facility_id, dates.d
),"""  # noqa: S608 (table names and enumeration codes only)
        columns = """CASE WHEN st.passed = 1 AND st.overdue = 0 THEN 1 ELSE 0 END AS compliant,
         COALESCE(st.measured, 0) AS measured, COALESCE(st.certified, 0) AS certified"""
        joins = "LEFT JOIN st ON st.fid = sf.fid AND st.d = dates.d"
    else:
        # Many dates: the row of each aspect holding on each date, joined by facility (a
        # folded form would group facilities × dates pairs: measured 3× slower).
        def holds(alias: str, aspect: str, condition: str = "") -> str:
            return (
                f"LEFT JOIN {standing} {alias} ON {alias}.facility_id = sf.fid"
                f" AND {alias}.aspect = '{aspect}'{condition}"
                f" AND {alias}.valid_from <= dates.d AND {alias}.valid_to > dates.d"
            )

        holding = ""
        columns = f"""CASE WHEN i.id IS NOT NULL AND {passed("i")}
                AND o.id IS NULL THEN 1 ELSE 0 END AS compliant,
         CASE WHEN m.id IS NOT NULL THEN 1 ELSE 0 END AS measured,
         CASE WHEN c.id IS NOT NULL THEN 1 ELSE 0 END AS certified"""
        joins = "\n  ".join(
            [
                holds("i", inspection),
                holds("o", overdue),
                holds("m", measure),
                holds("c", certificate, f" AND {valid('c')}"),
            ]
        )

    sql = f"""
WITH dates (d, ws) AS (VALUES {values}),
cd AS (
  SELECT l.commune_id AS commune, MAX(l.district_id) AS district
  FROM {_table(Commune.former_districts.through)} l
  GROUP BY l.commune_id HAVING COUNT(*) = 1
),
sf AS (
  SELECT f.id AS fid, f.operating_since AS since, f.closed_on AS closed,
         {PLACE_DISTRICT} AS district, f.commune_id AS commune, f.sector_id AS sector,
         CASE WHEN f.activity IN ({_in(PRODUCTION_ACTIVITIES)}) AND f.operating_since >= %s
           THEN 1 ELSE 0 END AS new_production,
         CASE WHEN f.activity IN ({_in(BUSINESS_ACTIVITIES)}) THEN 1 ELSE 0 END AS business
  FROM {_table(Facility)} f LEFT JOIN cd ON cd.commune = f.commune_id
  WHERE f.operating_since IS NOT NULL{scope}
),
{holding}
-- Each facility active on d (facilities.predicates.active_on) with what holds on d.
-- compliant: a latest inspection that is current (visited on or after the window start
-- of d) and not non-compliant, and nothing overdue on d.
x AS (
  SELECT dates.d AS d, sf.district AS district, sf.commune AS commune, sf.sector AS sector,
         sf.new_production AS new_production, sf.business AS business,
         {columns}
  FROM sf JOIN dates ON sf.since <= dates.d AND (sf.closed IS NULL OR sf.closed > dates.d)
  {joins}
)
SELECT x.d{unit}, COUNT(*), SUM(x.compliant), SUM(x.new_production),
  SUM(x.new_production * x.measured), SUM(x.business), SUM(x.business * x.certified)
FROM x
GROUP BY x.d{unit}
"""  # noqa: S608 (only table names and enumeration codes are interpolated)
    params += [new_build_since(), *scope_params]
    return sql, params


# Where the counts are read from: the facility standing (the default, kept current on
# every write) or the records themselves (series_sql; the tests run both).
SOURCES = {"standing": standing_sql, "records": series_sql}


def counts_on_dates(
    dates: list[datetime.date],
    *,
    district: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
    source: str = "standing",
) -> dict[datetime.date, tuple[int, int, int, int, int, int]]:
    """{date: (p1, n1, p2, n2, p3, n3)} for every date (zeros where nobody is active)."""
    dates = sorted(set(dates))
    result = {day: (0, 0, 0, 0, 0, 0) for day in dates}
    if not dates:
        return result
    sql, params = SOURCES[source](dates, district=district, commune=commune, sector=sector)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for day, *counts in cursor.fetchall():
            result[_as_date(day)] = tuple(int(c or 0) for c in counts)
    return result


def counts_by_cell(
    dates: list[datetime.date], *, restrict: QuerySet | None
) -> dict[tuple, tuple[int, int, int, int, int, int]]:
    """{(date, district, commune, sector): (p1, n1, p2, n2, p3, n3)} of the facilities
    ``restrict`` selects (None: every facility), read from the standing in ONE statement:
    the figures of every scope at once (a scope's figures are the sum of its cells), for
    the stored figures and their deltas (compliance/indicators/stored.py)."""
    dates = sorted(set(dates))
    if not dates:
        return {}
    sql, params = standing_sql(dates, district=None, sector=None, by_unit=True, restrict=restrict)
    cells = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for day, *unit, p1, n1, p2, n2, p3, n3 in cursor.fetchall():
            counts = tuple(int(c or 0) for c in (p1, n1, p2, n2, p3, n3))
            cells[(_as_date(day), *unit)] = counts
    return cells


def counts_by_unit(
    as_of: datetime.date,
    *,
    district: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
    restrict: QuerySet | None = None,
    source: str = "standing",
) -> list[dict]:
    """One date's counts per (district, commune, sector) cell, in ONE statement:
    ``[{"district_id", "commune_id", "sector_id", "<code>__p", "<code>__n", …}]``."""
    sql, params = SOURCES[source](
        [as_of],
        district=district,
        commune=commune,
        sector=sector,
        by_unit=True,
        restrict=restrict,
    )
    cells = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for _day, cell_district, cell_commune, cell_sector, *counts in cursor.fetchall():
            cell = {
                "district_id": cell_district,
                "commune_id": cell_commune,
                "sector_id": cell_sector,
            }
            for code, p, n in zip(CODES, counts[0::2], counts[1::2], strict=True):
                cell[f"{code}__p"] = int(p or 0)
                cell[f"{code}__n"] = int(n or 0)
            cells.append(cell)
    return cells


def _as_date(day) -> datetime.date:
    if isinstance(day, str):  # SQLite hands dates back as text
        return datetime.date.fromisoformat(day)
    if isinstance(day, datetime.datetime):
        return day.date()
    return day
