"""Import enterprises, facilities, certificates and measures from a workbook, all or nothing.

The path (docs/architecture.md): safety checks on the raw bytes → parse with read-only
openpyxl (dimensions reset, rows and columns bounded) → every row coerced and validated
by the model's own field validators and ``clean()`` → if any row is rejected, nothing is
written and the report lists every rejected cell → otherwise one transaction writes every
row with history (user, "import: <file name>") through the bulk helpers.

Rows are matched on natural keys (tax code, facility code, certificate number; for
measures facility code + kind + category + installed_on), and only the columns present
in the sheet are compared, so importing the same file twice changes nothing, and a sheet
without, say, an ``address`` column never blanks existing addresses.
"""

from __future__ import annotations

import datetime
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

from compliance.choices import CertificateKind
from compliance.excel.columns import (
    CERTIFICATES,
    CHOICE,
    CODE_LABEL_SEPARATOR,
    COMMUNE,
    DATE,
    DECIMAL,
    DISTRICT,
    ENTERPRISES,
    EXAMPLE_KEYS,
    FACILITIES,
    MEASURES,
    SECTOR,
    SHEETS,
    TAX_CODE,
    Sheet,
    field_of_header,
    header_lookup,
)
from compliance.excel.safety import WorkbookRefused, check_workbook
from compliance.models import Certificate, CleanTechMeasure
from facilities.history import bulk_create_with_reason, bulk_update_with_reason, change_context
from facilities.models import (
    Commune,
    District,
    Enterprise,
    Facility,
    Sector,
    validate_tax_code,
)
from facilities.text import nfc, search_key

# Columns read per row at most: a sheet whose dimension claims XFD (16,384 columns) is
# read only this far; real import sheets have a dozen columns plus a few notes.
MAX_COLUMNS = 64
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
COORDINATE_PLACES = Decimal("0.000001")
EXCEL_MAX_SERIAL = 2958465  # 31/12/9999

Progress = Callable[[str, int, int], None]


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    field: str
    message: str

    def to_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": str(self.message),
        }


@dataclass
class RowChange:
    sheet: str
    row: int
    action: str  # "create" or "change"
    key: str
    label: str = ""
    changes: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "action": self.action,
            "key": self.key,
            "label": self.label,
            "changes": self.changes,
        }


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), and every rejected cell."""

    file_name: str
    dry_run: bool
    committed: bool = False
    errors: list[RowError] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unchanged: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    def counts(self, action: str) -> dict[str, int]:
        out = {s.name: 0 for s in SHEETS}
        for r in self.rows:
            if r.action == action:
                out[r.sheet] += 1
        return out

    def to_dict(self) -> dict:
        return {
            "file": self.file_name,
            "dry_run": self.dry_run,
            "committed": self.committed,
            "valid": self.valid,
            "created": self.counts("create"),
            "changed": self.counts("change"),
            "unchanged": {s.name: self.unchanged.get(s.name, 0) for s in SHEETS},
            "errors": [e.to_dict() for e in self.errors],
            "warnings": [str(w) for w in self.warnings],
            "rows": [r.to_dict() for r in self.rows],
        }


@dataclass
class ParsedRow:
    number: int
    raw: dict[str, object]
    columns: dict[str, str]  # field → column letter
    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedSheet:
    sheet: Sheet
    title: str
    fields: list[str]  # fields present in the header, in column order
    columns: dict[str, str]
    rows: list[ParsedRow]


# --- public entry point -------------------------------------------------------------


def import_workbook(
    *,
    data: bytes,
    file_name: str,
    user,
    commit: bool,
    progress: Progress | None = None,
    row_limit: int | None = None,
    on_written: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Validate ``data`` and, if ``commit`` and every row is valid, write it all.

    Raises WorkbookRefused (nothing written) for files that fail the safety checks or
    cannot be parsed; row-level problems are returned in ``report.errors``.
    ``row_limit`` bounds the data rows of all sheets together (a request must finish
    inside the web server's timeout): reading stops at the first row past it, with
    WorkbookRefused code ``background_required``. ``on_written(report)`` runs inside the
    commit's transaction after the writes: an exception there undoes them all.
    """
    report = ImportReport(file_name=file_name, dry_run=not commit)
    checked = check_workbook(data)
    sheets = read_workbook(checked.data, report=report, row_limit=row_limit)
    total = sum(len(s.rows) for s in sheets.values())
    tick = _Ticker(progress, total)
    if not commit:
        _Validator(sheets, report, tick).run()
        return report
    reason = f"import: {file_name}"
    try:
        with transaction.atomic(), change_context(user=user, reason=reason):
            plan = _Validator(sheets, report, tick).run()
            if report.errors:
                return report
            tick.stage("write")
            plan.write(user=user, reason=reason)
            report.committed = True
            if on_written is not None:
                on_written(report)
    except IntegrityError:
        # Someone else wrote a row with the same key between our checks and our insert.
        report.committed = False
        report.rows.clear()
        report.errors.append(
            RowError(
                "", 0, "", "", _("Dữ liệu vừa bị thay đổi trong lúc nhập; hãy kiểm tra thử lại.")
            )
        )
    return report


