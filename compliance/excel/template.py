"""The import template: one sheet per kind of row, drop-downs, dd/mm/yyyy dates, an example.

Headers are bilingual and end with the field name in parentheses (docs/api.md, "Excel"). The
drop-down lists (district, sector, activity, kind, category) read from a hidden ``Lists``
sheet, because an inline list is limited to 255 characters and the sector names exceed it.
"""

from __future__ import annotations

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from compliance.excel.columns import (
    CHOICE,
    CODE_LABEL_SEPARATOR,
    COMMUNE,
    DATE,
    DECIMAL,
    DISTRICT,
    EXAMPLES,
    SECTOR,
    SHEETS,
    TAX_CODE,
    Column,
)
from facilities.models import Commune, District, Sector

DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
EXAMPLE_FONT = Font(italic=True, color="7F7F7F")
VALIDATED_ROWS = 5000
LISTS_SHEET = "Lists"


def build_template() -> bytes:
    """The template workbook as .xlsx bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    lists = _lists()
    list_ranges = _write_lists(wb, lists)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        for i, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(i)
            cell = ws.cell(row=1, column=i, value=column.header)
            cell.fill, cell.font = HEADER_FILL, HEADER_FONT
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if column.required:
                cell.comment = Comment(_("Bắt buộc / Required"), "EnvReg")
            ws.column_dimensions[letter].width = max(column.width, 14)
            example = ws.cell(row=2, column=i, value=_example_value(sheet.name, column))
            example.font = EXAMPLE_FONT
            fmt = _number_format(column)
            if fmt:
                example.number_format = fmt
                # Every future cell of the column keeps the format (a column style).
                ws.column_dimensions[letter].number_format = fmt
            source = list_ranges.get(_list_key(sheet, column))
            if source:
                dv = DataValidation(type="list", formula1=source, allow_blank=not column.required)
                dv.error = _("Hãy chọn một giá trị trong danh sách.")
                dv.errorTitle = column.label_vi
                dv.showErrorMessage = True
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
            elif column.kind == DATE:
                dv = DataValidation(
                    type="date",
                    operator="between",
                    formula1="DATE(1900,1,1)",
                    formula2="DATE(2100,12,31)",
                    allow_blank=True,
                )
                dv.error = _("Nhập ngày dạng dd/mm/yyyy.")
                dv.showErrorMessage = True
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
        ws.row_dimensions[1].height = 32
        ws.freeze_panes = "A2"
    _write_instructions(wb)
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames))
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _number_format(column: Column) -> str | None:
    if column.kind == DATE:
        return DATE_FORMAT
    if column.kind in (TAX_CODE,) or column.field in ("code", "facility_code", "number"):
        return TEXT_FORMAT  # keeps the leading 0 of tax codes and codes like 0012
    if column.kind == DECIMAL:
        return "0.000000"
    return None


def _example_value(sheet_name: str, column: Column):
    value = EXAMPLES[sheet_name].get(column.field)
    if column.kind == DATE and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    if column.kind == DISTRICT and value:
        name = District.objects.filter(code=value).values_list("name", flat=True).first()
        return f"{value}{CODE_LABEL_SEPARATOR}{name}" if name else value
    if column.kind == COMMUNE and value:
        commune = Commune.objects.filter(code=value).first()
        return f"{value}{CODE_LABEL_SEPARATOR}{commune.full_name}" if commune else value
    if column.kind == SECTOR and value:
        name = Sector.objects.filter(code=value).values_list("name_vi", flat=True).first()
        return f"{value}{CODE_LABEL_SEPARATOR}{name}" if name else value
    if column.kind == CHOICE and value:
        label = dict(column.choices).get(value, "")
        return f"{value}{CODE_LABEL_SEPARATOR}{label}"
    return value


def _list_key(sheet, column: Column) -> str:
    """The Lists column of a drop-down: one per reference table, one per sheet's choice
    field (certificates and measures both have a ``kind``, with other choices)."""
    if column.kind == CHOICE:
        return column.field if sheet.name == "Facilities" else f"{sheet.name}.{column.field}"
    return column.kind


def _lists() -> dict[str, list[str]]:
    lists = {
        DISTRICT: [f"{d.code}{CODE_LABEL_SEPARATOR}{d.name}" for d in District.objects.all()],
        COMMUNE: [f"{c.code}{CODE_LABEL_SEPARATOR}{c.full_name}" for c in Commune.objects.all()],
        SECTOR: [f"{s.code}{CODE_LABEL_SEPARATOR}{s.name_vi}" for s in Sector.objects.all()],
    }
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.kind == CHOICE:
                lists[_list_key(sheet, column)] = [
                    f"{code}{CODE_LABEL_SEPARATOR}{label}" for code, label in column.choices
                ]
    return lists


def _write_lists(wb: Workbook, lists: dict[str, list[str]]) -> dict[str, str]:
    ws = wb.create_sheet(LISTS_SHEET)
    ranges = {}
    for i, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(i)
        ws.cell(row=1, column=i, value=name).font = Font(bold=True)
        for j, value in enumerate(values, start=2):
            ws.cell(row=j, column=i, value=value).data_type = "s"
        ws.column_dimensions[letter].width = 40
        ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _write_instructions(wb: Workbook) -> None:
    ws = wb.create_sheet("Instructions")
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 44
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 70
    lines = [
        (_("Mẫu nhập dữ liệu — Sổ đăng ký tuân thủ môi trường tỉnh Lai Châu"), True),
        (
            _(
                "1. Điền mỗi trang: Enterprises (doanh nghiệp), Facilities (cơ sở), Certificates"
                " (giấy chứng nhận), Measures (biện pháp công nghệ sạch). Trang không dùng có"
                " thể để trống hoặc xóa."
            ),
            False,
        ),
        (
            _(
                "2. Dòng 2 của mỗi trang là VÍ DỤ (chữ nghiêng, màu xám): hãy xóa trước khi"
                " nhập; hệ thống từ chối dòng ví dụ."
            ),
            False,
        ),
        (
            _(
                "3. Ngày nhập dạng dd/mm/yyyy (ví dụ 31/12/2020). Mã số thuế và mã cơ sở là văn"
                " bản: giữ nguyên số 0 ở đầu."
            ),
            False,
        ),
        (
            _(
                "4. Huyện, ngành, loại hình, loại và nhóm biện pháp: chọn trong danh sách thả"
                " xuống (hoặc gõ mã, ví dụ 106)."
            ),
            False,
        ),
        (
            _(
                "5. Dòng được đối chiếu theo mã số thuế, mã cơ sở, số giấy chứng nhận, và (với"
                " biện pháp) mã cơ sở + loại + nhóm + ngày lắp đặt: nhập lại cùng một tệp không"
                " thay đổi gì. Cột không có trong tệp thì giữ nguyên dữ liệu trong sổ."
            ),
            False,
        ),
        (
            _(
                "6. Hãy «Kiểm tra thử» trước: hệ thống liệt kê những gì sẽ được tạo, thay đổi"
                " và mọi dòng bị từ chối. «Ghi dữ liệu» ghi tất cả hoặc không ghi gì."
            ),
            False,
        ),
        (_("Không dùng công thức và macro; tệp phải lưu dạng .xlsx."), False),
    ]
    row = 1
    for text, bold in lines:
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = Font(bold=bold, size=14 if bold else 11)
        cell.alignment = Alignment(wrap_text=False)
        row += 1
    row += 1
    for sheet in SHEETS:
        ws.cell(row=row, column=1, value=f"{sheet.name} — {sheet.title_vi}").font = Font(
            bold=True, size=12
        )
        row += 1
        for i, head in enumerate([_("Trường"), _("Tiêu đề"), _("Bắt buộc"), _("Giá trị")], start=1):
            c = ws.cell(row=row, column=i, value=head)
            c.font, c.fill = HEADER_FONT, HEADER_FILL
        row += 1
        for column in sheet.columns:
            ws.cell(row=row, column=1, value=column.field)
            ws.cell(row=row, column=2, value=f"{column.label_vi} / {column.label_en}")
            ws.cell(row=row, column=3, value=_("Có") if column.required else "")
            ws.cell(row=row, column=4, value=_describe(column)).alignment = Alignment(
                wrap_text=True
            )
            row += 1
        row += 1
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def _describe(column: Column) -> str:
    if column.kind == DATE:
        return "dd/mm/yyyy"
    if column.kind == TAX_CODE:
        return _("10 chữ số, hoặc 0123456789-001 (chi nhánh)")
    if column.kind == DECIMAL:
        return _("số thập phân, ví dụ 22,3964")
    if column.kind == DISTRICT:
        return ", ".join(f"{d.code} {d.name}" for d in District.objects.all())
    if column.kind == COMMUNE:
        return _("mã 5 chữ số của 38 xã, phường từ 01/07/2025, ví dụ 03390 (Xã Bình Lư)")
    if column.kind == SECTOR:
        return ", ".join(s.code for s in Sector.objects.all())
    if column.kind == CHOICE:
        return ", ".join(f"{code} ({label})" for code, label in column.choices)
    return _("văn bản")
