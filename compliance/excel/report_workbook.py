"""The annual report workbook: the three indicators on 31 December of a year, print-ready.

Sheets: a coloured summary; the figures by district (for 2025 onward by commune, with
former-district subtotals) and by sector; one facility list per
indicator with the reason each facility is not counted; the yearly series with a line
chart per indicator and its target line. Every sheet has a title, frozen header rows,
set column widths and A4 landscape page setup.

The workbook is drawn from a ``ReportData`` — plain dicts in the API's shapes (docs/api.md,
"Indicators") — so a live computation and a published report's frozen snapshot print
the same way.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from compliance.choices import Reason, label_of
from compliance.excel.export import safe_text
from compliance.indicators import rules
from compliance.indicators.engine import compute_series
from compliance.indicators.selectors import annual_report_draft, annual_report_get
from compliance.indicators.units import by_commune_applies, commune_breakdown
from compliance.models import AnnualReport
from facilities.models import Commune, District, Sector, department_name_on

MET_FILL = PatternFill("solid", fgColor="C6EFCE")
NOT_MET_FILL = PatternFill("solid", fgColor="FFC7CE")
EMPTY_FILL = PatternFill("solid", fgColor="EDEDED")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
HEADER_ROW = 3  # rows 1–2: title and subtitle; row 3: column headers


@dataclass
class ReportData:
    """Everything the workbook prints, in the API's dict shapes."""

    year: int
    as_of: datetime.date
    indicators: list[dict]  # IndicatorReport.to_dict()["indicators"]
    facilities: dict[str, list[dict]]  # code → FacilityRow.to_dict() rows
    series: list[dict]  # SeriesPoint.to_dict() entries
    published_at: datetime.datetime | None = None
    published_by: str | None = None
    notes: list[str] = field(default_factory=list)


def live_report_data(year: int) -> ReportData:
    """Year ``year``'s figures and lists as the registry computes them now (one snapshot)."""
    snapshot = annual_report_draft(year)
    return ReportData(
        year=year,
        as_of=snapshot.report.as_of,
        indicators=snapshot.report.to_dict()["indicators"],
        facilities={code: [row.to_dict() for row in rows] for code, rows in snapshot.rows.items()},
        series=_series_until(year),
    )


def published_report_data(report: AnnualReport) -> ReportData:
    """A published report prints from its frozen snapshot; only the series of the years
    before it is computed now (the snapshot holds one date), and the sheet says so."""
    frozen = {i["code"]: i for i in report.figures["indicators"]}
    series = _series_until(report.year - 1)
    series.append(
        {
            "year": report.year,
            "as_of": report.as_of.isoformat(),
            "indicators": [
                {k: frozen[code][k] for k in ("code", "numerator", "population", "value", "met")}
                for code in frozen
            ],
        }
    )
    return ReportData(
        year=report.year,
        as_of=report.as_of,
        indicators=report.figures["indicators"],
        facilities=report.rows,
        series=series,
        published_at=report.published_at,
        published_by=report.published_by.get_username(),
        notes=[
            _(
                "Số liệu và danh sách cơ sở lấy từ bản đã công bố (không thay đổi). Trang"
                " «Chuỗi năm»: các năm trước %(year)s được tính lại lúc xuất."
            )
            % {"year": report.year}
        ],
    )


def report_data(year: int) -> ReportData:
    """The published report of ``year`` if there is one, else the live computation."""
    report = annual_report_get(year)
    return published_report_data(report) if report is not None else live_report_data(year)


def _series_until(year: int) -> list[dict]:
    first = min(rules.FIRST_SERIES_YEAR, year)
    if year < first:
        return []
    return [point.to_dict() for point in compute_series(first, year)]


def build_report_workbook(data: ReportData) -> bytes:
    """The workbook as .xlsx bytes."""
    wb = Workbook()
    summary = wb.active
    summary.title = _("Tổng hợp")
    _summary(summary, data)
    if by_commune_applies(data.as_of, data.facilities):
        _units_by_commune(wb.create_sheet(_("Theo xã, phường")), data)
    else:
        _units(wb.create_sheet(_("Theo huyện")), data, "by_district", _district_names(), _("Huyện"))
    _units(wb.create_sheet(_("Theo ngành")), data, "by_sector", _sector_names(), _("Ngành"))
    for i, indicator in enumerate(data.indicators, start=1):
        _facility_list(wb.create_sheet(_("DS chỉ tiêu %(n)s") % {"n": i}), data, indicator)
    _series(wb.create_sheet(_("Chuỗi năm")), data)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- sheets ---------------------------------------------------------------------------


def _title(ws: Worksheet, title: str, subtitle: str, headers: list[str], widths: list[int]):
    ws.cell(row=1, column=1, value=safe_text(title)).font = TITLE_FONT
    ws.cell(row=2, column=1, value=safe_text(subtitle)).font = Font(italic=True)
    for i, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=HEADER_ROW, column=i, value=header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = safe_text(title)
    ws.oddFooter.center.text = "&P / &N"


