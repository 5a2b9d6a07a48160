"""Read endpoints of remediation evidence and re-inspection requests (docs/api.md):
scoped like findings and facilities, and as cheap for many rows as for a few."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facilities.history import change_context
from inspections.models import ReinspectionRequest, RemediationEvidence
from tests.factories import FacilityFactory, FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db


def rows(n: int, enterprise, user) -> None:
    """``n`` facilities of ``enterprise``, each with evidence waiting and a request."""
    with change_context(reason="test fixture"):
        for _ in range(n):
            facility = FacilityFactory(enterprise=enterprise)
            finding = FindingFactory(inspection=InspectionFactory(facility=facility))
            RemediationEvidence.objects.create(
                finding=finding,
                note="Đã khắc phục",
                completed_on=datetime.date(2025, 5, 1),
                submitted_by=user,
            )
            ReinspectionRequest.objects.create(facility=facility, reason="Xin", requested_by=user)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # session, user, profile, count, page (joined to the people), the files' ids
        ("/api/v1/remediation-evidence/", 6),
        # session, user, profile, count, page (joined to the people)
        ("/api/v1/reinspection-requests/", 5),
    ],
)
def test_the_lists_cost_the_same_for_3_and_for_30_rows(
    api_client, admin_user, business_owner, own_enterprise, url, expected
):
    api_client.force_login(admin_user)
    rows(3, own_enterprise, business_owner)
    small = count_queries(api_client, url)
    rows(27, own_enterprise, business_owner)
    assert small == count_queries(api_client, url) == expected


def test_a_business_reads_its_own_and_nothing_of_a_competitor(
    api_client, business_owner, competitor, own_enterprise, competitor_enterprise
):
    rows(2, own_enterprise, business_owner)
    rows(1, competitor_enterprise, competitor)
    api_client.force_login(business_owner)
    body = api_client.get("/api/v1/remediation-evidence/").json()
    assert body["count"] == 2
    assert {r["submitted_by"] for r in body["results"]} == {"doanhnghiep"}
    assert api_client.get("/api/v1/reinspection-requests/").json()["count"] == 2
    theirs = RemediationEvidence.objects.get(submitted_by=competitor)
    assert api_client.get(f"/api/v1/remediation-evidence/{theirs.pk}/").status_code == 404


def test_the_endpoints_only_read(api_client, admin_user):
    api_client.force_login(admin_user)
    assert api_client.post("/api/v1/remediation-evidence/", {}).status_code == 405
    assert api_client.post("/api/v1/reinspection-requests/", {}).status_code == 405
