"""Streamed exports: the registry, inspections and findings, the change history.

openpyxl's write-only mode keeps one row in memory at a time; rows come from
``.iterator()`` over ``values_list`` querysets, so memory stays flat however many rows.
The workbook is written to an anonymous temporary file that the response streams.

No cell may become a live formula or silently change (docs/excel.md):

* every text cell is written as a string explicitly (``data_type = "s"``), so "=1+1",
  "+84…", "-", "@x" and "#N/A" stay text (openpyxl would write the first as a formula
  and the last as an error cell);
* control characters that XML cannot carry (openpyxl raises IllegalCharacterError) are
  written as a visible ``<U+0007>`` marker;
* text over Excel's 32,767-character cell limit is cut with a visible marker saying so;
* timezone-aware datetimes (openpyxl raises TypeError) are written in Vietnam time
  (Asia/Ho_Chi_Minh), as the column header says;
* CSV output neutralises values starting with = + - @ tab or CR with a leading
  apostrophe (OWASP's advice), which spreadsheet programs show but do not evaluate.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from compliance.excel.columns import FACILITIES
from compliance.filtersets import FacilityStatusFilterSet
from compliance.selectors import facility_list
from facilities.models import department_name_on

EXCEL_CELL_LIMIT = 32_767
CSV_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM:SS"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
_SURROGATES = re.compile("[\ud800-\udfff]")
# What openpyxl refuses (IllegalCharacterError) or XML cannot encode (lone surrogates).
_UNWRITABLE = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ud800-\udfff]")

Progress = Callable[[int], None]


def safe_text(value: str) -> str:
    """Text an .xlsx cell can hold unchanged, or with a visible marker where it cannot."""
    if ILLEGAL_CHARACTERS_RE.search(value) or _SURROGATES.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)
        value = _SURROGATES.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)
    if len(value) > EXCEL_CELL_LIMIT:
        marker = _(" …[đã cắt: dài %(length)s ký tự, xem bản đầy đủ trong sổ]") % {
            "length": f"{len(value):,}".replace(",", ".")
        }
        value = value[: EXCEL_CELL_LIMIT - len(marker)] + marker
    return value


def csv_safe(value) -> str:
    """A CSV field that no spreadsheet program will evaluate as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = excel_datetime(value)
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if text.startswith(CSV_DANGEROUS_START) and not isinstance(value, int | float | Decimal):
        return "'" + text
    return text


def excel_datetime(value: datetime.datetime) -> datetime.datetime:
    """Naive Vietnam time: Excel has no time zones (openpyxl refuses aware datetimes)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value, timezone.get_default_timezone())
    return value.replace(tzinfo=None)


class SheetWriter:
    """One write-only sheet with typed, safe cells; the date cells share two styles.

    Plain text that openpyxl would store unchanged as a string goes through as is (its
    own reusable cell is fastest); anything it would turn into a formula or an error
    cell, or refuse, gets an explicit string cell with a visible marker where needed.
    """

    def __init__(self, wb: Workbook, title: str, headers: list[str], widths: list[int]):
        self.ws = wb.create_sheet(title)
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "A2"
        self._date_cell = WriteOnlyCell(self.ws)
        self._date_cell.number_format = DATE_FORMAT
        self._datetime_cell = WriteOnlyCell(self.ws)
        self._datetime_cell.number_format = DATETIME_FORMAT
        header_cells = []
        for text in headers:
            cell = self._text_cell(str(text))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            header_cells.append(cell)
        self.ws.append(header_cells)

    def _text_cell(self, value: str):
        cell = WriteOnlyCell(self.ws)
        cell._value = safe_text(value)
        cell.data_type = "s"  # never a formula, never an error cell
        return cell

    def cell(self, value):
        kind = type(value)
        if kind is str:
            if (
                value[:1] == "="
                or value in ERROR_CODES
                or len(value) > EXCEL_CELL_LIMIT
                or _UNWRITABLE.search(value)
            ):
                return self._text_cell(value)
            return value
        if value is None or kind in (int, float, Decimal, bool):
            return value
        if kind is datetime.date:
            cell = WriteOnlyCell(self.ws, value=value)
            cell._style = self._date_cell._style
            return cell
        if isinstance(value, datetime.datetime):
            cell = WriteOnlyCell(self.ws, value=excel_datetime(value))
            cell._style = self._datetime_cell._style
            return cell
        if isinstance(value, datetime.date):
            return self.cell(datetime.date(value.year, value.month, value.day))
        if isinstance(value, str):  # str subclasses (lazy translations resolved, SafeString)
            return self.cell(str.__str__(value))
        if isinstance(value, int | float | Decimal):
            return value
        return self.cell(str(value))

    def append(self, values: Iterable) -> None:
        cell = self.cell
        self.ws.append([cell(v) for v in values])


@dataclass(frozen=True)
class ExportColumn:
    header: str
    width: int = 16


def _facility_columns() -> list[tuple[str, ExportColumn]]:
    """(values_list path, column): import columns first, so an export re-imports."""
    import_cols = [
        ("code", "code"),
        ("name", "name"),
        ("enterprise__tax_code", "enterprise_tax_code"),
        ("activity", "activity"),
        ("sector_id", "sector"),
        ("district_id", "district"),
        ("commune_id", "commune"),
        ("address", "address"),
        ("latitude", "latitude"),
        ("longitude", "longitude"),
        ("operating_since", "operating_since"),
        ("closed_on", "closed_on"),
    ]
    out = [
        (path, ExportColumn(FACILITIES.column(f).header, FACILITIES.column(f).width))
        for path, f in import_cols
    ]
    out += [
        (
            "enterprise__name",
            ExportColumn(_("Tên doanh nghiệp / Enterprise (enterprise_name)"), 30),
        ),
        ("is_new_build", ExportColumn(_("Mới xây dựng / New build (is_new_build)"), 12)),
        (
            "compliance_status",
            ExportColumn(_("Tình trạng tuân thủ / Compliance status (compliance_status)"), 20),
        ),
        (
            "certificate_status",
            ExportColumn(_("Giấy chứng nhận / Certificate status (certificate_status)"), 18),
        ),
    ]
    return out


class InvalidFilters(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def facility_export_queryset(user, query) -> tuple[QuerySet, datetime.date]:
    """The facility list ``user`` sees, filtered as the list is (FacilityStatusFilterSet),
    with each facility's standing today, in code order."""
    as_of = timezone.localdate()
    filterset = FacilityStatusFilterSet(query, queryset=facility_list(user, as_of))
    if not filterset.is_valid():
        raise InvalidFilters({k: [str(m) for m in v] for k, v in filterset.errors.items()})
    return filterset.qs.order_by("code"), as_of


