"""Each list endpoint makes the same number of queries for 5 and for 100 rows.

The numbers are pinned, with the queries named above each, so that a join forgotten in
a selector (one query per row) or an extra lookup shows up here first.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facilities.history import change_context
from facilities.models import Commune
from facilities.tokens import token_create
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    EnterpriseFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)

pytestmark = pytest.mark.django_db

# The token with its user, the user's registry profile (facilities.access.role_of),
# the count, the page:
PLAIN = 4
EXPECTED = {
    # token, profile, count, page
    "/api/v1/districts/": PLAIN,
    "/api/v1/sectors/": PLAIN,
    "/api/v1/enterprises/": PLAIN,
    # token, profile, count, the ids of the page, those facilities (joined to enterprise,
    # sector, district; their standing as subqueries)
    "/api/v1/facilities/": PLAIN + 1,
    # token, profile, count, page (joined to facility)
    "/api/v1/certificates/": PLAIN,
    # token, profile, count, page (joined to facility and verifier)
    "/api/v1/clean-tech-measures/": PLAIN,
    # token, profile, count, page, the inspectors of the page, the finding ids of the page
    "/api/v1/inspections/": PLAIN + 2,
    # token, profile, count, page (joined to inspection and facility)
    "/api/v1/findings/": PLAIN,
    # token, profile, count of the union, page of keys, the facility history rows of the page
    # with their users and previous-row ids, those previous rows
    "/api/v1/history/?model=facility": PLAIN + 2,
}


def make_rows(n: int) -> None:
    # Each facility in a commune of its own (the units since the 2025 reform): a page
    # that loaded each row's commune on its own would make one query per row.
    communes = list(Commune.objects.order_by("code")[:n])
    with change_context(reason="test fixture"):
        enterprise = EnterpriseFactory()
        for i in range(n):
            facility = FacilityFactory(enterprise=enterprise, commune=communes[i % len(communes)])
            facility.name += " (sửa)"
            facility.save()
            CertificateFactory(facility=facility)
            CleanTechMeasureFactory(facility=facility)
            FindingFactory(inspection=InspectionFactory(facility=facility))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def as_admin(api_client, admin_user):
    # A real token, as clients send it: every request loads its user afresh.
    _instance, token = token_create(user=admin_user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api_client


def test_list_endpoints_make_the_same_queries_for_5_and_for_100_rows(as_admin, inspector_tam_duong):
    make_rows(5)
    small = {url: count_queries(as_admin, url) for url in EXPECTED}
    make_rows(95)
    large = {url: count_queries(as_admin, url) for url in EXPECTED}
    assert small == large == EXPECTED


def test_the_history_of_every_model_needs_at_most_two_queries_per_model(as_admin):
    make_rows(5)
    # token, profile, count, page, then at most two per model on the page (seven models)
    assert count_queries(as_admin, "/api/v1/history/") <= PLAIN + 2 * 7
