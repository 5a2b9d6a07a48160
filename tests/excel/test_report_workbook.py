"""The annual report workbook: the figures, the lists with reasons, the chart, print setup."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from openpyxl import load_workbook

from compliance.services import annual_report_publish
from facilities.history import change_context
from facilities.models import District, Facility
from tests.excel.workbooks import convert_with_libreoffice, needs_soffice
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)


@pytest.fixture
def worked_example(db, admin_user):
    """docs/methodology.md's worked example: facilities A–D on 31/12/2020."""
    with change_context(user=admin_user, reason="test"):
        a = FacilityFactory(
            code="A", activity="production", operating_since=datetime.date(2015, 3, 1)
        )
        InspectionFactory(facility=a, visited_on=datetime.date(2019, 6, 1))
        CleanTechMeasureFactory(
            facility=a,
            installed_on=datetime.date(2016, 4, 1),
            verified_on=datetime.date(2016, 5, 10),
        )
        b = FacilityFactory(
            code="B",
            activity="both",
            operating_since=datetime.date(2010, 1, 1),
            district=District.objects.get(code="105"),
        )
        InspectionFactory(facility=b, visited_on=datetime.date(2017, 12, 30))
        CertificateFactory(
            facility=b, issued_on=datetime.date(2018, 1, 1), valid_until=datetime.date(2020, 12, 31)
        )
        c = FacilityFactory(
            code="C", activity="business", operating_since=datetime.date(2014, 5, 5)
        )
        inspection = InspectionFactory(
            facility=c, visited_on=datetime.date(2020, 2, 2), outcome="compliant_with_remarks"
        )
        FindingFactory(inspection=inspection, deadline=datetime.date(2020, 6, 30))
        CertificateFactory(
            facility=c,
            issued_on=datetime.date(2019, 1, 1),
            valid_until=datetime.date(2023, 12, 31),
            revoked_on=datetime.date(2020, 11, 1),
            revocation_reason="Vi phạm",
        )
        d = FacilityFactory(
            code="D", activity="business", operating_since=datetime.date(2019, 1, 1)
        )
        CertificateFactory(
            facility=d, issued_on=datetime.date(2019, 2, 1), valid_until=datetime.date(2022, 1, 31)
        )


@pytest.fixture
def frozen():
    with time_machine.travel(
        datetime.datetime(2021, 3, 1, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")), tick=False
    ):
        yield


def get_report(api_client, user, year="2020"):
    api_client.force_authenticate(user)
    return api_client.get(f"/api/v1/indicators/report.xlsx?year={year}")


@pytest.mark.usefixtures("frozen")
class TestAnnualReportWorkbook:
    def test_the_summary_shows_each_figure_with_its_colour(
        self, api_client, auditor, worked_example
    ):
        response = get_report(api_client, auditor)
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(response.content))
        ws = wb["Tổng hợp"]
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=6)]
        assert [(r[2], r[3], r[4], r[5]) for r in rows] == [
            (25.0, "Chưa đạt", 1, 4),
            (100.0, "Đạt", 1, 1),
            (66.7, "Chưa đạt", 2, 3),
        ]
        assert [r[1] for r in rows] == ["≥ 80%", "> 90%", "≥ 90%"]
        assert ws["D4"].fill.fgColor.rgb.endswith("FFC7CE")
        assert ws["D5"].fill.fgColor.rgb.endswith("C6EFCE")
        assert ws.freeze_panes == "A4"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert "2020" in ws["A1"].value

    def test_the_facility_lists_give_each_reason(self, api_client, auditor, worked_example):
        wb = load_workbook(io.BytesIO(get_report(api_client, auditor).content))
        first = [[c.value for c in row] for row in wb["DS chỉ tiêu 1"].iter_rows(min_row=4)]
        assert [(r[0], r[4], r[5]) for r in first] == [
            ("A", "Có", None),
            ("B", "Không", "Kết quả kiểm tra đã quá hạn"),
            ("C", "Không", "Quá hạn khắc phục"),
            ("D", "Không", "Chưa được kiểm tra"),
        ]
        third = [[c.value for c in row] for row in wb["DS chỉ tiêu 3"].iter_rows(min_row=4)]
        assert [(r[0], r[5]) for r in third] == [
            ("B", None),
            ("C", "Giấy chứng nhận đã bị thu hồi"),
            ("D", None),
        ]
        districts = [[c.value for c in row] for row in wb["Theo huyện"].iter_rows(min_row=4)]
        assert districts[0][:3] == ["establishments_meeting_standards", "105", "Thành phố Lai Châu"]

    def test_the_series_has_a_line_chart_per_indicator_with_the_target(
        self, api_client, auditor, worked_example
    ):
        wb = load_workbook(io.BytesIO(get_report(api_client, auditor).content))
        ws = wb["Chuỗi năm"]
        years = [r[0].value for r in ws.iter_rows(min_row=4, max_col=1) if r[0].value]
        assert years == list(range(2012, 2021))
        assert ws["B12"].value == 25.0 and ws["C12"].value == 80
        assert len(ws._charts) == 3

    def test_business_users_may_not_read_province_figures(self, api_client, business_owner):
        assert get_report(api_client, business_owner).status_code == 403

    def test_a_published_report_prints_from_its_frozen_snapshot(
        self, api_client, admin_user, auditor, worked_example
    ):
        annual_report_publish(year=2020, user=admin_user)
        with change_context(user=admin_user, reason="sửa sau khi công bố"):
            # D gets a compliant inspection: recomputed, indicator 1 would read 2/4.
            InspectionFactory(
                facility=Facility.objects.get(code="D"), visited_on=datetime.date(2020, 6, 1)
            )
        wb = load_workbook(io.BytesIO(get_report(api_client, auditor).content))
        ws = wb["Tổng hợp"]
        assert (ws["E4"].value, ws["F4"].value) == (1, 4)
        assert "công bố" in ws["A2"].value and "quantri" in ws["A2"].value
        first = [[c.value for c in row] for row in wb["DS chỉ tiêu 1"].iter_rows(min_row=4)]
        # The label for readers, the code beside it for scripts.
        assert first[-1][:1] + first[-1][4:7] == [
            "D",
            "Không",
            "Chưa được kiểm tra",
            "not_assessed",
        ]
        series = wb["Chuỗi năm"]
        assert series["A12"].value == 2020 and series["B12"].value == 25.0

    @pytest.mark.parametrize("year", ["1999", "2023", "abc", ""])
    def test_a_year_out_of_range_is_a_400(self, api_client, auditor, year):
        assert get_report(api_client, auditor, year).status_code == 400

    @needs_soffice
    @pytest.mark.slow
    def test_the_report_opens_in_libreoffice(self, api_client, auditor, worked_example, tmp_path):
        pdf = convert_with_libreoffice(get_report(api_client, auditor).content, tmp_path, "pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
