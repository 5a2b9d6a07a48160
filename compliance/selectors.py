"""Set-based reads of each facility's standing on a date (docs/methodology.md, "Terms").

``facilities_with_status(queryset, as_of)`` annotates any Facility queryset, in one SQL
statement, with everything the three indicators and the facility pages need:

* ``place_district`` (the district of the facility, recorded or derived from its commune);
* ``is_active``, ``is_new_build``, ``is_production``, ``is_business``;
* ``compliance_status`` (compliant / not_assessed / assessment_expired / non_compliant /
  overdue_remediation), evaluated in the order of docs/methodology.md;
* ``certificate_status`` (valid / expired / revoked / not_yet_valid, or None when the
  facility never had a certificate) and ``certificate_reason`` (None when valid);
* ``has_verified_measure``.

The indicators engine aggregates over these annotations; the API and the pages read them
per row. No Python loop over facilities anywhere: the query count is constant.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from compliance.choices import CertificateStatus, ComplianceStatus, Reason
from compliance.models import Certificate, CleanTechMeasure, FacilityStanding, StandingAspect
from compliance.predicates import certificate_valid_on, measure_in_place_on, not_revoked_on
from facilities.access import facilities_for, restrict_to_visible
from facilities.choices import BUSINESS_ACTIVITIES, PRODUCTION_ACTIVITIES
from facilities.models import new_build_since, place_district_expression
from facilities.predicates import active_on
from inspections.choices import Outcome
from inspections.models import Finding, Inspection
from inspections.predicates import finalized_on, overdue_on


def assessment_window_start(as_of: datetime.date, years: int | None = None) -> datetime.date:
    """``as_of`` shifted back by the assessment window, same month and day; 29 Feb → 28 Feb.

    An inspection visited on or after this date is current on ``as_of``.
    """
    years = settings.ASSESSMENT_VALID_YEARS if years is None else years
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February into a common year
        return as_of.replace(year=as_of.year - years, day=28)


def _finalized_inspections_until(as_of: datetime.date) -> QuerySet[Inspection]:
    return (
        Inspection.objects.filter(facility=OuterRef("pk"))
        .filter(finalized_on(as_of))
        .order_by("-visited_on", "-id")
    )


def _latest_certificate_until(as_of: datetime.date) -> QuerySet[Certificate]:
    return Certificate.objects.filter(facility=OuterRef("pk"), issued_on__lte=as_of).order_by(
        "-issued_on", "-id"
    )


def facilities_with_status(queryset: QuerySet, as_of: datetime.date) -> QuerySet:
    """Annotate a Facility queryset with each facility's standing on ``as_of``."""
    window_start = assessment_window_start(as_of)
    latest = _finalized_inspections_until(as_of)
    latest_cert = _latest_certificate_until(as_of)

    overdue_findings = Finding.objects.filter(inspection__facility=OuterRef("pk")).filter(
        overdue_on(as_of)
    )
    valid_certificates = Certificate.objects.filter(facility=OuterRef("pk")).filter(
        certificate_valid_on(as_of)
    )
    future_certificates = Certificate.objects.filter(facility=OuterRef("pk"), issued_on__gt=as_of)
    measures_in_place = CleanTechMeasure.objects.filter(facility=OuterRef("pk")).filter(
        measure_in_place_on(as_of)
    )

    return queryset.annotate(
        # The district of the facility: recorded, or its commune's only former district.
        place_district=place_district_expression(),
        latest_visited_on=Subquery(latest.values("visited_on")[:1]),
        latest_outcome=Subquery(latest.values("outcome")[:1]),
        has_overdue_action=Exists(overdue_findings),
        has_valid_certificate=Exists(valid_certificates),
        has_future_certificate=Exists(future_certificates),
        latest_certificate_revoked_on=Subquery(latest_cert.values("revoked_on")[:1]),
        latest_certificate_issued_on=Subquery(latest_cert.values("issued_on")[:1]),
        has_verified_measure=Exists(measures_in_place),
    ).annotate(
        is_active=Case(
            When(active_on(as_of), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_new_build=Case(
            When(operating_since__gte=new_build_since(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_production=Case(
            When(activity__in=PRODUCTION_ACTIVITIES, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_business=Case(
            When(activity__in=BUSINESS_ACTIVITIES, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        compliance_status=Case(
            When(latest_visited_on__isnull=True, then=Value(ComplianceStatus.NOT_ASSESSED)),
            When(
                latest_visited_on__lt=window_start,
                then=Value(ComplianceStatus.ASSESSMENT_EXPIRED),
            ),
            When(latest_outcome=Outcome.NON_COMPLIANT, then=Value(ComplianceStatus.NON_COMPLIANT)),
            When(has_overdue_action=True, then=Value(ComplianceStatus.OVERDUE_REMEDIATION)),
            default=Value(ComplianceStatus.COMPLIANT),
            output_field=CharField(),
        ),
        # The most recent certificate issued on or before the date decides why none is valid.
        certificate_status=Case(
            When(has_valid_certificate=True, then=Value(CertificateStatus.VALID)),
            When(
                latest_certificate_revoked_on__lte=as_of,
                then=Value(CertificateStatus.REVOKED),
            ),
            When(
                latest_certificate_issued_on__isnull=False,
                then=Value(CertificateStatus.EXPIRED),
            ),
            When(has_future_certificate=True, then=Value(CertificateStatus.NOT_YET_VALID)),
            default=Value(None),
            output_field=CharField(null=True),
        ),
        certificate_reason=Case(
            When(has_valid_certificate=True, then=Value(None)),
            When(latest_certificate_revoked_on__lte=as_of, then=Value(Reason.CERTIFICATE_REVOKED)),
            When(
                latest_certificate_issued_on__isnull=False,
                then=Value(Reason.CERTIFICATE_EXPIRED),
            ),
            default=Value(Reason.NO_CERTIFICATE),
            output_field=CharField(null=True),
        ),
    )


# --- The same standing read from the facility standing (compliance/standing.py) ---------
# One subquery per column instead of facilities_with_status's eight (which its CASEs
# inline into nineteen): for the pages' rows once paged, and as semi-joins for filters.


def standing_on(as_of: datetime.date, aspect: str, **conditions) -> QuerySet:
    """The standing rows of ``aspect`` that hold on ``as_of`` (at most one a facility)."""
    return FacilityStanding.objects.filter(
        aspect=aspect, valid_from__lte=as_of, valid_to__gt=as_of, **conditions
    )


def _ids(rows: QuerySet) -> QuerySet:
    return rows.values("facility_id")


def compliance_status_q(status: str, as_of: datetime.date) -> Q:
    """Facilities whose compliance status on ``as_of`` is ``status`` (docs/methodology.md,
    the order of the rules), as semi-joins on the standing: no per-row subquery."""
    window_start = assessment_window_start(as_of)
    inspection = standing_on(as_of, StandingAspect.INSPECTION)
    current = inspection.filter(valid_from__gte=window_start)
    overdue = Q(pk__in=_ids(standing_on(as_of, StandingAspect.OVERDUE)))
    passed = Q(pk__in=_ids(current.exclude(value=Outcome.NON_COMPLIANT)))
    if status == ComplianceStatus.NOT_ASSESSED:
        return ~Q(pk__in=_ids(inspection))
    if status == ComplianceStatus.ASSESSMENT_EXPIRED:
        return Q(pk__in=_ids(inspection.filter(valid_from__lt=window_start)))
    if status == ComplianceStatus.NON_COMPLIANT:
        return Q(pk__in=_ids(current.filter(value=Outcome.NON_COMPLIANT)))
    if status == ComplianceStatus.OVERDUE_REMEDIATION:
        return passed & overdue
    if status == ComplianceStatus.COMPLIANT:
        return passed & ~overdue
    raise ValueError(status)


def facility_certificate_status_q(status: str | None, as_of: datetime.date) -> Q:
    """Facilities whose certificate status on ``as_of`` is ``status`` (None: never had a
    certificate by any date), from the standing."""
    if status is None:
        return ~Q(pk__in=_ids(standing_on(as_of, StandingAspect.CERTIFICATE)))
    return Q(pk__in=_ids(standing_on(as_of, StandingAspect.CERTIFICATE, value=status)))


def with_standing(queryset: QuerySet, as_of: datetime.date) -> QuerySet:
    """Annotate a Facility queryset, from the standing, with the columns the lists show:
    ``place_district``, ``is_new_build``, ``compliance_status``, ``certificate_status``
    and ``has_verified_measure`` — equal to facilities_with_status's (tested), one
    subquery each. Annotate a page's rows, not the whole registry (``page_rows``)."""
    window_start = assessment_window_start(as_of)
    overdue = standing_on(as_of, StandingAspect.OVERDUE, facility_id=OuterRef("facility_id"))
    status = (
        standing_on(as_of, StandingAspect.INSPECTION, facility_id=OuterRef("pk"))
        .annotate(
            status=Case(
                When(valid_from__lt=window_start, then=Value(ComplianceStatus.ASSESSMENT_EXPIRED)),
                When(value=Outcome.NON_COMPLIANT, then=Value(ComplianceStatus.NON_COMPLIANT)),
                When(Exists(overdue), then=Value(ComplianceStatus.OVERDUE_REMEDIATION)),
                default=Value(ComplianceStatus.COMPLIANT),
                output_field=CharField(),
            )
        )
        .values("status")[:1]
    )
    certificate = standing_on(as_of, StandingAspect.CERTIFICATE, facility_id=OuterRef("pk"))
    measure = standing_on(as_of, StandingAspect.MEASURE, facility_id=OuterRef("pk"))
    return queryset.annotate(
        place_district=place_district_expression(),
        is_new_build=Case(
            When(operating_since__gte=new_build_since(), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        compliance_status=Coalesce(
            Subquery(status, output_field=CharField()), Value(ComplianceStatus.NOT_ASSESSED)
        ),
        certificate_status=Subquery(certificate.values("value")[:1], output_field=CharField()),
        has_verified_measure=Exists(measure),
    )


def page_rows(page, as_of: datetime.date, base: QuerySet) -> list:
    """The facilities of a page of ids (a Django Page, or a list), in the page's order,
    each from ``base`` annotated by ``with_standing``: the standing of 50 rows, not of
    every row an OFFSET skips. ``base`` carries the select_related of the page."""
    ids = list(page)
    rows = {f.pk: f for f in with_standing(base.filter(pk__in=ids), as_of).order_by()}
    return [rows[pk] for pk in ids if pk in rows]


def certificate_status_q(status: str, day: datetime.date) -> Q:
    """Certificates whose status on ``day`` is ``status``, as a filter (one query)."""
    not_revoked = not_revoked_on(day)
    if status == CertificateStatus.REVOKED:
        return Q(revoked_on__lte=day)
    if status == CertificateStatus.NOT_YET_VALID:
        return not_revoked & Q(issued_on__gt=day)
    if status == CertificateStatus.EXPIRED:
        return not_revoked & Q(issued_on__lte=day, valid_until__lt=day)
    if status == CertificateStatus.VALID:
        return certificate_valid_on(day)
    raise ValueError(status)


def facility_list(user, as_of: datetime.date) -> QuerySet:
    """Facilities ``user`` may see, with their standing on ``as_of`` (one query)."""
    return facilities_with_status(
        facilities_for(user).select_related("enterprise", "sector", "district", "commune"), as_of
    )


def with_certificate_status(queryset: QuerySet[Certificate], day: datetime.date) -> QuerySet:
    """Annotate certificates with ``status`` on ``day`` (valid / expired / revoked /
    not_yet_valid), from the same predicates as the filters and the indicators."""
    return queryset.annotate(
        status=Case(
            *(
                When(certificate_status_q(status, day), then=Value(status))
                for status in CertificateStatus.values
            ),
            output_field=CharField(),
        )
    )


def certificates_for(user, day: datetime.date | None = None) -> QuerySet[Certificate]:
    """Certificates of the facilities ``user`` may see, with their ``status`` on ``day``
    (default today)."""
    return with_certificate_status(
        restrict_to_visible(Certificate.objects.all(), user).select_related("facility"),
        day or timezone.localdate(),
    )


def measures_for(user) -> QuerySet[CleanTechMeasure]:
    """Clean-technology measures of the facilities ``user`` may see."""
    return restrict_to_visible(CleanTechMeasure.objects.all(), user).select_related(
        "facility", "verified_by"
    )