class _Ticker:
    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done, self.current = progress, total, 0, "validate"

    def stage(self, name: str) -> None:
        self.current = name
        if self.progress:
            self.progress(name, self.done, self.total)

    def row(self) -> None:
        self.done += 1
        if self.progress and (self.done % 500 == 0 or self.done == self.total):
            self.progress(self.current, self.done, self.total)


# --- reading --------------------------------------------------------------------------


def read_workbook(
    data: bytes, *, report: ImportReport, row_limit: int | None = None
) -> dict[str, ParsedSheet]:
    """Parse every known sheet of a checked workbook into raw rows (no validation)."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (DefusedXmlException, ParseError) as exc:
        raise WorkbookRefused(
            _("Tệp có cấu trúc XML không hợp lệ hoặc nguy hiểm; hệ thống không mở."),
            code="xml_entities",
        ) from exc
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        if _caused_by_xml_attack(exc):
            raise WorkbookRefused(
                _("Tệp có cấu trúc XML không hợp lệ hoặc nguy hiểm; hệ thống không mở."),
                code="xml_entities",
            ) from exc
        raise WorkbookRefused(
            _("Không đọc được tệp .xlsx (tệp hỏng hoặc không đúng định dạng)."),
            code="corrupt",
        ) from exc
    try:
        by_folded_name = {search_key(name): name for name in workbook.sheetnames}
        out: dict[str, ParsedSheet] = {}
        for sheet in SHEETS:
            title = by_folded_name.get(search_key(sheet.name)) or by_folded_name.get(
                search_key(sheet.title_vi)
            )
            if title is None:
                continue
            budget = (
                None if row_limit is None else row_limit - sum(len(p.rows) for p in out.values())
            )
            parsed = _read_sheet(workbook[title], sheet, title, report, budget=budget)
            if parsed is not None:
                out[sheet.name] = parsed
        if not out:
            raise WorkbookRefused(
                _(
                    "Tệp không có trang tính nào cần nhập"
                    " (Enterprises, Facilities, Certificates, Measures)."
                ),
                code="no_sheets",
            )
        return out
    except (DefusedXmlException, ParseError) as exc:
        raise WorkbookRefused(
            _("Tệp có cấu trúc XML không hợp lệ hoặc nguy hiểm; hệ thống không mở."),
            code="xml_entities",
        ) from exc
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError) as exc:
        raise WorkbookRefused(
            _("Không đọc được tệp .xlsx (tệp hỏng hoặc không đúng định dạng)."),
            code="corrupt",
        ) from exc
    finally:
        workbook.close()


def _caused_by_xml_attack(exc: BaseException) -> bool:
    seen = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _read_sheet(
    ws, sheet: Sheet, title: str, report: ImportReport, *, budget: int | None = None
) -> ParsedSheet | None:
    # The declared dimension may lie (A1:XFD1048576 in a 5 KB file): forget it and bound
    # what we read ourselves.
    ws.reset_dimensions()
    max_rows = settings.EXCEL_IMPORT_MAX_ROWS
    # No max_row: the reader would silently stop there, and a row beyond the limit must
    # be refused, not dropped. Gaps are filled by the reader with one shared empty tuple,
    # which is skipped by identity, so a lone row at 1,048,576 costs little.
    rows = ws.iter_rows(min_row=1, max_col=MAX_COLUMNS)
    header = next(rows, None)
    if header is None or all(_is_blank(c.value) for c in header):
        return None
    lookup = header_lookup(sheet)
    fields: list[str] = []
    columns: dict[str, str] = {}
    index: dict[int, str] = {}
    for i, cell in enumerate(header):
        if _is_blank(cell.value):
            continue
        letter = get_column_letter(i + 1)
        name = field_of_header(sheet, cell.value, lookup)
        if name is None:
            report.warnings.append(
                _("Trang %(sheet)s, cột %(column)s: bỏ qua cột không nhận ra «%(header)s».")
                % {"sheet": title, "column": letter, "header": str(cell.value)[:80]}
            )
            continue
        if name in columns:
            report.errors.append(
                RowError(
                    sheet.name,
                    1,
                    letter,
                    name,
                    _("Cột %(field)s xuất hiện hai lần (cột %(first)s và %(second)s).")
                    % {"field": name, "first": columns[name], "second": letter},
                )
            )
            continue
        columns[name] = letter
        index[i] = name
        fields.append(name)
    missing = False
    for column in sheet.columns:
        if column.required and column.field not in columns:
            missing = True
            report.errors.append(
                RowError(
                    sheet.name,
                    1,
                    "",
                    column.field,
                    _("Thiếu cột bắt buộc «%(header)s».") % {"header": column.header},
                )
            )
    parsed_rows = []
    padding = None
    for number, cells in enumerate(rows, start=2):
        if cells is padding:
            continue
        if not cells or all(getattr(c, "value", None) is None for c in cells):
            padding = cells
            continue
        raw: dict[str, object] = {}
        blank = True
        for i, name in index.items():
            cell = cells[i] if i < len(cells) else None
            value = getattr(cell, "value", None)
            data_type = getattr(cell, "data_type", None)
            if data_type == "f":
                raw[name] = _Formula(str(value))
                blank = False
            elif data_type == "e":
                raw[name] = _ErrorValue(str(value))
                blank = False
            else:
                raw[name] = value
                blank = blank and _is_blank(value)
        if blank:
            continue  # empty rows (and rows padded by the reader) are not data
        if number > max_rows:
            raise WorkbookRefused(
                _("Trang %(sheet)s có quá %(limit)s dòng; hãy chia thành nhiều tệp.")
                % {"sheet": title, "limit": max_rows},
                code="too_many_rows",
            )
        if budget is not None and len(parsed_rows) >= budget:
            raise WorkbookRefused(
                _(
                    "Tệp có hơn %(limit)s dòng dữ liệu: quá lớn để nhập ngay trong một yêu cầu."
                    " Hãy gửi lại ở chế độ chạy nền (background=true; trang «Nhập dữ liệu»"
                    " luôn chạy nền)."
                )
                % {"limit": settings.EXCEL_SYNC_IMPORT_MAX_ROWS},
                code="background_required",
            )
        parsed_rows.append(ParsedRow(number=number, raw=raw, columns=columns))
    if missing:
        parsed_rows = []  # the header error says it all; every row would repeat it
    return ParsedSheet(sheet=sheet, title=title, fields=fields, columns=columns, rows=parsed_rows)


class _Formula(str):
    pass


class _ErrorValue(str):
    pass


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- coercion of one cell -----------------------------------------------------------


class CellError(Exception):
    pass


def coerce_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        raise CellError(_("Cần văn bản, không phải ngày tháng."))
    # Excel keeps whatever the user typed: NFD from some keyboards, non-breaking spaces.
    text = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ")
    return nfc(text) or ""


def coerce_tax_code(value) -> str:
    # Typed as a number, the leading 0 of a 10-digit code is lost (101245486).
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        value = f"{int(value):010d}"
    text = coerce_text(value)
    if not text:
        return ""
    try:
        validate_tax_code(text)
    except ValidationError as exc:
        raise CellError(" ".join(str(m) for m in exc.messages)) from exc
    try:
        return mst.format(text)
    except StdnumError as exc:  # pragma: no cover - validate_tax_code already refused it
        raise CellError(str(exc)) from exc


def coerce_date(value) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(value)
    text = coerce_text(value)
    if re.fullmatch(r"\d{1,7}", text):
        return _from_serial(int(text))
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(
        _("Ngày «%(value)s» không hợp lệ; hãy nhập dạng dd/mm/yyyy (ví dụ 31/12/2020).")
        % {"value": text[:40]}
    )


def _from_serial(serial: float) -> datetime.date:
    if not 1 <= serial <= EXCEL_MAX_SERIAL:
        raise CellError(_("Số ngày Excel %(value)s không hợp lệ.") % {"value": serial})
    result = from_excel(serial)
    return result.date() if isinstance(result, datetime.datetime) else result


def coerce_decimal(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("Cần một số."))
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = coerce_text(value).replace(" ", "")
        if "," in text and "." in text:  # 1.234,5 (Vietnamese) → 1234.5
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise CellError(_("«%(value)s» không phải là số.") % {"value": text[:40]}) from exc
    if not number.is_finite():
        raise CellError(_("Cần một số."))
    # Excel stores binary floats (22.396400000000001): coordinates keep 6 decimals.
    return number.quantize(COORDINATE_PLACES, rounding=ROUND_HALF_UP)


def _code_part(text: str) -> str:
    for sep in (CODE_LABEL_SEPARATOR, " - ", " — "):
        if sep in text:
            return text.split(sep, 1)[0].strip()
    return text


@functools.cache
def _choice_spellings(choices: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Each choice by its folded code and label (built once per column, not per cell)."""
    candidates = {search_key(code): code for code, _label in choices}
    candidates.update({search_key(label): code for code, label in choices})
    return candidates


