"""The resources of docs/api.md: fields, filters, search, pagination and ETags."""

import datetime

import pytest

from facilities.history import change_context
from facilities.models import District, Sector
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    EnterpriseFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_auditor(api_client, auditor):
    api_client.force_authenticate(auditor)
    return api_client


def codes(response):
    assert response.status_code == 200, response.content[:300]
    return sorted(
        row.get("code") or row.get("number") or row["id"] for row in response.data["results"]
    )


def test_search_ignores_case_and_vietnamese_diacritics(as_auditor):
    FacilityFactory(code="A", name="Nhà máy Lai Châu")
    FacilityFactory(code="B", name="Cơ sở Sơn La")
    FacilityFactory(code="C", name="Xưởng Đá Mường Tè")
    assert codes(as_auditor.get("/api/v1/facilities/?q=lai chau")) == ["A"]
    assert codes(as_auditor.get("/api/v1/facilities/?q=SON LA")) == ["B"]
    assert codes(as_auditor.get("/api/v1/facilities/?q=da muong")) == ["C"]
    assert codes(as_auditor.get("/api/v1/facilities/?q=đá")) == ["C"]
    enterprises = as_auditor.get("/api/v1/enterprises/?q=phong tho")
    assert enterprises.data["count"] == 0


def test_facilities_filter_by_place_sector_activity_and_owner(as_auditor, own_enterprise):
    FacilityFactory(code="A", district=District.objects.get(code="105"), enterprise=own_enterprise)
    FacilityFactory(code="B", sector=Sector.objects.get(code="mining"), activity="business")
    assert codes(as_auditor.get("/api/v1/facilities/?district=105")) == ["A"]
    assert codes(as_auditor.get("/api/v1/facilities/?sector=mining")) == ["B"]
    assert codes(as_auditor.get("/api/v1/facilities/?activity=business")) == ["B"]
    assert codes(as_auditor.get(f"/api/v1/facilities/?enterprise={own_enterprise.pk}")) == ["A"]


def test_facilities_filter_by_activity_on_a_date(as_auditor):
    FacilityFactory(
        code="OLD", operating_since=datetime.date(2000, 1, 1), closed_on=datetime.date(2010, 1, 1)
    )
    FacilityFactory(code="NEW", operating_since=datetime.date(2020, 1, 1))
    assert codes(as_auditor.get("/api/v1/facilities/?active_on=2005-06-01")) == ["OLD"]
    assert codes(as_auditor.get("/api/v1/facilities/?active_on=2010-01-01")) == []
    assert codes(as_auditor.get("/api/v1/facilities/?active_on=2026-01-01")) == ["NEW"]


def test_facilities_show_and_filter_their_standing_today(as_auditor):
    assessed = FacilityFactory(code="OK", operating_since=datetime.date(2010, 1, 1))
    InspectionFactory(facility=assessed, visited_on=datetime.date(2025, 3, 1))
    CertificateFactory(
        facility=assessed,
        issued_on=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2027, 1, 1),
    )
    FacilityFactory(code="NONE", operating_since=datetime.date(2015, 1, 1))
    rows = {r["code"]: r for r in as_auditor.get("/api/v1/facilities/").data["results"]}
    assert (rows["OK"]["compliance_status"], rows["OK"]["certificate_status"]) == (
        "compliant",
        "valid",
    )
    assert rows["OK"]["is_new_build"] is False
    assert (rows["NONE"]["compliance_status"], rows["NONE"]["certificate_status"]) == (
        "not_assessed",
        None,
    )
    assert rows["NONE"]["is_new_build"] is True
    assert codes(as_auditor.get("/api/v1/facilities/?compliance_status=compliant")) == ["OK"]
    assert codes(as_auditor.get("/api/v1/facilities/?compliance_status=not_assessed")) == ["NONE"]


def test_certificates_filter_by_status_today_district_and_expiry(as_auditor, competitor_facility):
    day = datetime.date
    CertificateFactory(number="VALID", issued_on=day(2025, 1, 1), valid_until=day(2028, 1, 1))
    CertificateFactory(number="EXPIRED", issued_on=day(2018, 1, 1), valid_until=day(2021, 1, 1))
    CertificateFactory(
        number="REVOKED",
        facility=competitor_facility,
        issued_on=day(2025, 1, 1),
        valid_until=day(2028, 1, 1),
        revoked_on=day(2026, 2, 1),
        revocation_reason="Vi phạm",
    )
    CertificateFactory(number="FUTURE", issued_on=day(2026, 9, 1), valid_until=day(2029, 9, 1))
    assert codes(as_auditor.get("/api/v1/certificates/?status=valid")) == ["VALID"]
    assert codes(as_auditor.get("/api/v1/certificates/?status=expired")) == ["EXPIRED"]
    assert codes(as_auditor.get("/api/v1/certificates/?status=revoked")) == ["REVOKED"]
    assert codes(as_auditor.get("/api/v1/certificates/?status=not_yet_valid")) == ["FUTURE"]
    assert codes(as_auditor.get("/api/v1/certificates/?district=109")) == ["REVOKED"]
    assert codes(as_auditor.get("/api/v1/certificates/?expires_before=2022-01-01")) == ["EXPIRED"]
    statuses = {
        r["number"]: r["status"] for r in as_auditor.get("/api/v1/certificates/").data["results"]
    }
    assert statuses == {
        "VALID": "valid",
        "EXPIRED": "expired",
        "REVOKED": "revoked",
        "FUTURE": "not_yet_valid",
    }


