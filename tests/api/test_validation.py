"""Every validation rule of the registry core, through the API: 400 with field errors."""

import pytest

from compliance.models import Certificate
from facilities.models import Enterprise, Facility
from tests.factories import CertificateFactory, InspectionFactory, valid_tax_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_admin(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    return api_client


def facility_payload(owner, **overrides):
    return {
        "code": "TD-100",
        "name": "Cơ sở chế biến chè",
        "enterprise": owner.pk,
        "activity": "production",
        "sector": "agro_forestry_processing",
        "district": "106",
        "operating_since": "2019-05-01",
        **overrides,
    }


def test_it_names_each_missing_field(as_admin):
    response = as_admin.post("/api/v1/facilities/", {}, format="json")
    assert response.status_code == 400
    assert {"code", "name", "enterprise", "activity", "sector"} <= set(response.data)


def test_it_refuses_an_invalid_tax_code_with_the_reason(as_admin):
    response = as_admin.post(
        "/api/v1/enterprises/", {"name": "Công ty X", "tax_code": "0101245487"}, format="json"
    )
    assert response.status_code == 400
    assert "chữ số kiểm tra" in str(response.data["tax_code"])


def test_it_refuses_a_duplicate_tax_code_written_differently(as_admin, own_enterprise):
    spaced = f"{own_enterprise.tax_code[:4]} {own_enterprise.tax_code[4:]}"
    response = as_admin.post(
        "/api/v1/enterprises/", {"name": "Công ty trùng", "tax_code": spaced}, format="json"
    )
    assert response.status_code == 400
    assert "Đã có doanh nghiệp với mã số thuế này." in str(response.data)
    assert Enterprise.objects.count() == 1


def test_it_stores_a_tax_code_in_its_canonical_form(as_admin):
    code = valid_tax_code(321)
    response = as_admin.post(
        "/api/v1/enterprises/",
        {"name": "Công ty  Cổ phần Mới", "tax_code": f" {code[:3]}.{code[3:]} "},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["tax_code"] == code


def test_it_refuses_a_duplicate_facility_code(as_admin, own_facility, own_enterprise):
    response = as_admin.post(
        "/api/v1/facilities/", facility_payload(own_enterprise, code="TD-001"), format="json"
    )
    assert response.status_code == 400
    assert "Đã có cơ sở với mã này." in str(response.data)


def test_it_refuses_unknown_codes_of_district_sector_and_activity(as_admin, own_enterprise):
    response = as_admin.post(
        "/api/v1/facilities/",
        facility_payload(own_enterprise, district="199", sector="fishing", activity="retail"),
        format="json",
    )
    assert response.status_code == 400
    assert {"district", "sector", "activity"} <= set(response.data)


def test_it_refuses_an_unknown_enterprise_id(as_admin, own_enterprise):
    response = as_admin.post(
        "/api/v1/facilities/", facility_payload(own_enterprise, enterprise=999999), format="json"
    )
    assert response.status_code == 400
    assert "enterprise" in response.data


def test_it_refuses_wrong_types(as_admin, own_enterprise):
    response = as_admin.post(
        "/api/v1/facilities/",
        facility_payload(
            own_enterprise,
            enterprise="abc",
            latitude="north",
            operating_since="01/05/2019",
            name=["a list"],
        ),
        format="json",
    )
    assert response.status_code == 400
    assert {"enterprise", "latitude", "operating_since", "name"} <= set(response.data)


def test_it_refuses_closing_before_opening(as_admin, own_enterprise):
    response = as_admin.post(
        "/api/v1/facilities/",
        facility_payload(own_enterprise, operating_since="2020-01-01", closed_on="2019-12-31"),
        format="json",
    )
    assert response.status_code == 400
    assert "closed_on" in response.data


def test_it_refuses_coordinates_outside_vietnam_or_half_given(as_admin, own_enterprise):
    outside = as_admin.post(
        "/api/v1/facilities/",
        facility_payload(own_enterprise, latitude="48.85", longitude="2.35"),
        format="json",
    )
    assert outside.status_code == 400
    half = as_admin.post(
        "/api/v1/facilities/", facility_payload(own_enterprise, latitude="22.39"), format="json"
    )
    assert half.status_code == 400
    assert "longitude" in half.data


def test_it_refuses_certificate_dates_out_of_order(as_admin, own_facility):
    response = as_admin.post(
        "/api/v1/certificates/",
        {
            "facility": own_facility.pk,
            "number": "GCN-01",
            "issuer": "Sở",
            "issued_on": "2024-01-01",
            "valid_until": "2023-01-01",
            "revoked_on": "2023-06-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"valid_until", "revoked_on"} <= set(response.data)


def test_it_needs_a_reason_to_revoke_a_certificate(as_admin, own_facility):
    certificate = CertificateFactory(facility=own_facility)
    response = as_admin.patch(
        f"/api/v1/certificates/{certificate.pk}/", {"revoked_on": "2020-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "revocation_reason" in response.data
    assert Certificate.objects.get(pk=certificate.pk).revoked_on is None


def test_it_refuses_a_measure_removed_before_installed(as_admin, own_facility):
    response = as_admin.post(
        "/api/v1/clean-tech-measures/",
        {
            "facility": own_facility.pk,
            "kind": "pollution_control",
            "category": "noise",
            "installed_on": "2020-01-01",
            "removed_on": "2019-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "removed_on" in response.data


def test_it_refuses_a_finding_deadline_before_the_visit(as_admin, own_facility):
    inspection = InspectionFactory(facility=own_facility, status="draft", outcome="")
    response = as_admin.post(
        "/api/v1/findings/",
        {
            "inspection": inspection.pk,
            "category": "noise",
            "description": "Ồn",
            "deadline": "2019-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "deadline" in response.data


def test_it_ignores_read_only_fields_and_never_stores_them(as_admin, own_enterprise):
    response = as_admin.post(
        "/api/v1/facilities/",
        facility_payload(
            own_enterprise,
            id=4242,
            version=99,
            is_new_build=False,
            compliance_status="compliant",
            certificate_status="valid",
        ),
        format="json",
    )
    assert response.status_code == 201, response.data
    facility = Facility.objects.get(code="TD-100")
    assert facility.pk != 4242
    assert facility.version == 1
    assert response.data["compliance_status"] == "not_assessed"
    assert response.data["certificate_status"] is None


def test_an_inspection_status_cannot_be_set_directly(api_client, inspector_tam_duong, own_facility):
    api_client.force_authenticate(inspector_tam_duong)
    response = api_client.post(
        "/api/v1/inspections/",
        {
            "facility": own_facility.pk,
            "visited_on": "2026-05-01",
            "status": "finalized",
            "finalized_by": "quantri",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.data["status"] == "draft"
    assert response.data["finalized_by"] is None


def test_it_stores_text_as_nfc(as_admin, own_enterprise):
    decomposed = "Cơ sở Mường Tè".replace("ờ", "ơ\u0300")
    response = as_admin.post(
        "/api/v1/facilities/", facility_payload(own_enterprise, name=decomposed), format="json"
    )
    assert response.status_code == 201
    assert Facility.objects.get(code="TD-100").name == "Cơ sở Mường Tè"