def coerce_choice(value, choices: tuple[tuple[str, str], ...]) -> str:
    text = coerce_text(value)
    if not text:
        return ""
    candidates = _choice_spellings(choices)
    found = candidates.get(search_key(_code_part(text))) or candidates.get(search_key(text))
    if found is None:
        raise CellError(
            _("Giá trị «%(value)s» không hợp lệ; chọn một trong: %(choices)s.")
            % {"value": text[:60], "choices": ", ".join(code for code, _l in choices)}
        )
    return found


class _References:
    """Districts, communes and sectors by code and by name (folded), loaded once per
    import, with each commune's former districts (for Facility.clean)."""

    def __init__(self):
        self.districts = {}
        for d in District.objects.all():
            self.districts[d.code] = d.code
            self.districts[search_key(d.name)] = d.code
        self.communes = {}
        self.former_districts: dict[str, set[str]] = {}
        for c in Commune.objects.prefetch_related("former_districts"):
            for spelling in (c.code, c.name, c.full_name):
                self.communes[search_key(spelling)] = c.code
            self.former_districts[c.code] = {d.code for d in c.former_districts.all()}
        self.sectors = {}
        for s in Sector.objects.all():
            for spelling in (s.code, s.name_vi, s.name_en):
                self.sectors[search_key(spelling)] = s.code

    def district(self, value) -> str:
        text = coerce_text(value)
        if not text:
            return ""
        code = self.districts.get(search_key(_code_part(text))) or self.districts.get(
            search_key(text)
        )
        if code is None:
            raise CellError(
                _("Không có huyện/thành phố «%(value)s» (mã 105–112 của tỉnh Lai Châu).")
                % {"value": text[:60]}
            )
        return code

    def commune(self, value) -> str:
        text = coerce_text(value)
        if not text:
            return ""
        code = self.communes.get(search_key(_code_part(text))) or self.communes.get(
            search_key(text)
        )
        if code is None:
            raise CellError(
                _("Không có xã / phường «%(value)s» (mã 5 chữ số của 38 xã, phường từ 01/07/2025).")
                % {"value": text[:60]}
            )
        return code

    def sector(self, value) -> str:
        text = coerce_text(value)
        if not text:
            return ""
        code = self.sectors.get(search_key(_code_part(text))) or self.sectors.get(search_key(text))
        if code is None:
            raise CellError(
                _("Không có ngành, lĩnh vực «%(value)s».") % {"value": text[:60]},
            )
        return code


