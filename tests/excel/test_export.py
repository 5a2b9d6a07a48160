"""Exports: scoped and filtered like the lists, streamed, and nothing becomes a formula."""

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from openpyxl import load_workbook

from compliance.excel.export import (
    EXCEL_CELL_LIMIT,
    EXCEL_MAX_ROWS,
    SheetFull,
    SheetWriter,
    close_workbook,
    csv_safe,
    new_workbook,
    safe_text,
)
from compliance.excel.importer import import_workbook
from facilities.history import change_context
from facilities.models import District
from tests.excel.workbooks import convert_with_libreoffice, members, needs_soffice
from tests.factories import FacilityFactory, FindingFactory, InspectionFactory

HOSTILE = [
    '=HYPERLINK("http://example.com","x")',
    "+84 213 3876 543",
    "-5",
    "@SUM(A1)",
    "#N/A",
]


def sheet_rows(content: bytes, title: str) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(c.value for c in row) for row in wb[title].iter_rows()]


def cells(content: bytes, title: str):
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in wb[title].iter_rows()]


@pytest.fixture(autouse=False)
def frozen_day():
    with time_machine.travel(
        datetime.datetime(2021, 6, 1, 10, tzinfo=zoneinfo.ZoneInfo("UTC")), tick=False
    ):
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_day")
class TestFacilityExport:
    def test_it_exports_what_the_user_sees_with_the_lists_filters(
        self, api_client, business_owner, own_facility, competitor_facility
    ):
        api_client.force_authenticate(business_owner)
        response = api_client.get("/api/v1/facilities/export.xlsx")
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        codes = [row[0] for row in sheet_rows(content, "Facilities")[1:]]
        assert codes == ["TD-001"]

    def test_filters_narrow_the_export_as_they_narrow_the_list(
        self, api_client, auditor, own_facility, competitor_facility
    ):
        api_client.force_authenticate(auditor)
        response = api_client.get("/api/v1/facilities/export.xlsx?district=109")
        content = b"".join(response.streaming_content)
        rows = sheet_rows(content, "Facilities")
        assert [r[0] for r in rows[1:]] == ["PT-001"]
        header = rows[0]
        assert header[0].endswith("(code)")
        status_column = header.index(next(h for h in header if h.endswith("(compliance_status)")))
        assert rows[1][status_column] == "not_assessed"

    def test_an_invalid_filter_is_a_400(self, api_client, auditor):
        api_client.force_authenticate(auditor)
        response = api_client.get("/api/v1/facilities/export.xlsx?district=999")
        assert response.status_code == 400 and "district" in response.json()

    def test_hostile_text_stays_text_and_reimports_unchanged(self, api_client, admin_user):
        with change_context(reason="test"):
            for i, text in enumerate(HOSTILE):
                FacilityFactory(code=f"H-{i}", name=text, address=text)
        api_client.force_authenticate(admin_user)
        content = b"".join(api_client.get("/api/v1/facilities/export.xlsx").streaming_content)
        sheet_xml = members(content)["xl/worksheets/sheet1.xml"]
        assert b"<f>" not in sheet_xml and b't="e"' not in sheet_xml
        rows = cells(content, "Facilities")[1:]
        assert [r[1].value for r in rows] == HOSTILE
        assert {r[1].data_type for r in rows} == {"s"}
        # The export's first columns are the import's: re-importing changes nothing.
        report = import_workbook(data=content, file_name="x.xlsx", user=admin_user, commit=True)
        assert report.valid, report.errors
        assert report.rows == []

    def test_csv_output_neutralises_formula_starts(self, api_client, admin_user):
        with change_context(reason="test"):
            for i, text in enumerate(HOSTILE):
                FacilityFactory(code=f"H-{i}", name=text)
        api_client.force_authenticate(admin_user)
        response = api_client.get("/api/v1/facilities/export.csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        names = [row[1] for row in csv.reader(io.StringIO(text))][1:]
        assert all(n.startswith("'") for n in names if n[:1] in "=+-@\t\r'")
        assert "'=HYPERLINK" in names[0]
        assert "'#N/A" not in names  # not a formula start: left alone

    def test_a_background_export_produces_a_downloadable_file(self, api_client, auditor):
        FacilityFactory(code="BG-1")
        api_client.force_authenticate(auditor)
        job = api_client.get("/api/v1/facilities/export.xlsx?background=true").json()
        status = api_client.get(job["url"]).json()
        assert status["status"] == "done" and status["result"] == {"rows": 1}
        download = api_client.get(status["download"])
        content = b"".join(download.streaming_content)
        assert [r[0] for r in sheet_rows(content, "Facilities")[1:]] == ["BG-1"]


@pytest.mark.django_db
class TestTextThatOpenpyxlRefuses:
    def test_control_characters_become_visible_markers(self):
        assert safe_text("Bể\x07lắng\x00") == "Bể<U+0007>lắng<U+0000>"

    def test_text_over_the_cell_limit_is_cut_with_a_marker(self):
        value = safe_text("a" * 40_000)
        assert len(value) == EXCEL_CELL_LIMIT
        assert "40.000" in value and "cắt" in value

    def test_timezone_aware_datetimes_are_written_in_vietnam_time(self, tmp_path):
        with (tmp_path / "t.xlsx").open("w+b") as target:
            wb, target = new_workbook(target)
            sheet = SheetWriter(wb, "T", ["at"], [10])
            aware = datetime.datetime(2021, 1, 1, 17, 30, tzinfo=datetime.UTC)
            sheet.append([aware, "#N/A", "=1+1", "x\x1fy", "z" * 33_000])
            close_workbook(wb, target)
        [header, row] = cells((tmp_path / "t.xlsx").read_bytes(), "T")
        assert row[0].value == datetime.datetime(2021, 1, 2, 0, 30)
        assert [c.value for c in row[1:4]] == ["#N/A", "=1+1", "x<U+001F>y"]
        assert len(row[4].value) == EXCEL_CELL_LIMIT

    def test_rows_beyond_the_sheet_are_refused_not_dropped(self, tmp_path):
        with (tmp_path / "t.xlsx").open("w+b") as target:
            wb, target = new_workbook(target)
            sheet = SheetWriter(wb, "T", ["n"], [10])
            assert sheet.max_rows == EXCEL_MAX_ROWS == 2**20
            sheet.max_rows = 3  # header + 2 rows, to keep the test small
            sheet.append([1])
            sheet.append([2])
            with pytest.raises(SheetFull, match="3"):
                sheet.append([3])
            close_workbook(wb, target)
        assert [r[0].value for r in cells((tmp_path / "t.xlsx").read_bytes(), "T")] == [
            "n",
            1,
            2,
        ]

    def test_csv_safe_leaves_numbers_alone_and_neutralises_tab_and_cr(self):
        assert csv_safe("\tx") == "'\tx" and csv_safe("\rx") == "'\rx"
        assert csv_safe(-5) == "-5"
        assert csv_safe("-5") == "'-5"
        assert csv_safe(datetime.date(2020, 12, 31)) == "31/12/2020"


@pytest.mark.django_db
class TestInspectionAndHistoryExports:
    def test_inspections_and_findings_follow_the_business_users_scope(
        self, api_client, business_owner, own_facility, competitor_facility
    ):
        with change_context(reason="test"):
            mine = InspectionFactory(facility=own_facility)
            FindingFactory(inspection=mine, description="=cmd|' /C calc'!A0")
            InspectionFactory(facility=own_facility, status="draft", outcome="")
            FindingFactory(inspection=InspectionFactory(facility=competitor_facility))
        api_client.force_authenticate(business_owner)
        response = api_client.get("/api/v1/inspections/export.xlsx")
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        assert [r[0] for r in sheet_rows(content, "Inspections")[1:]] == [mine.pk]
        findings = sheet_rows(content, "Findings")[1:]
        assert [r[6] for r in findings] == ["=cmd|' /C calc'!A0"]

    def test_inspection_filters_apply(self, api_client, auditor, own_facility, competitor_facility):
        with change_context(reason="test"):
            InspectionFactory(facility=own_facility)
            other = InspectionFactory(facility=competitor_facility)
        api_client.force_authenticate(auditor)
        content = b"".join(
            api_client.get("/api/v1/inspections/export.xlsx?district=109").streaming_content
        )
        assert [r[0] for r in sheet_rows(content, "Inspections")[1:]] == [other.pk]

    def test_auditors_export_the_history_with_each_change(self, api_client, auditor, admin_user):
        with change_context(user=admin_user, reason="tạo"):
            facility = FacilityFactory(code="HX-1", name="Cũ")
        with change_context(user=admin_user, reason="đổi tên"):
            facility.name = "Mới"
            facility.save()
        api_client.force_authenticate(auditor)
        response = api_client.get("/api/v1/history/export.xlsx?model=facility")
        assert response.status_code == 200
        rows = sheet_rows(b"".join(response.streaming_content), "History")[1:]
        assert [(r[0], r[2], r[4], r[5]) for r in rows] == [
            ("facility", "created", "quantri", "tạo"),
            ("facility", "changed", "quantri", "đổi tên"),
        ]
        assert rows[1][6:9] == ("name", "Cũ", "Mới")
        # then the object and the values as the pages show them
        assert rows[1][9].startswith("HX-1 — Mới")
        assert rows[1][10:] == ("Cũ", "Mới")

    @pytest.mark.parametrize("persona", ["inspector_tam_duong", "business_owner"])
    def test_other_roles_may_not_export_the_history(self, api_client, request, persona):
        api_client.force_authenticate(request.getfixturevalue(persona))
        assert api_client.get("/api/v1/history/export.xlsx").status_code == 403


@needs_soffice
@pytest.mark.slow
@pytest.mark.django_db
def test_exports_and_the_template_open_in_libreoffice(api_client, admin_user, tmp_path):
    from compliance.excel.template import build_template

    with change_context(reason="test"):
        FacilityFactory(code="LO-1", name="=1+1", district=District.objects.get(code="112"))
    api_client.force_authenticate(admin_user)
    export = b"".join(api_client.get("/api/v1/facilities/export.xlsx").streaming_content)
    for data in (export, build_template()):
        pdf = convert_with_libreoffice(data, tmp_path, "pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
