"""Importing workbooks: what real users send is accepted, all rows or none are written."""

import datetime
import unicodedata
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from compliance.excel.importer import import_workbook
from compliance.excel.template import build_template
from compliance.models import Certificate, CleanTechMeasure
from facilities.models import Enterprise, Facility
from tests.excel.workbooks import (
    convert_with_libreoffice,
    excel_style_workbook,
    headers,
    members,
    needs_soffice,
    workbook,
)
from tests.factories import EnterpriseFactory, FacilityFactory, valid_tax_code

TAX = valid_tax_code(9001)
TAX2 = valid_tax_code(9002)


def full_book(**overrides) -> bytes:
    sheets = {
        "Enterprises": [
            headers("Enterprises"),
            [TAX, "Công ty CP Chè Tam Đường", "Bình Lư", "Lò Văn A", "0213 3876 543", ""],
        ],
        "Facilities": [
            headers("Facilities"),
            [
                "TD-100",
                "Nhà máy chè Bình Lư",
                TAX,
                "production",
                "agro_forestry_processing",
                "106",
                "Bản Bình Lư",
                22.3964,
                103.4821,
                datetime.date(2015, 3, 1),
                None,
            ],
        ],
        "Certificates": [
            headers("Certificates"),
            [
                "GCN-100/STNMT",
                "TD-100",
                "Sở TN&MT Lai Châu",
                datetime.date(2018, 1, 1),
                datetime.date(2022, 12, 31),
                None,
                "",
            ],
        ],
        "Measures": [
            headers("Measures"),
            [
                "TD-100",
                "pollution_control",
                "wastewater",
                datetime.date(2016, 4, 1),
                None,
                "Hệ thống xử lý nước thải",
            ],
        ],
    }
    sheets.update(overrides)
    return workbook(sheets)


def run(data, user, commit=True, name="so-lieu.xlsx"):
    return import_workbook(data=data, file_name=name, user=user, commit=commit)