@functools.cache
def _columns_of(sheet: Sheet) -> dict:
    return {c.field: c for c in sheet.columns}


def _coerce_row(sheet: Sheet, row: ParsedRow, refs: _References) -> None:
    columns = _columns_of(sheet)
    for name, raw in row.raw.items():
        column = columns[name]
        try:
            if isinstance(raw, _Formula):
                raise CellError(
                    _(
                        "Ô chứa công thức «%(formula)s»; hãy dán giá trị"
                        " (Dán đặc biệt → Giá trị) thay cho công thức."
                    )
                    % {"formula": str(raw)[:60]}
                )
            if isinstance(raw, _ErrorValue):
                raise CellError(_("Ô có giá trị lỗi %(value)s.") % {"value": str(raw)})
            if column.kind == TAX_CODE:
                value = coerce_tax_code(raw)
            elif column.kind == DATE:
                value = coerce_date(raw)
            elif column.kind == DECIMAL:
                value = coerce_decimal(raw)
            elif column.kind == CHOICE:
                value = coerce_choice(raw, column.choices)
            elif column.kind == DISTRICT:
                value = refs.district(raw)
            elif column.kind == COMMUNE:
                value = refs.commune(raw)
            elif column.kind == SECTOR:
                value = refs.sector(raw)
            else:
                value = coerce_text(raw)
        except CellError as exc:
            row.errors[name] = str(exc)
            continue
        if column.required and value in (None, ""):
            row.errors[name] = _("Không được để trống.")
            continue
        row.values[name] = value


