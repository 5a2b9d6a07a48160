"""Annual reports for 2025 onward are by commune with former-district subtotals; earlier
years stay by district; the workbook names the department in force on its date."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from openpyxl import load_workbook

from facilities.history import change_context
from tests.factories import FacilityFactory, InspectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(
        datetime.datetime(2026, 3, 1, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")), tick=False
    ):
        yield


@pytest.fixture
def places(admin_user):
    with change_context(user=admin_user, reason="test"):
        # Tam Đường (106) recorded, in Bình Lư; Bình Lư again, district derived (106);
        # Tân Phong with no district (straddles 105 and 106); one with no commune.
        a = FacilityFactory(code="A", district_id="106", commune_id="03390")
        InspectionFactory(facility=a, visited_on=datetime.date(2025, 6, 1))
        FacilityFactory(code="B", district=None, commune_id="03390")
        FacilityFactory(code="C", district=None, commune_id="03408")
        FacilityFactory(code="D", district_id="109")


def workbook(api_client, user, year):
    api_client.force_authenticate(user)
    response = api_client.get(f"/api/v1/indicators/report.xlsx?year={year}")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_the_2025_workbook_is_by_commune_with_former_district_subtotals(
    api_client, auditor, places
):
    wb = workbook(api_client, auditor, 2025)
    assert "Theo huyện" not in wb.sheetnames
    rows = [
        [c.value for c in row][1:7]
        for row in wb["Theo xã, phường"].iter_rows(min_row=4)
        if row[0].value == "establishments_meeting_standards"
    ]
    assert [(r[0], r[1].strip(), r[4], r[5]) for r in rows] == [
        ("106", "Huyện cũ: Tam Đường", 1, 2),
        ("03390", "Xã Bình Lư", 1, 2),
        ("109", "Huyện cũ: Phong Thổ", 0, 1),
        (None, "Chưa xác định địa bàn", 0, 1),
        (None, "Huyện cũ: Chưa xác định địa bàn", 0, 1),
        ("03408", "Phường Tân Phong", 0, 1),
    ]
    assert "Sở Nông nghiệp và Môi trường tỉnh Lai Châu" in wb["Tổng hợp"]["A2"].value


def test_the_2024_workbook_stays_by_district_with_the_former_department_name(
    api_client, auditor, places
):
    wb = workbook(api_client, auditor, 2024)
    assert "Theo huyện" in wb.sheetnames and "Theo xã, phường" not in wb.sheetnames
    assert "Sở Tài nguyên và Môi trường tỉnh Lai Châu" in wb["Tổng hợp"]["A2"].value


def test_the_report_page_of_2025_is_by_commune_and_2024_by_district(client, auditor, places):
    client.force_login(auditor)
    page_2025 = client.get("/reports/2025/").content.decode()
    assert 'data-commune="03390"' in page_2025
    assert "Huyện cũ: Tam Đường" in page_2025
    page_2024 = client.get("/reports/2024/").content.decode()
    assert 'data-commune="' not in page_2024
    assert 'data-district="106"' in page_2024