def _new_workbook() -> Workbook:
    return Workbook(write_only=True)


def _save(wb: Workbook, target=None):
    target = target if target is not None else tempfile.TemporaryFile()  # noqa: SIM115
    wb.save(target)
    target.seek(0)
    return target


def write_facilities(queryset: QuerySet, *, as_of: datetime.date, progress=None, target=None):
    """The facility registry (already scoped and filtered) as a workbook file object.

    ``queryset`` must be annotated by ``facilities_with_status`` (compliance_status...).
    """
    wb = _new_workbook()
    columns = _facility_columns()
    sheet = SheetWriter(
        wb, FACILITIES.name, [c.header for _p, c in columns], [c.width for _p, c in columns]
    )
    paths = [p for p, _c in columns]
    for n, row in enumerate(queryset.values_list(*paths).iterator(chunk_size=2000), start=1):
        sheet.append(row)
        if progress and n % 2000 == 0:
            progress(n)
    _info_sheet(wb, _("Danh sách cơ sở sản xuất, kinh doanh"), as_of)
    return _save(wb, target)


def facility_csv_rows(queryset: QuerySet) -> Iterator[str]:
    """The same registry as CSV lines (UTF-8 with BOM so Excel reads Vietnamese)."""
    columns = _facility_columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([csv_safe(c.header) for _p, c in columns])
    yield "\ufeff" + flush()
    paths = [p for p, _c in columns]
    for row in queryset.values_list(*paths).iterator(chunk_size=2000):
        writer.writerow([csv_safe(v) for v in row])
        yield flush()


INSPECTION_COLUMNS = [
    ("id", gettext_lazy("Mã đợt kiểm tra / Inspection id (id)"), 10),
    ("facility__code", gettext_lazy("Mã cơ sở / Facility code (facility_code)"), 14),
    ("facility__name", gettext_lazy("Tên cơ sở / Facility (facility_name)"), 30),
    ("facility__district_id", gettext_lazy("Huyện / District (district)"), 10),
    ("facility__commune_id", gettext_lazy("Xã / Phường / Commune (commune)"), 10),
    ("kind", gettext_lazy("Loại kiểm tra / Kind (kind)"), 14),
    ("visited_on", gettext_lazy("Ngày kiểm tra / Visited on (visited_on)"), 14),
    ("status", gettext_lazy("Trạng thái / Status (status)"), 12),
    ("outcome", gettext_lazy("Kết quả / Outcome (outcome)"), 18),
    ("summary", gettext_lazy("Tóm tắt / Summary (summary)"), 40),
    ("finalized_at", gettext_lazy("Hoàn tất lúc (giờ Việt Nam) / Finalized at (finalized_at)"), 20),
]
FINDING_COLUMNS = [
    ("id", gettext_lazy("Mã / Id (id)"), 10),
    ("inspection_id", gettext_lazy("Mã đợt kiểm tra / Inspection id (inspection)"), 12),
    ("inspection__facility__code", gettext_lazy("Mã cơ sở / Facility code (facility_code)"), 14),
    ("inspection__visited_on", gettext_lazy("Ngày kiểm tra / Visited on (visited_on)"), 14),
    ("category", gettext_lazy("Nhóm / Category (category)"), 18),
    ("severity", gettext_lazy("Mức độ / Severity (severity)"), 14),
    ("description", gettext_lazy("Mô tả / Description (description)"), 40),
    (
        "corrective_action",
        gettext_lazy("Biện pháp khắc phục / Corrective action (corrective_action)"),
        40,
    ),
    ("deadline", gettext_lazy("Thời hạn khắc phục / Deadline (deadline)"), 14),
    ("resolved_on", gettext_lazy("Ngày khắc phục xong / Resolved on (resolved_on)"), 14),
]


