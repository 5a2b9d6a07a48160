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
from django.utils import timezone

from compliance.choices import CertificateStatus, ComplianceStatus, Reason
from compliance.models import Certificate, CleanTechMeasure
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
        facilities_for(user).select_related("enterprise", "sector", "district"), as_of
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