def _text(ws: Worksheet, row: int, column: int, value) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"  # names from the registry never become formulas
    else:
        cell.value = value


def _met_cell(ws: Worksheet, row: int, column: int, met: bool | None) -> None:
    cell = ws.cell(row=row, column=column, value=_met_text(met))
    cell.fill = MET_FILL if met else EMPTY_FILL if met is None else NOT_MET_FILL


def _met_text(met: bool | None) -> str:
    if met is None:
        return _("Không có cơ sở")
    return _("Đạt") if met else _("Chưa đạt")


def _target_text(target: dict) -> str:
    sign = "≥" if target["comparator"] == ">=" else ">"
    return f"{sign} {target['percent']}%"


def _subtitle(data: ReportData) -> str:
    # The department's name in force on the report's date (docs/geography.md).
    department = department_name_on(data.as_of)
    text = f"{department} — " if department else ""
    text += _("Tính đến ngày %(day)s") % {"day": data.as_of.strftime("%d/%m/%Y")}
    if data.published_at:
        text += " — " + _("bản đã công bố %(at)s bởi %(by)s, số liệu cố định") % {
            "at": data.published_at.strftime("%d/%m/%Y"),
            "by": data.published_by or "",
        }
    else:
        text += " — " + _("tính lại lúc xuất, chưa công bố")
    return text


def _summary(ws: Worksheet, data: ReportData) -> None:
    _title(
        ws,
        _("Báo cáo năm %(year)s — các chỉ tiêu môi trường (Quyết định 1498/QĐ-UBND)")
        % {"year": data.year},
        _subtitle(data),
        [
            _("Chỉ tiêu"),
            _("Mục tiêu"),
            _("Giá trị (%)"),
            _("Kết quả"),
            _("Số cơ sở đạt"),
            _("Tổng số cơ sở"),
        ],
        [70, 12, 12, 16, 14, 14],
    )
    for row, ind in enumerate(data.indicators, start=HEADER_ROW + 1):
        _text(ws, row, 1, ind.get("title") or str(rules.indicator(ind["code"]).title))
        ws.cell(row=row, column=1).alignment = Alignment(wrap_text=True)
        ws.cell(row=row, column=2, value=_target_text(ind["target"]))
        ws.cell(row=row, column=3, value=ind["value"]).number_format = "0.0"
        _met_cell(ws, row, 4, ind["met"])
        ws.cell(row=row, column=5, value=ind["numerator"])
        ws.cell(row=row, column=6, value=ind["population"])
    for note_row, note in enumerate(data.notes, start=HEADER_ROW + len(data.indicators) + 2):
        _text(ws, note_row, 1, note)


def _units(ws: Worksheet, data: ReportData, key: str, names: dict, unit_label: str) -> None:
    unit_key = "district" if key == "by_district" else "sector"
    _title(
        ws,
        _("Báo cáo năm %(year)s — theo %(unit)s") % {"year": data.year, "unit": unit_label},
        _subtitle(data),
        [
            _("Chỉ tiêu"),
            _("Mã"),
            unit_label,
            _("Giá trị (%)"),
            _("Kết quả"),
            _("Số cơ sở đạt"),
            _("Tổng số cơ sở"),
        ],
        [34, 10, 30, 12, 16, 14, 14],
    )
    row = HEADER_ROW + 1
    for ind in data.indicators:
        for unit in ind.get(key, []):
            code = unit[unit_key]
            _text(ws, row, 1, ind["code"])
            _text(ws, row, 2, code)
            _text(ws, row, 3, names.get(code, code))
            ws.cell(row=row, column=4, value=unit["value"]).number_format = "0.0"
            _met_cell(ws, row, 5, unit["met"])
            ws.cell(row=row, column=6, value=unit["numerator"])
            ws.cell(row=row, column=7, value=unit["population"])
            row += 1


