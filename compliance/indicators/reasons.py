"""Each facility's reason on a date as SQL: the list behind a figure in the database.

The page behind a dashboard figure and ``/api/v1/indicators/facilities/`` list the
population of one indicator with why each facility is not counted (docs/web.md, "Lists").
At national size that list cannot be built in Python and then filtered, sorted and cut
(18 s at 1,000,000 facilities, docs/performance.md): here the reason is a SQL expression
over the facility standing (compliance/standing.py), so that

* ``facility_ids`` filters on it in the WHERE clause and cuts one page of ids, in the
  population's code order (the covering index ``facility_population`` serves it) or in
  any order the page asks for; the rows of those ids come from
  ``engine.facility_rows_page``;
* ``reason_counts`` counts the population, the counted and each reason in ONE grouped
  statement; its result is all a page needs for its counts and its number of pages.

The expression reads the standing exactly as ``compliance.selectors.with_standing`` does
(the engine's rows); tests/compliance/test_behind_property.py holds both to the plain
Python list that the page used to build.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import Exact

from compliance.choices import CertificateStatus, ComplianceStatus, Reason
from compliance.indicators import rules
from compliance.indicators.engine import UnknownIndicator, population
from compliance.models import FacilityStanding, StandingAspect
from compliance.selectors import assessment_window_start, standing_on
from facilities.models import Facility
from inspections.choices import Outcome

# The certificate status on the date → why the facility is not counted for the third
# indicator (the engine's _CERTIFICATE_REASON; no row holding means no certificate).
_CERTIFICATE_REASONS = {
    CertificateStatus.REVOKED: Reason.CERTIFICATE_REVOKED,
    CertificateStatus.EXPIRED: Reason.CERTIFICATE_EXPIRED,
}


def reason_expression(code: str, as_of: datetime.date):
    """Why a facility (a row of a Facility queryset) is not counted for indicator
    ``code`` on ``as_of`` — a ``compliance.choices.Reason`` value, NULL when counted.

    One correlated lookup of the standing per row (facility_standing_lookup), so a
    filter on it is a WHERE that the planner evaluates row by row in the page's order
    and stops after the page's last match.
    """
    if code == rules.ESTABLISHMENTS_MEETING_STANDARDS:
        # The compliance status (with_standing's), with "compliant" as NULL: the reason
        # values are the status values (docs/methodology.md, "Compliance status").
        overdue = standing_on(as_of, StandingAspect.OVERDUE, facility_id=OuterRef("facility_id"))
        status = (
            standing_on(as_of, StandingAspect.INSPECTION, facility_id=OuterRef("pk"))
            .annotate(
                status=Case(
                    When(
                        valid_from__lt=assessment_window_start(as_of),
                        then=Value(ComplianceStatus.ASSESSMENT_EXPIRED),
                    ),
                    When(value=Outcome.NON_COMPLIANT, then=Value(ComplianceStatus.NON_COMPLIANT)),
                    When(Exists(overdue), then=Value(ComplianceStatus.OVERDUE_REMEDIATION)),
                    default=Value(ComplianceStatus.COMPLIANT),
                    output_field=CharField(),
                )
            )
            .values("status")[:1]
        )
        return NullIf(
            Coalesce(
                Subquery(status, output_field=CharField()),
                Value(ComplianceStatus.NOT_ASSESSED),
            ),
            Value(ComplianceStatus.COMPLIANT),
            output_field=CharField(),
        )
    if code == rules.NEW_PRODUCTION_CLEAN_TECH:
        measured = standing_on(as_of, StandingAspect.MEASURE, facility_id=OuterRef("pk"))
        return Case(
            When(Exists(measured), then=Value(None)),
            default=Value(Reason.NO_VERIFIED_MEASURE),
            output_field=CharField(),
        )
    if code == rules.BUSINESSES_CERTIFIED:
        certificate = standing_on(as_of, StandingAspect.CERTIFICATE, facility_id=OuterRef("pk"))
        status = Subquery(certificate.values("value")[:1], output_field=CharField())
        return Case(
            When(Exact(status, CertificateStatus.VALID), then=Value(None)),
            *(
                When(Exact(status, value), then=Value(reason))
                for value, reason in _CERTIFICATE_REASONS.items()
            ),
            # Not yet valid, or no certificate at all.
            default=Value(Reason.NO_CERTIFICATE),
            output_field=CharField(),
        )
    raise UnknownIndicator(code)


def filtered(
    code: str,
    as_of: datetime.date,
    *,
    district: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
    queryset: QuerySet[Facility] | None = None,
    counted: bool | None = None,
    reason: str | None = None,
) -> QuerySet[Facility]:
    """The population of ``code`` on ``as_of`` with its ``reason`` as an alias,
    narrowed to the counted (``counted=True``), the not counted (False) and/or one
    ``reason``. In code order, as ``engine.population``."""
    facilities = population(code, as_of, district, sector, queryset, commune).alias(
        reason=reason_expression(code, as_of)
    )
    if counted is True:
        facilities = facilities.filter(reason__isnull=True)
    elif counted is False:
        facilities = facilities.filter(reason__isnull=False)
    if reason:
        facilities = facilities.filter(reason=reason)
    return facilities


def facility_ids(code: str, as_of: datetime.date, *, order_by=("code",), **filters) -> QuerySet:
    """The ids of ``filtered(code, as_of, **filters)`` in ``order_by``'s order (field
    names or expressions; they may name the alias ``reason``), as a flat values list:
    slice it for a page. The default, code order, is served by the covering index
    ``facility_population``: an OFFSET walks an index, not the table."""
    return filtered(code, as_of, **filters).order_by(*order_by).values_list("pk", flat=True)


def reason_counts(
    code: str,
    as_of: datetime.date,
    *,
    district: str | None = None,
    commune: str | None = None,
    sector: str | None = None,
    queryset: QuerySet[Facility] | None = None,
) -> dict:
    """``{"total": n, "counted": n, "reasons": {reason: n}}`` of indicator ``code``'s
    population on ``as_of`` in the scope (``queryset`` narrows it, e.g. to what a user
    may see): one grouped statement. Reasons with no facility are left out.

    The arguments are those of the stored figures' scopes (compliance/indicators/
    stored.py), so the counts of a province or unit scope may later be read from there.

    Not ``reason_expression`` per row (a probe of the standing per facility: 2 s at
    100,000 facilities): the standing rows that hold on the date are folded into one row
    a facility and hash-joined to the population, as the engine's statement does
    (series.py ``standing_sql``); the CASE is the expression's, over the folded row.
    """
    sql, params = counts_statement(
        code, as_of, district=district, commune=commune, sector=sector, queryset=queryset
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        reasons = {why: n for why, n in cursor.fetchall()}
    counted = reasons.pop(None, 0)
    return {"total": counted + sum(reasons.values()), "counted": counted, "reasons": reasons}


def counts_statement(code: str, as_of: datetime.date, *, district, commune, sector, queryset):
    """``reason_counts``'s statement and parameters (bench/behind.py explains it)."""
    people = population(code, as_of, district, sector, queryset, commune).order_by()
    people_sql, people_params = people.values("pk").query.sql_with_params()
    aspects, reason = _FOLDED[code]
    sql = f"""
SELECT {reason} AS reason, COUNT(*)
FROM ({people_sql}) p
LEFT JOIN (
  SELECT s.facility_id AS fid,
         MAX(CASE WHEN s.aspect = '{StandingAspect.INSPECTION}' THEN s.valid_from END) AS visited,
         MAX(CASE WHEN s.aspect = '{StandingAspect.INSPECTION}' THEN s.value END) AS outcome,
         MAX(CASE WHEN s.aspect = '{StandingAspect.OVERDUE}' THEN 1 ELSE 0 END) AS overdue,
         MAX(CASE WHEN s.aspect = '{StandingAspect.MEASURE}' THEN 1 ELSE 0 END) AS measured,
         MAX(CASE WHEN s.aspect = '{StandingAspect.CERTIFICATE}' THEN s.value END) AS certificate
  FROM {connection.ops.quote_name(FacilityStanding._meta.db_table)} s
  WHERE s.aspect IN ({", ".join(f"'{a}'" for a in aspects)})
    AND s.valid_from <= %s AND s.valid_to > %s
  GROUP BY s.facility_id
) st ON st.fid = p.pk
GROUP BY 1
"""  # noqa: S608 (table names and enumeration codes only; values are parameters)
    params = [*people_params, as_of, as_of]
    if code == rules.ESTABLISHMENTS_MEETING_STANDARDS:
        params = [assessment_window_start(as_of), *params]
    return sql, params