@pytest.mark.django_db
class TestAcceptedWorkbooks:
    def test_it_creates_every_kind_of_row_with_history_naming_the_user_and_file(self, admin_user):
        report = run(full_book(), admin_user)
        assert report.valid, report.errors
        assert report.committed
        facility = Facility.objects.get(code="TD-100")
        assert facility.enterprise.tax_code == TAX
        assert facility.latitude == Decimal("22.396400")
        assert facility.operating_since == datetime.date(2015, 3, 1)
        assert Certificate.objects.get(number="GCN-100/STNMT").facility == facility
        assert CleanTechMeasure.objects.get(facility=facility).category == "wastewater"
        for model in (Enterprise, Facility, Certificate, CleanTechMeasure):
            record = model.history.get()
            assert record.history_user == admin_user
            assert record.history_change_reason == "import: so-lieu.xlsx"
        assert report.to_dict()["created"] == {
            "Enterprises": 1,
            "Facilities": 1,
            "Certificates": 1,
            "Measures": 1,
        }

    def test_a_dry_run_lists_what_would_be_created_and_writes_nothing(self, admin_user):
        report = run(full_book(), admin_user, commit=False)
        assert report.valid and not report.committed
        assert [(r.sheet, r.action, r.key) for r in report.rows] == [
            ("Enterprises", "create", TAX),
            ("Facilities", "create", "TD-100"),
            ("Certificates", "create", "GCN-100/STNMT"),
            ("Measures", "create", "TD-100 / pollution_control / wastewater / 01/04/2016"),
        ]
        assert not Enterprise.objects.exists() and not Facility.objects.exists()

    def test_importing_the_same_file_twice_changes_nothing_the_second_time(self, admin_user):
        run(full_book(), admin_user)
        history_before = Facility.history.count() + Enterprise.history.count()
        report = run(full_book(), admin_user)
        assert report.valid and report.rows == []
        assert report.to_dict()["unchanged"] == {
            "Enterprises": 1,
            "Facilities": 1,
            "Certificates": 1,
            "Measures": 1,
        }
        assert Facility.history.count() + Enterprise.history.count() == history_before

    def test_it_shows_each_changed_field_with_old_and_new_values(self, admin_user):
        run(full_book(), admin_user)
        changed = full_book()
        rows = [
            headers("Facilities"),
            [
                "TD-100",
                "Nhà máy chè Bình Lư (mở rộng)",
                TAX,
                "both",
                "agro_forestry_processing",
                "106",
                "Bản Bình Lư",
                22.3964,
                103.4821,
                datetime.date(2015, 3, 1),
                None,
            ],
        ]
        changed = full_book(Facilities=rows)
        report = run(changed, admin_user, commit=False)
        [row] = report.rows
        assert row.action == "change" and row.key == "TD-100"
        assert row.changes == [
            {
                "field": "name",
                "old": "Nhà máy chè Bình Lư",
                "new": "Nhà máy chè Bình Lư (mở rộng)",
            },
            {"field": "activity", "old": "production", "new": "both"},
        ]
        run(changed, admin_user)
        facility = Facility.objects.get(code="TD-100")
        assert facility.activity == "both"
        assert facility.history.first().history_change_reason == "import: so-lieu.xlsx"

    def test_a_column_missing_from_the_sheet_keeps_the_registry_value(self, admin_user):
        facility = FacilityFactory(code="TD-200", address="Bản Cũ")
        book = workbook(
            {
                "Facilities": [
                    ["code", "name", "enterprise_tax_code", "activity", "sector", "district"],
                    [
                        "TD-200",
                        "Tên mới",
                        facility.enterprise.tax_code,
                        "production",
                        "manufacturing",
                        "106",
                    ],
                ]
            }
        )
        assert run(book, admin_user).valid
        facility.refresh_from_db()
        assert (facility.name, facility.address) == ("Tên mới", "Bản Cũ")

    @pytest.mark.parametrize("style", ["template", "bare", "vi", "en"])
    def test_it_reads_headers_in_either_language_or_bare_field_names(self, admin_user, style):
        book = workbook(
            {"Enterprises": [headers("Enterprises", style), [TAX, "Công ty A", "", "", "", ""]]}
        )
        report = run(book, admin_user)
        assert report.valid, report.errors
        assert Enterprise.objects.get(tax_code=TAX).name == "Công ty A"

    def test_it_accepts_what_people_type_into_spreadsheets(self, admin_user):
        """Columns in any order, dd/mm/yyyy text, numbers as text, trailing spaces, NFD
        Vietnamese, empty rows, names instead of codes, a tax code typed as a number."""
        nfd_name = unicodedata.normalize("NFD", "Cơ sở đá Phong Thổ")
        enterprise = EnterpriseFactory(tax_code="0100109106")
        book = workbook(
            {
                "Facilities": [
                    [
                        "Huyện / Thành phố",
                        "closed_on",
                        "operating_since",
                        "Tên cơ sở / Name (name)",
                        "code",
                        "longitude",
                        "latitude",
                        "sector",
                        "activity",
                        "enterprise_tax_code",
                    ],
                    [None] * 10,
                    [
                        "Phong Thổ",
                        "31/12/2020",
                        "01/02/2015 ",
                        nfd_name + "   ",
                        "  PT-300 ",
                        "103,35",
                        "22.6",
                        "Khai khoáng" if False else "mining",
                        "Sản xuất",
                        100109106,
                    ],
                    ["", "", "", "", "", "", "", "", "", ""],
                    [
                        "105 – Thành phố Lai Châu",
                        None,
                        42005,
                        "Cửa hàng",
                        "LC-301",
                        None,
                        None,
                        "trade_services – Thương mại, dịch vụ",
                        "business – Kinh doanh",
                        "0100109106",
                    ],
                ]
            }
        )
        report = run(book, admin_user)
        assert report.valid, [e.to_dict() for e in report.errors]
        quarry = Facility.objects.get(code="PT-300")
        assert quarry.name == "Cơ sở đá Phong Thổ"
        assert quarry.name == unicodedata.normalize("NFC", quarry.name)
        assert quarry.district_id == "109"
        assert quarry.operating_since == datetime.date(2015, 2, 1)
        assert quarry.closed_on == datetime.date(2020, 12, 31)
        assert (quarry.latitude, quarry.longitude) == (Decimal("22.6"), Decimal("103.35"))
        assert quarry.enterprise == enterprise
        shop = Facility.objects.get(code="LC-301")
        assert (shop.district_id, shop.activity, shop.sector_id) == (
            "105",
            "business",
            "trade_services",
        )
        assert shop.operating_since == datetime.date(2015, 1, 1)  # serial 42005

    def test_it_reads_excel_shared_strings_inline_strings_date_serials_and_text_numbers(
        self, admin_user
    ):
        """Real Excel output is not available offline; this file reproduces its quirks
        by hand: shared-string headers, an inline string, a date-styled serial, a
        bare serial, and coordinates stored as text."""
        EnterpriseFactory(tax_code=TAX)
        strings = [
            "code",
            "name",
            "enterprise_tax_code",
            "activity",
            "sector",
            "district",
            "latitude",
            "longitude",
            "operating_since",
            "closed_on",
            unicodedata.normalize("NFD", "Xưởng gỗ Tân Uyên "),
            TAX,
            "22.0113",
        ]
        header = "".join(
            f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate("ABCDEFGHIJ")
        )
        row = (
            '<c r="A2" t="inlineStr"><is><t>TU-1</t></is></c>'
            '<c r="B2" t="s"><v>10</v></c>'
            '<c r="C2" t="s"><v>11</v></c>'
            '<c r="D2" t="inlineStr"><is><t>production</t></is></c>'
            '<c r="E2" t="inlineStr"><is><t>agro_forestry_processing</t></is></c>'
            '<c r="F2"><v>111</v></c>'
            '<c r="G2" t="s"><v>12</v></c>'
            '<c r="H2" t="str"><v>103.7</v></c>'
            '<c r="I2" s="1"><v>42430</v></c>'
            '<c r="J2"><v>44196</v></c>'
        )
        book = excel_style_workbook(f'<row r="1">{header}</row><row r="2">{row}</row>', strings)
        report = run(book, admin_user)
        assert report.valid, [e.to_dict() for e in report.errors]
        shop = Facility.objects.get(code="TU-1")
        assert shop.name == "Xưởng gỗ Tân Uyên"
        assert shop.district_id == "111"
        assert shop.latitude == Decimal("22.0113")
        assert shop.operating_since == datetime.date(2016, 3, 1)
        assert shop.closed_on == datetime.date(2020, 12, 31)

    @needs_soffice
    @pytest.mark.slow
    def test_it_reads_a_workbook_saved_by_libreoffice(self, admin_user, tmp_path):
        saved = convert_with_libreoffice(full_book(), tmp_path, "xlsx").read_bytes()
        assert b"LibreOffice" in members(saved)["docProps/app.xml"]
        report = run(saved, admin_user, name="ban-luu-libreoffice.xlsx")
        assert report.valid, [e.to_dict() for e in report.errors]
        facility = Facility.objects.get(code="TD-100")
        assert facility.operating_since == datetime.date(2015, 3, 1)
        assert Certificate.objects.get(number="GCN-100/STNMT").valid_until == datetime.date(
            2022, 12, 31
        )

    def test_the_template_imports_once_its_example_rows_are_replaced(self, admin_user):
        wb = load_workbook(__import__("io").BytesIO(build_template()))
        ws = wb["Enterprises"]
        ws["A2"] = TAX2
        for name in ("Facilities", "Certificates", "Measures"):
            wb[name].delete_rows(2)
        out = __import__("io").BytesIO()
        wb.save(out)
        report = run(out.getvalue(), admin_user)
        assert report.valid, [e.to_dict() for e in report.errors]
        assert Enterprise.objects.get(tax_code=TAX2).name.startswith("VÍ DỤ")