def _units_by_commune(ws: Worksheet, data: ReportData) -> None:
    """Every commune under its facilities' (former) district, the district a subtotal."""
    district_names, commune_names = _district_names(), _commune_names()
    _title(
        ws,
        _("Báo cáo năm %(year)s — theo xã, phường (tổng theo huyện cũ)") % {"year": data.year},
        _subtitle(data),
        [
            _("Chỉ tiêu"),
            _("Mã"),
            _("Huyện cũ / Xã, phường"),
            _("Giá trị (%)"),
            _("Kết quả"),
            _("Số cơ sở đạt"),
            _("Tổng số cơ sở"),
        ],
        [34, 10, 36, 12, 16, 14, 14],
    )
    row = HEADER_ROW + 1

    def write(code: str, unit: str | None, name: str, figure: dict, *, subtotal: bool) -> None:
        _text(ws, row, 1, code)
        _text(ws, row, 2, unit or "")
        _text(ws, row, 3, name if subtotal else f"    {name}")
        ws.cell(row=row, column=4, value=figure["value"]).number_format = "0.0"
        _met_cell(ws, row, 5, figure["met"])
        ws.cell(row=row, column=6, value=figure["numerator"])
        ws.cell(row=row, column=7, value=figure["population"])
        if subtotal:
            for column in range(1, 8):
                ws.cell(row=row, column=column).font = Font(bold=True)

    missing = _("Chưa xác định địa bàn")
    for ind in data.indicators:
        for district in commune_breakdown(ind["code"], data.facilities.get(ind["code"], [])):
            code = district["district"]
            name = district_names.get(code, code) if code else missing
            write(
                ind["code"], code, _("Huyện cũ: %(name)s") % {"name": name}, district, subtotal=True
            )
            row += 1
            for commune in district["communes"]:
                unit = commune["commune"]
                write(
                    ind["code"],
                    unit,
                    commune_names.get(unit, unit) if unit else missing,
                    commune,
                    subtotal=False,
                )
                row += 1


def _facility_list(ws: Worksheet, data: ReportData, ind: dict) -> None:
    title = ind.get("title") or str(rules.indicator(ind["code"]).title)
    _title(
        ws,
        title,
        _subtitle(data) + " — " + _("danh sách cơ sở và lý do chưa đạt"),
        [
            _("Mã cơ sở"),
            _("Tên cơ sở"),
            _("Huyện"),
            _("Ngành"),
            _("Được tính"),
            _("Lý do"),
            _("Mã lý do (reason)"),
            _("Xã / Phường"),
        ],
        [14, 40, 10, 24, 12, 36, 20, 10],
    )
    for row, item in enumerate(data.facilities.get(ind["code"], []), start=HEADER_ROW + 1):
        _text(ws, row, 1, item["code"])
        _text(ws, row, 2, item["name"])
        _text(ws, row, 3, item["district"] or "")
        _text(ws, row, 4, item["sector"])
        counted = ws.cell(row=row, column=5, value=_("Có") if item["counted"] else _("Không"))
        counted.fill = MET_FILL if item["counted"] else NOT_MET_FILL
        _text(ws, row, 6, label_of(Reason, item["reason"]))
        # The code beside the words, for scripts that read the workbook.
        _text(ws, row, 7, item["reason"] or "")
        # Last, after the columns reports printed before the reform already had.
        _text(ws, row, 8, item.get("commune") or "")


def _series(ws: Worksheet, data: ReportData) -> None:
    headers = [_("Năm")]
    for ind in data.indicators:
        headers += [ind["code"], _("Mục tiêu")]
    _title(
        ws,
        _("Diễn biến các chỉ tiêu qua các năm (31/12 mỗi năm)"),
        _subtitle(data),
        headers,
        [10] + [22, 10] * len(data.indicators),
    )
    targets = {ind["code"]: ind["target"]["percent"] for ind in data.indicators}
    first_row = HEADER_ROW + 1
    for row, point in enumerate(data.series, start=first_row):
        ws.cell(row=row, column=1, value=point["year"])
        by_code = {i["code"]: i for i in point["indicators"]}
        for j, ind in enumerate(data.indicators):
            value = by_code.get(ind["code"], {}).get("value")
            ws.cell(row=row, column=2 + 2 * j, value=value).number_format = "0.0"
            ws.cell(row=row, column=3 + 2 * j, value=targets[ind["code"]])
    last_row = first_row + len(data.series) - 1
    if not data.series:
        return
    years = Reference(ws, min_col=1, min_row=first_row, max_row=last_row)
    anchor_row = last_row + 3
    for j, ind in enumerate(data.indicators):
        chart = LineChart()
        chart.title = safe_text(ind.get("title") or ind["code"])[:120]
        chart.y_axis.title = "%"
        chart.x_axis.title = _("Năm")
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        chart.height, chart.width = 8, 24
        values = Reference(
            ws, min_col=2 + 2 * j, max_col=3 + 2 * j, min_row=HEADER_ROW, max_row=last_row
        )
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(years)
        target_line = chart.series[1]
        target_line.graphicalProperties.line.dashStyle = "dash"
        target_line.graphicalProperties.line.solidFill = "C00000"
        target_line.smooth = False
        ws.add_chart(chart, f"A{anchor_row + j * 17}")


def _district_names() -> dict[str, str]:
    return dict(District.objects.values_list("code", "name"))


def _commune_names() -> dict[str, str]:
    return {c.code: c.full_name for c in Commune.objects.all()}


def _sector_names() -> dict[str, str]:
    return {s.code: s.name for s in Sector.objects.all()}