# --- validation and planning ----------------------------------------------------------

FK_FIELDS = [
    "enterprise",
    "sector",
    "district",
    "commune",
    "facility",
    "verified_by",
    "search_key",
]


@dataclass
class _SheetPlan:
    model: type
    create: list = field(default_factory=list)
    update: list = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)


class _Plan:
    def __init__(self):
        self.sheets = {
            ENTERPRISES.name: _SheetPlan(Enterprise),
            FACILITIES.name: _SheetPlan(Facility),
            CERTIFICATES.name: _SheetPlan(Certificate),
            MEASURES.name: _SheetPlan(CleanTechMeasure),
        }

    def write(self, *, user, reason: str) -> None:
        """Create then update, parents before children, each with history rows."""
        for name in (ENTERPRISES.name, FACILITIES.name, CERTIFICATES.name, MEASURES.name):
            plan = self.sheets[name]
            for obj in plan.create:
                # Parents created just above now have primary keys: copy them to the ids.
                for fk in ("enterprise", "facility"):
                    if hasattr(obj, f"{fk}_id") and getattr(obj, f"{fk}_id") is None:
                        setattr(obj, fk, getattr(obj, fk))
            # Every object was normalised when validated (_Validator._finish).
            if plan.create:
                bulk_create_with_reason(
                    plan.model, plan.create, user=user, reason=reason, normalized=True
                )
            if plan.update:
                bulk_update_with_reason(
                    plan.model,
                    plan.update,
                    sorted(plan.update_fields),
                    user=user,
                    reason=reason,
                    normalized=True,
                )