def write_inspections(inspections: QuerySet, findings: QuerySet, *, target=None):
    """Inspections and their findings, one sheet each (both already scoped and filtered)."""
    wb = _new_workbook()
    for title, qs, columns in (
        ("Inspections", inspections, INSPECTION_COLUMNS),
        ("Findings", findings, FINDING_COLUMNS),
    ):
        sheet = SheetWriter(wb, title, [str(h) for _p, h, _w in columns], [w for *_x, w in columns])
        # The scoped querysets prefetch for the API; an export streams plain values.
        plain = qs.order_by("pk").prefetch_related(None).select_related(None)
        for row in plain.values_list(*[p for p, _h, _w in columns]).iterator(chunk_size=2000):
            sheet.append(row)
    _info_sheet(wb, _("Đợt kiểm tra và tồn tại, vi phạm"), timezone.localdate())
    return _save(wb, target)


def write_history(models: dict[str, type], *, since=None, until=None, target=None):
    """Every history row of the given models, oldest first per object, with what changed.

    Streams each model's historical table ordered by (object, history id) and compares
    each row with the previous one of the same object: one pass, one row in memory.
    """
    wb = _new_workbook()
    headers = [
        _("Bảng / Model (model)"),
        _("Mã đối tượng / Object id (object_id)"),
        _("Loại / Type (type)"),
        _("Lúc (giờ Việt Nam) / At (at)"),
        _("Người thay đổi / User (user)"),
        _("Lý do / Reason (reason)"),
        _("Trường / Field (field)"),
        _("Giá trị cũ / Old (old)"),
        _("Giá trị mới / New (new)"),
    ]
    sheet = SheetWriter(wb, "History", headers, [18, 10, 10, 20, 16, 36, 18, 30, 30])
    types = {"+": "created", "~": "changed", "-": "deleted"}
    for label, model in models.items():
        historical = model.history.model
        tracked = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in ("version", "updated_at", "created_at", "search_key")
        ]
        rows = historical.objects.all()
        if since:
            rows = rows.filter(history_date__gte=since)
        if until:
            rows = rows.filter(history_date__lte=until)
        values = rows.order_by("id", "history_id").values_list(
            "id",
            "history_type",
            "history_date",
            "history_user__username",
            "history_change_reason",
            *tracked,
        )
        previous_id, previous = None, None
        for row in values.iterator(chunk_size=2000):
            object_id, kind, at, user, reason, *fields = row
            base = [label, object_id, types.get(kind, kind), at, user, reason]
            if object_id != previous_id or previous is None or kind != "~":
                sheet.append([*base, None, None, None])
            else:
                changed = [
                    (name, old, new)
                    for name, old, new in zip(tracked, previous, fields, strict=True)
                    if old != new
                ]
                for name, old, new in changed or [(None, None, None)]:
                    sheet.append([*base, name, old, new])
            previous_id, previous = object_id, fields
    _info_sheet(wb, _("Lịch sử thay đổi"), timezone.localdate())
    return _save(wb, target)


def write_table(
    *, title: str, as_of: datetime.date, headers: list, widths: list[int], rows: Iterable
):
    """Any list of rows (already computed, in the page's order) as a workbook with the
    information sheet: the same safe cells as the registry export."""
    wb = _new_workbook()
    sheet = SheetWriter(wb, safe_sheet_title(title), [str(h) for h in headers], widths)
    for row in rows:
        sheet.append(row)
    _info_sheet(wb, title, as_of)
    return _save(wb, target=None)


def safe_sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of : \\ / ? * [ ]."""
    return re.sub(r"[:\\/?*\[\]]", " ", title)[:31].strip() or "Sheet1"


def _info_sheet(wb: Workbook, title: str, as_of: datetime.date) -> None:
    ws = wb.create_sheet(_("Thông tin"))
    for text in (
        # The department's name in force on the export's date (docs/geography.md).
        department_name_on(as_of),
        title,
        _("Xuất lúc (giờ Việt Nam): %(at)s")
        % {"at": excel_datetime(timezone.now()).strftime("%d/%m/%Y %H:%M")},
        _("Tình trạng tính đến ngày: %(day)s") % {"day": as_of.strftime("%d/%m/%Y")},
        _(
            "Ký tự điều khiển được ghi dạng <U+XXXX>; ô dài hơn 32.767 ký tự bị cắt và có ghi"
            " chú; văn bản bắt đầu bằng = + - @ được ghi dạng văn bản, không phải công thức."
        ),
    ):
        cell = WriteOnlyCell(ws, value=None)
        cell._value = safe_text(str(text))
        cell.data_type = "s"
        ws.append([cell])
