"""Importing and exporting communes and certificate kinds; files made before the reform
(without those columns) import as before."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from compliance.excel.template import build_template
from compliance.models import Certificate
from facilities.models import Facility
from tests.excel.test_import import TAX, full_book, run
from tests.excel.workbooks import headers, workbook
from tests.factories import EnterpriseFactory, FacilityFactory

pytestmark = pytest.mark.django_db

OLD_FACILITY_HEADERS = [h for h in headers("Facilities") if not h.endswith("(commune)")]
OLD_CERTIFICATE_HEADERS = [h for h in headers("Certificates") if not h.endswith("(kind)")]


def facility_row(code, district, commune=None, since=datetime.date(2026, 2, 1)):
    row = [code, "Xưởng mới", TAX, "business", "trade_services", district, "", None, None, since]
    return [*row, None, commune]


def test_a_facility_opened_today_imports_with_only_its_commune(admin_user):
    book = full_book(
        Facilities=[headers("Facilities"), facility_row("BL-1", None, "03390 – Xã Bình Lư")],
        Certificates=[headers("Certificates")],
        Measures=[headers("Measures")],
    )
    report = run(book, admin_user)
    assert report.valid, report.errors
    facility = Facility.objects.get(code="BL-1")
    assert (facility.district_id, facility.commune_id) == (None, "03390")


def test_a_commune_is_found_by_its_name(admin_user):
    book = full_book(
        Facilities=[headers("Facilities"), facility_row("PT-1", None, "Xã Phong Thổ")],
        Certificates=[headers("Certificates")],
        Measures=[headers("Measures")],
    )
    assert run(book, admin_user).valid
    assert Facility.objects.get(code="PT-1").commune_id == "03549"


def test_an_unknown_commune_or_a_row_with_no_unit_is_refused_on_its_row(admin_user):
    book = full_book(
        Facilities=[
            headers("Facilities"),
            facility_row("X-1", None, "Xã Không Có"),
            facility_row("X-2", None, None),
        ],
        Certificates=[headers("Certificates")],
        Measures=[headers("Measures")],
    )
    report = run(book, admin_user)
    assert not report.valid
    assert {(e.row, e.field) for e in report.errors} >= {(2, "commune"), (3, "commune")}
    assert not Facility.objects.filter(code__in=["X-1", "X-2"]).exists()


def test_a_file_without_the_new_columns_imports_as_before_and_keeps_the_commune(admin_user):
    enterprise = EnterpriseFactory(tax_code=TAX)
    FacilityFactory(code="TD-100", enterprise=enterprise, district_id="106", commune_id="03390")
    old_row = [
        "TD-100",
        "Nhà máy chè Bình Lư",
        TAX,
        "production",
        "agro_forestry_processing",
        "106",
        "Bản Bình Lư",
        None,
        None,
        datetime.date(2015, 3, 1),
        None,
    ]
    cert = ["GCN-1", "TD-100", "Sở TN&MT", datetime.date(2018, 1, 1), datetime.date(2022, 12, 31)]
    report = run(
        workbook(
            {
                "Facilities": [OLD_FACILITY_HEADERS, old_row],
                "Certificates": [OLD_CERTIFICATE_HEADERS, [*cert, None, ""]],
            }
        ),
        admin_user,
    )
    assert report.valid, report.errors
    assert Facility.objects.get(code="TD-100").commune_id == "03390"
    assert Certificate.objects.get(number="GCN-1").kind == "standards_certificate"


def test_a_registration_imports_without_valid_until_and_a_2021_permit_is_refused(admin_user):
    reg = ["DK-1", "TD-100", "UBND xã Bình Lư", datetime.date(2023, 3, 1), None, None, ""]
    permit = ["GP-1", "TD-100", "UBND tỉnh", datetime.date(2021, 12, 31), datetime.date(2031, 1, 1)]
    book = full_book(
        Certificates=[
            headers("Certificates"),
            [*reg, "environmental_registration"],
            [*permit, None, "", "environmental_permit"],
        ],
        Measures=[headers("Measures")],
    )
    report = run(book, admin_user)
    assert [(e.row, e.field) for e in report.errors] == [(3, "issued_on")]
    report = run(
        full_book(
            Certificates=[headers("Certificates"), [*reg, "environmental_registration"]],
            Measures=[headers("Measures")],
        ),
        admin_user,
    )
    assert report.valid, report.errors
    registration = Certificate.objects.get(number="DK-1")
    assert (registration.kind, registration.valid_until) == ("environmental_registration", None)


def test_the_template_offers_communes_and_kinds():
    wb = load_workbook(io.BytesIO(build_template()))
    assert "Xã / Phường (từ 01/07/2025) / Commune (from 2025-07-01) (commune)" in [
        c.value for c in wb["Facilities"][1]
    ]
    assert "Loại giấy / Kind (kind)" in [c.value for c in wb["Certificates"][1]]
    lists = [c.value for col in wb["Lists"].iter_cols() for c in col if c.value]
    assert "03408 – Phường Tân Phong" in lists
    assert any(str(v).startswith("environmental_registration – ") for v in lists)


def test_the_export_lists_the_unit_gaps_with_the_commune_column_and_the_department(
    api_client, auditor
):
    FacilityFactory(code="GAP", district_id="106")  # active since 2015, no commune
    FacilityFactory(code="OK", district_id="106", commune_id="03390")
    api_client.force_authenticate(auditor)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0), tick=False):
        response = api_client.get("/api/v1/facilities/export.xlsx?unit_gap=missing_commune")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [tuple(c.value for c in row) for row in wb["Facilities"].iter_rows()]
    commune = rows[0].index(next(h for h in rows[0] if h.endswith("(commune)")))
    assert [(r[0], r[commune]) for r in rows[1:]] == [("GAP", None)]
    info = [row[0].value for row in wb["Thông tin"].iter_rows()]
    assert info[0] == "Sở Nông nghiệp và Môi trường tỉnh Lai Châu"
