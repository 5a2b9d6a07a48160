"""Streamed exports: the registry, inspections and findings, the change history.

XlsxWriter in ``constant_memory`` mode writes each row to a temporary file as soon as
the next row starts, so memory stays flat however many rows; rows come from
``.iterator()`` over ``values_list`` querysets. The workbook is written to an anonymous
temporary file that the response streams. (openpyxl's write-only mode did the same at
about half the speed: docs/performance.md.)

No cell may become a live formula or silently change (docs/excel.md):

* every text cell is written with ``write_string`` (never ``write``, which would turn
  "=1+1" into a formula or "http://…" into a link), so "=1+1", "+84…", "-", "@x" and
  "#N/A" stay text;
* control characters that XML cannot carry are written as a visible ``<U+0007>`` marker;
* text over Excel's 32,767-character cell limit is cut with a visible marker saying so;
* timezone-aware datetimes (Excel has no time zones) are written in Vietnam time
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
from itertools import islice

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xlsxwriter import Workbook

from compliance.choices import CertificateStatus, ComplianceStatus, label_of
from compliance.excel.columns import FACILITIES
from compliance.filtersets import FacilityStatusFilterSet
from compliance.history import Entry, readable
from compliance.selectors import facility_list
from facilities.models import department_name_on

EXCEL_CELL_LIMIT = 32_767
EXCEL_MAX_ROWS = 1_048_576  # rows of a sheet, header included
CSV_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM:SS"
HEADER_STYLE = {
    "bold": True,
    "font_color": "#FFFFFF",
    "bg_color": "#1F4E79",
    "pattern": 1,
    "text_wrap": True,
    "valign": "vcenter",
}
# What XML 1.0 cannot carry: C0 controls other than tab, LF, CR; lone surrogates.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")

Progress = Callable[[int], None]


def safe_text(value: str) -> str:
    """Text an .xlsx cell can hold unchanged, or with a visible marker where it cannot."""
    if _UNWRITABLE.search(value):
        value = _UNWRITABLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)
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
    """Naive Vietnam time: Excel has no time zones."""
    if timezone.is_aware(value):
        value = timezone.localtime(value, timezone.get_default_timezone())
    return value.replace(tzinfo=None)


def new_workbook(target=None) -> tuple[Workbook, object]:
    """A streaming workbook writing to ``target`` (an anonymous temporary file by default).

    ``constant_memory`` flushes each row when the next begins (rows must come in order);
    the ``strings_to_*`` options are off so that even a stray ``write`` never makes a
    formula, number or link out of text.
    """
    target = target if target is not None else tempfile.TemporaryFile()  # noqa: SIM115
    wb = Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    return wb, target


def close_workbook(wb: Workbook, target):
    wb.close()
    target.seek(0)
    return target


class SheetFull(Exception):
    """More rows than an Excel sheet holds: refused rather than silently dropped
    (XlsxWriter ignores a cell beyond the last row)."""


class SheetWriter:
    """One streamed sheet with typed, safe cells: a header row, then ``append`` per row.

    Each value goes to the XlsxWriter call for its type: text always as a string cell
    (made safe first only when it needs to be: control characters, over the cell limit),
    dates and datetimes with the dd/mm/yyyy formats, numbers and booleans as such.
    """

    def __init__(self, wb: Workbook, title: str, headers: list[str], widths: list[int]):
        self.ws = ws = wb.add_worksheet(title)
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 0)
        self._date = wb.add_format({"num_format": DATE_FORMAT})
        self._datetime = wb.add_format({"num_format": DATETIME_FORMAT})
        header_format = wb.add_format(HEADER_STYLE)
        for col, text in enumerate(headers):
            ws.write_string(0, col, safe_text(str(text)), header_format)
        self.row = 1
        self.max_rows = EXCEL_MAX_ROWS
        # The unadorned writers (XlsxWriter's public ones parse "A1" notation first).
        self._string = ws._write_string
        self._number = ws._write_number
        self._datetime_cell = ws._write_datetime
        self._boolean = ws._write_boolean

    def append(self, values: Iterable) -> None:
        row = self.row
        if row >= self.max_rows:
            raise SheetFull(
                _("Trang tính chỉ chứa được %(rows)s dòng; hãy lọc bớt trước khi xuất.")
                % {"rows": f"{self.max_rows:,}".replace(",", ".")}
            )
        self.row = row + 1
        for col, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if len(value) > EXCEL_CELL_LIMIT or _UNWRITABLE.search(value):
                    value = safe_text(value)
                self._string(row, col, value, None)
            elif value is None:
                continue
            elif kind is int or kind is float or kind is Decimal:
                self._number(row, col, value, None)
            elif kind is datetime.date:
                self._datetime_cell(row, col, value, self._date)
            else:
                self._other(row, col, value)

    def _other(self, row: int, col: int, value) -> None:
        if isinstance(value, bool):
            self._boolean(row, col, value, None)
        elif isinstance(value, datetime.datetime):
            self._datetime_cell(row, col, excel_datetime(value), self._datetime)
        elif isinstance(value, datetime.date):
            self._datetime_cell(row, col, value, self._date)
        elif isinstance(value, int | float | Decimal):
            self._number(row, col, value, None)
        else:  # str subclasses (lazy translations, SafeString) and anything else: text
            self._string(row, col, safe_text(str(value)), None)


@dataclass(frozen=True)
class ExportColumn:
    header: str
    width: int = 16
    # Choices whose label is written instead of the code (the code has its own column).
    labels: type | None = None

    def value(self, raw):
        return label_of(self.labels, raw) if self.labels is not None else raw


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
        # The words a reader needs, beside the codes a script needs.
        (
            "compliance_status",
            ExportColumn(
                _("Tình trạng tuân thủ (chữ) / Compliance status (label)"),
                28,
                labels=ComplianceStatus,
            ),
        ),
        (
            "certificate_status",
            ExportColumn(
                _("Giấy chứng nhận (chữ) / Certificate status (label)"),
                22,
                labels=CertificateStatus,
            ),
        ),
    ]
    return out


def _facility_values(queryset: QuerySet, columns) -> Iterator[list]:
    """Each facility's cells, in column order (a path may feed a code and a label column)."""
    paths = list(dict.fromkeys(p for p, _c in columns))
    index = [paths.index(p) for p, _c in columns]
    for row in queryset.values_list(*paths).iterator(chunk_size=2000):
        yield [c.value(row[i]) for i, (_p, c) in zip(index, columns, strict=True)]


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


