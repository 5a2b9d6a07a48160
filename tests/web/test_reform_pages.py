"""The 2025 reform on the pages: communes on the dashboard, the break in the series,
the data gaps, a facility registered with only its commune, certificate kinds."""

import datetime

import pytest
import time_machine

from compliance.choices import CertificateKind
from facilities.models import DepartmentName, Facility
from tests.factories import CertificateFactory, EnterpriseFactory, FacilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0), tick=False):
        yield


def test_the_dashboard_shows_communes_and_former_districts_after_the_reform(client, auditor):
    FacilityFactory(district=None, commune_id="03408")  # Tân Phong: no district derivable
    client.force_login(auditor)
    after = client.get("/dashboard/?as_of=01/07/2025").content.decode()
    assert 'id="by-commune-establishments_meeting_standards"' in after
    assert "Phường Tân Phong" in after
    assert "Theo huyện cũ (trước 01/07/2025)" in after
    assert "Chưa xác định địa bàn" in after  # the former-district row with no unit
    before = client.get("/dashboard/?as_of=30/06/2025").content.decode()
    assert 'id="by-commune-' not in before


def test_the_series_chart_marks_the_break_on_1_july_2025(client, auditor):
    client.force_login(auditor)
    page = client.get("/dashboard/").content.decode()
    assert 'class="break"' in page
    assert 'data-break="2025-07-01"' in page


def test_the_dashboard_counts_the_unit_gaps_and_links_to_them(client, admin_user):
    FacilityFactory(code="NO-COMMUNE", district_id="106")
    client.force_login(admin_user)
    page = client.get("/dashboard/")
    gaps = {g["gap"]: g["count"] for g in page.context["unit_gaps"]}
    assert gaps == {"missing_district": 0, "missing_commune": 1}
    listed = client.get("/facilities/?unit_gap=missing_commune").content.decode()
    assert "NO-COMMUNE" in listed


def test_an_administrator_registers_a_facility_with_only_its_commune(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    enterprise = EnterpriseFactory()
    client.force_login(admin_user)
    response = client.post(
        "/admin/facilities/facility/add/",
        {
            "code": "PT-2026",
            "name": "Xưởng mới Phong Thổ",
            "enterprise": enterprise.pk,
            "activity": "production",
            "sector": "manufacturing",
            "commune": "03549",
            "operating_since": "2026-03-01",
            "change_reason": "Đăng ký cơ sở mới",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    facility = Facility.objects.get(code="PT-2026")
    assert (facility.district_id, facility.commune_id) == (None, "03549")
    page = client.get(f"/facilities/{facility.pk}/").content.decode()
    assert "Xã Phong Thổ" in page
    assert "suy ra từ xã / phường" in page  # district 109 derived from the commune


def test_the_facility_page_shows_each_kind_and_a_registration_without_term(client, admin_user):
    facility = FacilityFactory()
    CertificateFactory(
        facility=facility,
        kind=CertificateKind.ENVIRONMENTAL_REGISTRATION,
        issued_on=datetime.date(2024, 2, 1),
        valid_until=None,
    )
    client.force_login(admin_user)
    page = client.get(f"/facilities/{facility.pk}/").content.decode()
    assert "Đăng ký môi trường" in page
    assert "Không thời hạn" in page


def test_the_portal_warns_of_an_expiring_permit_but_never_of_a_registration(
    client, business_owner, own_enterprise
):
    permit_holder = FacilityFactory(enterprise=own_enterprise, code="GP")
    registered = FacilityFactory(enterprise=own_enterprise, code="DK")
    CertificateFactory(
        facility=permit_holder,
        kind=CertificateKind.ENVIRONMENTAL_PERMIT,
        issued_on=datetime.date(2022, 7, 1),
        valid_until=datetime.date(2026, 7, 1),  # 30 days after "today"
    )
    CertificateFactory(
        facility=registered,
        kind=CertificateKind.ENVIRONMENTAL_REGISTRATION,
        issued_on=datetime.date(2022, 7, 1),
        valid_until=None,
    )
    client.force_login(business_owner)
    page = client.get("/portal/").content.decode()
    assert 'data-expiry-warning="GP"' in page
    assert 'data-expiry-warning="DK"' not in page
    assert "Không thời hạn" in page


def test_the_header_names_the_department_in_force_and_follows_a_correction(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/dashboard/").content.decode()
    assert "Sở Nông nghiệp và Môi trường tỉnh Lai Châu" in page
    with time_machine.travel(datetime.datetime(2025, 2, 28, 9, 0), tick=False):
        assert (
            "Sở Tài nguyên và Môi trường tỉnh Lai Châu"
            in client.get("/dashboard/").content.decode()
        )
    DepartmentName.objects.filter(effective_from=datetime.date(2025, 3, 1)).update(
        name_vi="Sở Nông nghiệp và Môi trường Lai Châu"
    )
    assert "Sở Nông nghiệp và Môi trường Lai Châu<" in client.get("/dashboard/").content.decode()


def test_an_administrator_corrects_a_department_name_with_history(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    name = DepartmentName.objects.get(effective_from=datetime.date(2025, 3, 1))
    response = client.post(
        f"/admin/facilities/departmentname/{name.pk}/change/",
        {
            "effective_from": "2025-03-01",
            "name_vi": "Sở Nông nghiệp và Môi trường tỉnh Lai Châu",
            "name_en": "Lai Chau Department of Agriculture and Environment",
            "change_reason": "Sửa tên tiếng Anh",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = name.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (admin_user, "Sửa tên tiếng Anh")


def test_a_registry_administrator_without_superuser_rights_edits_department_names(
    client, admin_user
):
    assert not admin_user.is_superuser
    client.force_login(admin_user)
    name = DepartmentName.objects.get(effective_from=datetime.date(2025, 3, 1))
    assert client.get(f"/admin/facilities/departmentname/{name.pk}/change/").status_code == 200
    assert client.get("/admin/facilities/commune/03390/change/").status_code == 200
