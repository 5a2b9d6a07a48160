"""The number of queries for one date does not grow with the number of facilities."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.indicators import compute_indicators, compute_series, facility_rows
from facilities.choices import Activity
from facilities.models import District
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)

D = datetime.date(2020, 12, 31)


def registry(n):
    districts = list(District.objects.all())
    for i in range(n):
        f = FacilityFactory(activity=Activity.BOTH, district=districts[i % len(districts)])
        visit = InspectionFactory(facility=f, visited_on=datetime.date(2020, 1, 1 + i % 28))
        FindingFactory(inspection=visit, deadline=datetime.date(2020, 6, 1))
        CertificateFactory(facility=f)
        CleanTechMeasureFactory(facility=f, verified_on=datetime.date(2017, 1, 1))


def queries(call):
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


CALLS = {
    "indicators": lambda: compute_indicators(D),
    "scoped": lambda: compute_indicators(D, district="106", sector="manufacturing"),
    "rows": lambda: facility_rows("businesses_certified", D),
    "series": lambda: compute_series(2012, 2020, include_today=True),
}


def test_the_query_count_is_the_same_for_10_and_200_facilities(db):
    registry(10)
    small = {name: queries(call) for name, call in CALLS.items()}
    registry(190)
    assert {name: queries(call) for name, call in CALLS.items()} == small


def test_one_date_with_every_breakdown_is_one_query(db, django_assert_num_queries):
    registry(3)
    # 1: the interval statement on D, counts per (district, sector) cell.
    with django_assert_num_queries(1):
        compute_indicators(D)


def test_the_whole_series_is_one_query(db, django_assert_num_queries):
    registry(3)
    # 1: every date's counts, from the hand-written interval query.
    with django_assert_num_queries(1):
        compute_series(2012, 2026, include_today=True)
