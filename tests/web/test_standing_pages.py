"""The registry list and the facilities API page ids first and read the standing of that
page only, and filter by status from the facility standing: the rows, their order and
their statuses are exactly those of the former path (facilities_with_status over every
row, filtered and sorted on its annotations, then sliced)."""

import datetime

import pytest
from django.core.paginator import Paginator
from rest_framework.test import APIClient

from compliance.choices import CertificateStatus, ComplianceStatus
from compliance.selectors import facilities_with_status
from compliance.views.listing import Sort, order_queryset
from compliance.views.registry import LIST_SORTS
from facilities.access import facilities_for
from facilities.history import change_context
from facilities.tokens import token_create
from inspections.choices import Outcome
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)
from tests.web.conftest import TODAY

pytestmark = pytest.mark.django_db
day = datetime.date


@pytest.fixture
def varied(own_enterprise):
    """66 facilities spread over every compliance and certificate status on TODAY, with
    repeated names so that the tie-break matters."""
    with change_context(reason="dữ liệu thử"):
        for i in range(66):
            f = FacilityFactory(enterprise=own_enterprise, code=f"V-{i:03d}", name=f"Cơ sở {i % 7}")
            kind = i % 6
            if kind == 1:
                InspectionFactory(facility=f, visited_on=day(2020, 5, 1))
            elif kind == 2:
                InspectionFactory(
                    facility=f, visited_on=day(2025, 5, 1), outcome=Outcome.NON_COMPLIANT
                )
            elif kind == 3:
                visit = InspectionFactory(facility=f, visited_on=day(2025, 5, 1))
                FindingFactory(inspection=visit, deadline=day(2026, 1, 1))
            elif kind == 4:
                InspectionFactory(facility=f, visited_on=day(2025, 5, 1))
            elif kind == 5:
                visit = InspectionFactory(
                    facility=f, visited_on=day(2024, 5, 1), outcome=Outcome.COMPLIANT_WITH_REMARKS
                )
                FindingFactory(
                    inspection=visit, deadline=day(2024, 9, 1), resolved_on=day(2024, 8, 1)
                )
            certificate = i % 4
            if certificate == 1:
                CertificateFactory(
                    facility=f, issued_on=day(2024, 1, 1), valid_until=day(2028, 1, 1)
                )
            elif certificate == 2:
                CertificateFactory(facility=f)  # 2018 → 2022: expired
            elif certificate == 3:
                CertificateFactory(
                    facility=f,
                    issued_on=day(2024, 1, 1),
                    valid_until=day(2028, 1, 1),
                    revoked_on=day(2025, 5, 1),
                    revocation_reason="Vi phạm",
                )
            if i % 9 == 0:
                CertificateFactory(
                    facility=f, issued_on=day(2027, 1, 1), valid_until=day(2030, 1, 1)
                )
            if i % 5 == 0:
                CleanTechMeasureFactory(facility=f, verified_on=day(2017, 1, 1))


def former_page(user, sort: str, page: int, *, compliance=None, certificate=None):
    """The rows as the list computed them before the standing: every row annotated."""
    queryset = facilities_with_status(facilities_for(user), TODAY)
    if compliance:
        queryset = queryset.filter(compliance_status=compliance)
    if certificate == "none":
        queryset = queryset.filter(certificate_status__isnull=True)
    elif certificate:
        queryset = queryset.filter(certificate_status=certificate)
    key = sort.lstrip("-")
    ordered = order_queryset(queryset, Sort(key, sort.startswith("-")), LIST_SORTS)
    rows = Paginator(ordered, 50).get_page(page)
    return [(f.code, f.compliance_status, f.certificate_status) for f in rows]


def shown(response):
    return [
        (f.code, f.compliance_status, f.certificate_status)
        for f in response.context["page_obj"].object_list
    ]


def test_every_page_of_the_list_shows_the_former_rows(client, admin_user, varied):
    client.force_login(admin_user)
    for sort in ("code", "name", "-compliance", "compliance", "-certificate"):
        for page in (1, 2):
            rows = shown(client.get(f"/facilities/?sort={sort}&page={page}"))
            assert rows == former_page(admin_user, sort, page), (sort, page)
            assert len(rows) == (50 if page == 1 else 16)


def test_filtering_by_status_keeps_the_former_rows(client, admin_user, varied):
    client.force_login(admin_user)
    for status in ComplianceStatus.values:
        rows = shown(client.get(f"/facilities/?compliance_status={status}&sort=-name"))
        assert rows, status  # every status is present in the registry
        assert rows == former_page(admin_user, "-name", 1, compliance=status), status
    for status in [*CertificateStatus.values, "none"]:
        rows = shown(client.get(f"/facilities/?certificate_status={status}&sort=compliance"))
        assert rows, status
        assert rows == former_page(admin_user, "compliance", 1, certificate=status), status


def test_the_api_pages_show_the_former_rows(admin_user, varied):
    client = APIClient()
    _instance, token = token_create(user=admin_user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    former = facilities_with_status(facilities_for(admin_user), TODAY).order_by(
        "compliance_status", "id"
    )
    expected = [(f.pk, f.compliance_status, f.certificate_status, f.is_new_build) for f in former]
    got = []
    for page in (1, 2, 3, 4):
        body = client.get(
            f"/api/v1/facilities/?ordering=compliance_status,id&page_size=20&page={page}"
        ).json()
        got += [
            (r["id"], r["compliance_status"], r["certificate_status"], r["is_new_build"])
            for r in body["results"]
        ]
    assert got == expected
    overdue = client.get("/api/v1/facilities/?compliance_status=overdue_remediation").json()
    assert sorted(r["id"] for r in overdue["results"]) == sorted(
        pk for pk, status, _c, _n in expected if status == ComplianceStatus.OVERDUE_REMEDIATION
    )