def write_facilities(queryset: QuerySet, *, as_of: datetime.date, progress=None, target=None):
    """The facility registry (already scoped and filtered) as a workbook file object.

    ``queryset`` must be annotated by ``facilities_with_status`` (compliance_status...).
    """
    wb, target = new_workbook(target)
    columns = _facility_columns()
    sheet = SheetWriter(
        wb, FACILITIES.name, [c.header for _p, c in columns], [c.width for _p, c in columns]
    )
    for n, row in enumerate(_facility_values(queryset, columns), start=1):
        sheet.append(row)
        if progress and n % 2000 == 0:
            progress(n)
    _info_sheet(wb, _("Danh sách cơ sở sản xuất, kinh doanh"), as_of)
    return close_workbook(wb, target)


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
    for row in _facility_values(queryset, columns):
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
    wb, target = new_workbook(target)
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
    return close_workbook(wb, target)


def write_history(entries: Iterable[Entry], *, target=None):
    """The history entries (compliance/history.py's stream: oldest first per object) as a
    workbook: one row per changed field, one row without a field for a creation or a
    deletion. The stored values (as the API gives them), then the same values as the
    pages show them (names, labels, dd/mm/yyyy). The entries are written as they come, a
    batch at a time: each batch's names cost one query per model they point to."""
    wb, target = new_workbook(target)
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
        _("Đối tượng / Object (object)"),
        _("Giá trị cũ, như trên trang / Old as shown (old_shown)"),
        _("Giá trị mới, như trên trang / New as shown (new_shown)"),
    ]
    sheet = SheetWriter(wb, "History", headers, [18, 10, 10, 20, 16, 36, 18, 30, 30, 36, 30, 30])
    entries = iter(entries)
    while batch := list(islice(entries, HISTORY_BATCH)):
        for entry in readable(batch):
            base = [entry.label, entry.object_id, entry.type, entry.at, entry.username]
            base += [entry.reason]
            if entry.type != "changed" or not entry.changes:
                sheet.append([*base, None, None, None, entry.object_name, None, None])
                continue
            for change in entry.changes:
                sheet.append(
                    [
                        *base,
                        change.name,
                        change.old,
                        change.new,
                        entry.object_name,
                        change.old_text,
                        change.new_text,
                    ]
                )
    _info_sheet(wb, _("Lịch sử thay đổi"), timezone.localdate())
    return close_workbook(wb, target)


# Entries named together in one round of queries (memory stays small, queries few).
HISTORY_BATCH = 1000


def write_table(
    *, title: str, as_of: datetime.date, headers: list, widths: list[int], rows: Iterable
):
    """Any list of rows (already computed, in the page's order) as a workbook with the
    information sheet: the same safe cells as the registry export."""
    wb, target = new_workbook()
    sheet = SheetWriter(wb, safe_sheet_title(title), [str(h) for h in headers], widths)
    for row in rows:
        sheet.append(row)
    _info_sheet(wb, title, as_of)
    return close_workbook(wb, target)


def safe_sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of : \\ / ? * [ ]."""
    return re.sub(r"[:\\/?*\[\]]", " ", title)[:31].strip() or "Sheet1"


def _info_sheet(wb: Workbook, title: str, as_of: datetime.date) -> None:
    ws = wb.add_worksheet(_("Thông tin"))
    for row, text in enumerate(
        (
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
        )
    ):
        ws.write_string(row, 0, safe_text(str(text)))
