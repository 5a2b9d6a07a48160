"""The 2025 reform through the API: communes, a facility's commune, the district
filters by the district of a facility, the data gaps, certificate kinds and inspectors
assigned to communes (docs/geography.md)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from compliance.choices import CertificateKind
from facilities.choices import Role
from facilities.models import Facility
from facilities.services import user_create
from tests.conftest import PASSWORD
from tests.factories import CertificateFactory, FacilityFactory


@pytest.fixture
def as_admin(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    return api_client


@pytest.fixture
def inspector_binh_lu(db):
    """An inspector assigned only to the commune of Bình Lư (03390)."""
    return user_create(
        username="kiemtra03390", role=Role.INSPECTOR, password=PASSWORD, communes=["03390"]
    )


def new_facility(**overrides):
    return {
        "code": "BL-2026",
        "name": "Xưởng chè Bình Lư",
        "enterprise": overrides.pop("enterprise"),
        "activity": "production",
        "sector": "agro_forestry_processing",
        "operating_since": "2026-03-01",
        **overrides,
    }


def test_it_lists_the_38_communes_with_kind_and_former_districts(as_admin):
    response = as_admin.get("/api/v1/communes/", {"page_size": 100})
    assert response.status_code == 200
    assert response.data["count"] == 38
    tan_phong = next(c for c in response.data["results"] if c["code"] == "03408")
    assert tan_phong == {
        "code": "03408",
        "name": "Tân Phong",
        "kind": "phuong",
        "former_districts": ["105", "106"],
    }


def test_it_filters_communes_by_former_district(as_admin):
    response = as_admin.get("/api/v1/communes/", {"district": "105"})
    assert [c["code"] for c in response.data["results"]] == ["03388", "03408"]


def test_a_facility_opened_today_is_registered_with_only_its_commune(as_admin, own_enterprise):
    response = as_admin.post(
        "/api/v1/facilities/",
        new_facility(enterprise=own_enterprise.pk, commune="03390"),
        format="json",
        HTTP_X_CHANGE_REASON="Cơ sở mới",
    )
    assert response.status_code == 201, response.data
    assert (response.data["district"], response.data["commune"]) == (None, "03390")
    facility = Facility.objects.get(code="BL-2026")
    assert facility.history.get().history_change_reason == "Cơ sở mới"


def test_a_facility_with_neither_district_nor_commune_is_refused(as_admin, own_enterprise):
    response = as_admin.post(
        "/api/v1/facilities/", new_facility(enterprise=own_enterprise.pk), format="json"
    )
    assert response.status_code == 400
    assert "commune" in response.data


def test_a_district_outside_the_communes_former_districts_is_refused(as_admin, own_enterprise):
    response = as_admin.post(
        "/api/v1/facilities/",
        new_facility(enterprise=own_enterprise.pk, commune="03390", district="109"),
        format="json",
    )
    assert response.status_code == 400
    assert "district" in response.data


def test_the_district_filter_uses_the_district_derived_from_the_commune(as_admin):
    FacilityFactory(code="A-106", district_id="106")
    FacilityFactory(code="B-BINHLU", district=None, commune_id="03390")  # 106 only
    FacilityFactory(code="C-TANPHONG", district=None, commune_id="03408")  # 105 and 106
    codes = [f["code"] for f in as_admin.get("/api/v1/facilities/?district=106").data["results"]]
    assert codes == ["A-106", "B-BINHLU"]
    codes = [f["code"] for f in as_admin.get("/api/v1/facilities/?commune=03408").data["results"]]
    assert codes == ["C-TANPHONG"]


def test_it_lists_the_unit_gaps(as_admin):
    FacilityFactory(
        code="OLD-OK",
        district_id="106",
        operating_since=datetime.date(2015, 1, 1),
        closed_on=datetime.date(2020, 1, 1),
    )
    FacilityFactory(code="NO-COMMUNE", district_id="106")  # active since 2015, still open
    FacilityFactory(code="CLOSED-ON-REFORM", district_id="106", closed_on=datetime.date(2025, 7, 1))
    FacilityFactory(
        code="NO-DISTRICT",
        district=None,
        commune_id="03408",
        operating_since=datetime.date(2025, 6, 30),
    )
    FacilityFactory(
        code="NEW-OK",
        district=None,
        commune_id="03408",
        operating_since=datetime.date(2025, 7, 1),
    )

    def codes(gap):
        response = as_admin.get("/api/v1/facilities/", {"unit_gap": gap})
        return [f["code"] for f in response.data["results"]]

    assert codes("missing_commune") == ["NO-COMMUNE"]
    assert codes("missing_district") == ["NO-DISTRICT"]


def test_indicators_give_by_commune_from_1_july_2025_and_scope_by_commune(as_admin):
    FacilityFactory(district=None, commune_id="03390")
    before = as_admin.get("/api/v1/indicators/", {"as_of": "2025-06-30"}).data
    after = as_admin.get("/api/v1/indicators/", {"as_of": "2025-07-01", "commune": "03390"}).data
    assert "by_commune" not in before["indicators"][0]
    assert after["scope"]["commune"] == "03390"
    assert after["indicators"][0]["by_commune"][0]["commune"] == "03390"
    bad = as_admin.get("/api/v1/indicators/", {"commune": "99999"})
    assert bad.status_code == 400


def test_it_filters_certificates_by_kind(as_admin, own_facility):
    CertificateFactory(facility=own_facility, number="GCN-1")
    CertificateFactory(
        facility=own_facility,
        number="DKMT-1",
        kind=CertificateKind.ENVIRONMENTAL_REGISTRATION,
        issued_on=datetime.date(2023, 1, 1),
        valid_until=None,
    )
    response = as_admin.get("/api/v1/certificates/", {"kind": "environmental_registration"})
    assert [(c["number"], c["valid_until"], c["status"]) for c in response.data["results"]] == [
        ("DKMT-1", None, "valid")
    ]


def test_a_permit_issued_in_2021_is_refused_with_the_field(as_admin, own_facility):
    response = as_admin.post(
        "/api/v1/certificates/",
        {
            "facility": own_facility.pk,
            "kind": "environmental_permit",
            "number": "GPMT-1",
            "issuer": "UBND tỉnh Lai Châu",
            "issued_on": "2021-12-31",
            "valid_until": "2031-12-30",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "issued_on" in response.data


def test_an_inspector_of_a_commune_inspects_its_facilities_only(api_client, inspector_binh_lu):
    mine = FacilityFactory(code="BL", district=None, commune_id="03390")
    other = FacilityFactory(code="TL", district=None, commune_id="03405")  # Tả Lèng, also 106
    api_client.force_authenticate(inspector_binh_lu)
    body = {"kind": "periodic", "visited_on": "2026-05-01", "summary": "Kiểm tra"}
    assert (
        api_client.post(
            "/api/v1/inspections/", {**body, "facility": mine.pk}, format="json"
        ).status_code
        == 201
    )
    assert api_client.post(
        "/api/v1/inspections/", {**body, "facility": other.pk}, format="json"
    ).status_code in (400, 403)


def test_an_inspector_of_a_district_keeps_access_to_facilities_placed_by_commune(
    api_client, inspector_tam_duong
):
    derived = FacilityFactory(code="BL", district=None, commune_id="03390")  # → 106
    straddling = FacilityFactory(code="TP", district=None, commune_id="03408")  # 105/106
    api_client.force_authenticate(inspector_tam_duong)
    body = {"kind": "periodic", "visited_on": "2026-05-01", "summary": "Kiểm tra"}
    assert (
        api_client.post(
            "/api/v1/inspections/", {**body, "facility": derived.pk}, format="json"
        ).status_code
        == 201
    )
    assert api_client.post(
        "/api/v1/inspections/", {**body, "facility": straddling.pk}, format="json"
    ).status_code in (400, 403)


def test_create_user_assigns_communes(db, capsys):
    call_command("create_user", "kiemtra-xa", "--role", "inspector", "--communes", "03390,03405")
    profile = get_user_model().objects.get(username="kiemtra-xa").registry_profile
    assert set(profile.communes.values_list("code", flat=True)) == {"03390", "03405"}
    assert "03390" in capsys.readouterr().out