# Per indicator: the aspects of the standing its reason reads, and the reason as a CASE
# over a facility's folded standing ``st`` (NULL columns when no row holds) — the same
# rules, in the same order, as ``reason_expression``.
_FOLDED = {
    rules.ESTABLISHMENTS_MEETING_STANDARDS: (
        (StandingAspect.INSPECTION, StandingAspect.OVERDUE),
        f"""CASE WHEN st.visited IS NULL THEN '{Reason.NOT_ASSESSED}'
       WHEN st.visited < %s THEN '{Reason.ASSESSMENT_EXPIRED}'
       WHEN st.outcome = '{Outcome.NON_COMPLIANT}' THEN '{Reason.NON_COMPLIANT}'
       WHEN st.overdue = 1 THEN '{Reason.OVERDUE_REMEDIATION}' END""",
    ),
    rules.NEW_PRODUCTION_CLEAN_TECH: (
        (StandingAspect.MEASURE,),
        f"CASE WHEN st.measured = 1 THEN NULL ELSE '{Reason.NO_VERIFIED_MEASURE}' END",
    ),
    rules.BUSINESSES_CERTIFIED: (
        (StandingAspect.CERTIFICATE,),
        f"""CASE WHEN st.certificate = '{CertificateStatus.VALID}' THEN NULL
       WHEN st.certificate = '{CertificateStatus.REVOKED}' THEN '{Reason.CERTIFICATE_REVOKED}'
       WHEN st.certificate = '{CertificateStatus.EXPIRED}' THEN '{Reason.CERTIFICATE_EXPIRED}'
       ELSE '{Reason.NO_CERTIFICATE}' END""",
    ),
}


def listed_count(counts: dict, *, counted: bool | None = None, reason: str | None = None) -> int:
    """How many facilities ``filtered(..., counted=, reason=)`` lists, from the
    ``reason_counts`` of the same population: the page's number of pages without a
    second pass over the population."""
    if reason:
        return 0 if counted is True else counts["reasons"].get(reason, 0)
    if counted is True:
        return counts["counted"]
    if counted is False:
        return counts["total"] - counts["counted"]
    return counts["total"]