def _display(value) -> object:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class _Validator:
    """Coerce, match and validate every row of every sheet into a write plan."""

    def __init__(self, sheets: dict[str, ParsedSheet], report: ImportReport, tick: _Ticker):
        self.sheets, self.report, self.tick = sheets, report, tick
        self.plan = _Plan()
        self.refs = _References()
        self.enterprises: dict[str, Enterprise] = {}  # tax code → row's object (file)
        self.facilities: dict[str, Facility] = {}  # code → row's object (file)

    def run(self) -> _Plan:
        self.tick.stage("validate")
        for sheet in SHEETS:
            parsed = self.sheets.get(sheet.name)
            if parsed is None:
                continue
            for row in parsed.rows:
                _coerce_row(sheet, row, self.refs)
            getattr(self, f"_validate_{sheet.name.lower()}")(parsed)
        order = {s.name: i for i, s in enumerate(SHEETS)}
        self.report.errors.sort(key=lambda e: (order.get(e.sheet, -1), e.row))
        return self.plan

    # helpers --------------------------------------------------------------------------

    def _error(self, parsed: ParsedSheet, row: ParsedRow, name: str, message) -> None:
        self.report.errors.append(
            RowError(parsed.sheet.name, row.number, parsed.columns.get(name, ""), name, message)
        )

    def _row_errors(self, parsed: ParsedSheet, row: ParsedRow) -> bool:
        key_field, example = EXAMPLE_KEYS[parsed.sheet.name]
        if row.values.get(key_field) == example:
            row.errors[key_field] = _("Đây là dòng ví dụ của mẫu; hãy xóa dòng này trước khi nhập.")
        for name, message in row.errors.items():
            self._error(parsed, row, name, message)
        return bool(row.errors)

    def _duplicate(self, parsed, row, seen: dict, key, key_field: str) -> bool:
        if key in seen:
            self._error(
                parsed,
                row,
                key_field,
                _("Trùng với dòng %(row)s của trang %(sheet)s (cùng khóa %(key)s).")
                % {"row": seen[key], "sheet": parsed.title, "key": " / ".join(map(str, key))},
            )
            return True
        seen[key] = row.number
        return False

    def _finish(
        self,
        parsed: ParsedSheet,
        row: ParsedRow,
        obj,
        existing: bool,
        before: dict,
        after: dict,
        key: str,
        label: str,
    ) -> None:
        """Validate ``obj`` with the model's own rules and add it to the plan."""
        try:
            obj.normalize()
            # References were resolved above (in bulk); validating them would query per row.
            obj.clean_fields(exclude=FK_FIELDS)
            obj.clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                target = name if name in parsed.columns else _column_for(name, parsed)
                self._error(parsed, row, target, " ".join(messages))
            return
        plan = self.plan.sheets[parsed.sheet.name]
        if not existing:
            plan.create.append(obj)
            self.report.rows.append(RowChange(parsed.sheet.name, row.number, "create", key, label))
            return
        changes = [
            {"field": name, "old": _display(before[name]), "new": _display(after[name])}
            for name in after
            if before[name] != after[name]
        ]
        if not changes:
            self.report.unchanged[parsed.sheet.name] = (
                self.report.unchanged.get(parsed.sheet.name, 0) + 1
            )
            return
        plan.update.append(obj)
        plan.update_fields.update(_model_field(c["field"]) for c in changes)
        self.report.rows.append(
            RowChange(parsed.sheet.name, row.number, "change", key, label, changes)
        )

    def _assign(self, obj, parsed: ParsedSheet, row: ParsedRow, simple: list[str]):
        """Set the simple (non-reference) fields present in the sheet; return before/after."""
        before, after = {}, {}
        for name in simple:
            if name not in parsed.columns:
                continue
            before[name] = getattr(obj, name)
            value = row.values.get(name)
            if value is None and isinstance(before[name], str):
                value = ""
            setattr(obj, name, value)
            after[name] = value
        return before, after

    # sheets ---------------------------------------------------------------------------

    def _validate_enterprises(self, parsed: ParsedSheet) -> None:
        codes = {r.values.get("tax_code") for r in parsed.rows} - {None, ""}
        existing = {e.tax_code: e for e in Enterprise.objects.filter(tax_code__in=codes)}
        seen: dict = {}
        simple = ["name", "address", "representative", "phone", "email"]
        for row in parsed.rows:
            self.tick.row()
            if self._row_errors(parsed, row):
                continue
            code = row.values["tax_code"]
            if self._duplicate(parsed, row, seen, (code,), "tax_code"):
                continue
            obj = existing.get(code) or Enterprise(tax_code=code)
            before, after = self._assign(obj, parsed, row, simple)
            self.enterprises[code] = obj
            self._finish(parsed, row, obj, obj.pk is not None, before, after, code, obj.name)

    def _validate_facilities(self, parsed: ParsedSheet) -> None:
        codes = {r.values.get("code") for r in parsed.rows} - {None, ""}
        existing = {
            f.code: f for f in Facility.objects.filter(code__in=codes).select_related("enterprise")
        }
        tax_codes = {r.values.get("enterprise_tax_code") for r in parsed.rows} - {None, ""}
        db_enterprises = {
            e.tax_code: e
            for e in Enterprise.objects.filter(tax_code__in=tax_codes - set(self.enterprises))
        }
        seen: dict = {}
        simple = [
            "name",
            "activity",
            "address",
            "latitude",
            "longitude",
            "operating_since",
            "closed_on",
        ]
        for row in parsed.rows:
            self.tick.row()
            if self._row_errors(parsed, row):
                continue
            code = row.values["code"]
            if self._duplicate(parsed, row, seen, (code,), "code"):
                continue
            tax_code = row.values["enterprise_tax_code"]
            enterprise = self.enterprises.get(tax_code) or db_enterprises.get(tax_code)
            if enterprise is None:
                self._error(
                    parsed,
                    row,
                    "enterprise_tax_code",
                    _(
                        "Không có doanh nghiệp với mã số thuế %(code)s trong sổ hoặc trang"
                        " Enterprises."
                    )
                    % {"code": tax_code},
                )
                continue
            obj = existing.get(code) or Facility(code=code)
            is_existing = obj.pk is not None
            before, after = self._assign(obj, parsed, row, simple)
            before["enterprise_tax_code"] = obj.enterprise.tax_code if is_existing else None
            before["sector"] = obj.sector_id
            obj.enterprise = enterprise
            obj.sector_id = row.values["sector"]
            after.update(enterprise_tax_code=tax_code, sector=row.values["sector"])
            # A unit column absent from the file leaves the stored unit as it is.
            for unit in ("district", "commune"):
                if unit in parsed.columns:
                    before[unit] = getattr(obj, f"{unit}_id")
                    setattr(obj, f"{unit}_id", row.values.get(unit) or None)
                    after[unit] = getattr(obj, f"{unit}_id")
            obj.former_districts_known = self.refs.former_districts
            self.facilities[code] = obj
            self._finish(parsed, row, obj, is_existing, before, after, code, obj.name)

    def _facility_for(self, parsed, row, db_facilities) -> Facility | None:
        code = row.values["facility_code"]
        facility = self.facilities.get(code) or db_facilities.get(code)
        if facility is None:
            self._error(
                parsed,
                row,
                "facility_code",
                _("Không có cơ sở với mã %(code)s trong sổ hoặc trang Facilities.")
                % {"code": code},
            )
        return facility

    def _db_facilities(self, parsed: ParsedSheet) -> dict[str, Facility]:
        codes = {r.values.get("facility_code") for r in parsed.rows} - {None, ""}
        return {f.code: f for f in Facility.objects.filter(code__in=codes - set(self.facilities))}

    def _validate_certificates(self, parsed: ParsedSheet) -> None:
        numbers = {r.values.get("number") for r in parsed.rows} - {None, ""}
        existing = {
            c.number: c
            for c in Certificate.objects.filter(number__in=numbers).select_related("facility")
        }
        db_facilities = self._db_facilities(parsed)
        seen: dict = {}
        simple = ["kind", "issuer", "issued_on", "valid_until", "revoked_on", "revocation_reason"]
        for row in parsed.rows:
            self.tick.row()
            if self._row_errors(parsed, row):
                continue
            number = row.values["number"]
            if self._duplicate(parsed, row, seen, (number,), "number"):
                continue
            facility = self._facility_for(parsed, row, db_facilities)
            if facility is None:
                continue
            obj = existing.get(number) or Certificate(number=number)
            is_existing = obj.pk is not None
            before, after = self._assign(obj, parsed, row, simple)
            if not obj.kind:  # a blank kind cell: the plan's certificate, as before 2022
                obj.kind = after["kind"] = CertificateKind.STANDARDS_CERTIFICATE
            before["facility_code"] = obj.facility.code if is_existing else None
            obj.facility = facility
            after["facility_code"] = facility.code
            self._finish(parsed, row, obj, is_existing, before, after, number, facility.code)

    def _validate_measures(self, parsed: ParsedSheet) -> None:
        db_facilities = self._db_facilities(parsed)
        codes = {r.values.get("facility_code") for r in parsed.rows} - {None, ""}
        existing = {
            (m.facility.code, m.kind, m.category, m.installed_on): m
            for m in CleanTechMeasure.objects.filter(facility__code__in=codes).select_related(
                "facility"
            )
        }
        seen: dict = {}
        simple = ["removed_on", "description"]
        for row in parsed.rows:
            self.tick.row()
            if self._row_errors(parsed, row):
                continue
            v = row.values
            key = (v["facility_code"], v["kind"], v["category"], v["installed_on"])
            if self._duplicate(parsed, row, seen, key, "facility_code"):
                continue
            facility = self._facility_for(parsed, row, db_facilities)
            if facility is None:
                continue
            obj = existing.get(key) or CleanTechMeasure(
                kind=v["kind"], category=v["category"], installed_on=v["installed_on"]
            )
            is_existing = obj.pk is not None
            before, after = self._assign(obj, parsed, row, simple)
            obj.facility = facility
            label = " / ".join([key[0], key[1], key[2], key[3].strftime("%d/%m/%Y")])
            self._finish(parsed, row, obj, is_existing, before, after, label, facility.code)


def _model_field(name: str) -> str:
    return {"enterprise_tax_code": "enterprise", "facility_code": "facility"}.get(name, name)


def _column_for(model_field: str, parsed: ParsedSheet) -> str:
    """Report model-level errors (e.g. __all__) on the closest column present."""
    reverse = {"enterprise": "enterprise_tax_code", "facility": "facility_code"}
    name = reverse.get(model_field, model_field)
    if name in parsed.columns:
        return name
    return parsed.sheet.key[0]