def test_measures_filter_by_kind_and_verification(as_auditor, own_facility):
    verified = CleanTechMeasureFactory(
        facility=own_facility, kind="clean_technology", verified_on=datetime.date(2017, 1, 1)
    )
    pending = CleanTechMeasureFactory(facility=own_facility, kind="pollution_control")
    assert codes(as_auditor.get("/api/v1/clean-tech-measures/?verified=true")) == [verified.pk]
    assert codes(as_auditor.get("/api/v1/clean-tech-measures/?verified=false")) == [pending.pk]
    assert codes(as_auditor.get("/api/v1/clean-tech-measures/?kind=clean_technology")) == [
        verified.pk
    ]


def test_inspections_and_findings_filter(as_auditor, own_facility, competitor_facility):
    early = InspectionFactory(facility=own_facility, visited_on=datetime.date(2024, 1, 10))
    late = InspectionFactory(
        facility=competitor_facility, visited_on=datetime.date(2025, 5, 5), outcome="non_compliant"
    )
    draft = InspectionFactory(
        facility=own_facility, status="draft", outcome="", visited_on=datetime.date(2026, 5, 1)
    )
    url = "/api/v1/inspections/"
    assert codes(as_auditor.get(f"{url}?district=109")) == [late.pk]
    assert codes(as_auditor.get(f"{url}?facility={own_facility.pk}")) == [early.pk, draft.pk]
    assert codes(as_auditor.get(f"{url}?status=draft")) == [draft.pk]
    assert codes(as_auditor.get(f"{url}?outcome=non_compliant")) == [late.pk]
    assert codes(as_auditor.get(f"{url}?visited_after=2024-01-10&visited_before=2025-05-05")) == [
        early.pk,
        late.pk,
    ]
    overdue = FindingFactory(inspection=early, deadline=datetime.date(2024, 3, 1))
    FindingFactory(
        inspection=early, deadline=datetime.date(2024, 3, 1), resolved_on=datetime.date(2024, 2, 1)
    )
    FindingFactory(
        inspection=draft, deadline=datetime.date(2026, 5, 2)
    )  # a draft's: not yet binding
    assert codes(as_auditor.get("/api/v1/findings/?overdue_on=2026-06-01")) == [overdue.pk]
    assert as_auditor.get(f"/api/v1/findings/?inspection={early.pk}").data["count"] == 2
    assert as_auditor.get(f"/api/v1/findings/?facility={competitor_facility.pk}").data["count"] == 0


def test_lists_are_paginated_with_a_default_and_a_chosen_page_size(as_auditor):
    with change_context(reason="test fixture"):
        enterprise = EnterpriseFactory()
        for n in range(55):
            FacilityFactory(enterprise=enterprise, code=f"P-{n:03d}")
    first = as_auditor.get("/api/v1/facilities/")
    assert set(first.data) == {"count", "next", "previous", "results"}
    assert (first.data["count"], len(first.data["results"])) == (55, 50)
    second = as_auditor.get("/api/v1/facilities/?page=2")
    assert [r["code"] for r in second.data["results"]] == [f"P-{n:03d}" for n in range(50, 55)]
    small = as_auditor.get("/api/v1/facilities/?page_size=10&ordering=-code")
    assert [r["code"] for r in small.data["results"]][:2] == ["P-054", "P-053"]


def test_every_object_has_an_etag_of_its_version(as_auditor, own_facility):
    for url in [
        f"/api/v1/facilities/{own_facility.pk}/",
        f"/api/v1/enterprises/{own_facility.enterprise_id}/",
        f"/api/v1/certificates/{CertificateFactory(facility=own_facility).pk}/",
        f"/api/v1/clean-tech-measures/{CleanTechMeasureFactory(facility=own_facility).pk}/",
        f"/api/v1/inspections/{InspectionFactory(facility=own_facility).pk}/",
        f"/api/v1/findings/{FindingFactory(inspection__facility=own_facility).pk}/",
    ]:
        response = as_auditor.get(url)
        assert response["ETag"] == f'W/"{response.data["version"]}"', url