@pytest.mark.django_db
class TestRejectedRows:
    def test_it_lists_every_rejected_cell_and_writes_nothing(self, admin_user):
        FacilityFactory(code="EXIST-1")
        facilities = [
            headers("Facilities"),
            # row 2: valid, must not be written because other rows fail
            ["OK-1", "Tốt", TAX, "production", "mining", "106", "", None, None, None, None],
            # row 3: unknown district, unknown sector, wrong activity
            ["BAD-3", "X", TAX, "xay dung", "vu tru", "999", "", None, None, None, None],
            # row 4: closed before it opened
            [
                "BAD-4",
                "X",
                TAX,
                "business",
                "mining",
                "106",
                "",
                None,
                None,
                "01/01/2020",
                "01/01/2019",
            ],
            # row 5: duplicate of row 2
            ["OK-1", "Lặp", TAX, "production", "mining", "106", "", None, None, None, None],
            # row 6: a formula where a value is expected
            ["BAD-6", '=A2&"x"', TAX, "production", "mining", "106", "", None, None, None, None],
            # row 7: enterprise not in the registry or the file
            ["BAD-7", "X", TAX2, "production", "mining", "106", "", None, None, None, None],
            # row 8: latitude outside Vietnam
            ["BAD-8", "X", TAX, "production", "mining", "106", "", 45, 105, None, None],
            # row 9: a date that is not a date
            ["BAD-9", "X", TAX, "production", "mining", "106", "", None, None, "31/02/2020", None],
        ]
        book = full_book(
            Enterprises=[
                headers("Enterprises"),
                [TAX, "Công ty A", "", "", "", ""],
                ["0123456788", "Sai mã", "", "", "", ""],  # row 3: bad check digit
                [TAX, "Công ty A lặp", "", "", "", ""],  # row 4: duplicate
            ],
            Facilities=facilities,
            Certificates=[
                headers("Certificates"),
                [
                    "GCN-9",
                    "OK-1",
                    "Sở",
                    datetime.date(2020, 1, 1),
                    datetime.date(2019, 1, 1),
                    None,
                    "",
                ],
            ],
            Measures=[headers("Measures")],
        )
        report = run(book, admin_user)
        assert not report.valid and not report.committed
        found = {(e.sheet, e.row, e.column, e.field) for e in report.errors}
        assert found == {
            ("Enterprises", 3, "A", "tax_code"),
            ("Enterprises", 4, "A", "tax_code"),
            ("Facilities", 3, "D", "activity"),
            ("Facilities", 3, "E", "sector"),
            ("Facilities", 3, "F", "district"),
            ("Facilities", 4, "K", "closed_on"),
            ("Facilities", 5, "A", "code"),
            ("Facilities", 6, "B", "name"),
            ("Facilities", 7, "C", "enterprise_tax_code"),
            ("Facilities", 9, "J", "operating_since"),
            ("Facilities", 8, "H", "latitude"),
            ("Certificates", 2, "E", "valid_until"),
        }
        messages = {(e.sheet, e.row, e.field): e.message for e in report.errors}
        assert "sai chữ số kiểm tra" in messages[("Enterprises", 3, "tax_code")]
        assert "Trùng với dòng 2" in messages[("Facilities", 5, "code")]
        assert "công thức" in messages[("Facilities", 6, "name")]
        assert "999" in messages[("Facilities", 3, "district")]
        assert "dd/mm/yyyy" in messages[("Facilities", 9, "operating_since")]
        assert "sau ngày đi vào hoạt động" in messages[("Facilities", 4, "closed_on")]
        assert not Enterprise.objects.filter(tax_code=TAX).exists()
        assert not Facility.objects.filter(code="OK-1").exists()

    def test_a_missing_required_column_is_reported_on_the_header_row(self, admin_user):
        book = workbook({"Enterprises": [["tax_code"], [TAX]]})
        report = run(book, admin_user, commit=False)
        assert [(e.sheet, e.row, e.field) for e in report.errors] == [("Enterprises", 1, "name")]

    def test_the_example_row_of_the_template_is_refused(self, admin_user):
        report = run(build_template(), admin_user)
        assert {e.sheet for e in report.errors} == {
            "Enterprises",
            "Facilities",
            "Certificates",
            "Measures",
        }
        assert all("ví dụ" in e.message for e in report.errors)
        assert not Enterprise.objects.exists()

    def test_messages_follow_the_users_language(self, admin_user):
        from django.utils import translation

        book = workbook({"Enterprises": [headers("Enterprises"), ["123", "A", "", "", "", ""]]})
        with translation.override("vi"):
            report = run(book, admin_user, commit=False)
        assert "Mã số thuế" in report.errors[0].message
