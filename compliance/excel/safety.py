"""Checks an uploaded workbook must pass before openpyxl parses a single byte of it.

openpyxl opens what it is given: a macro-enabled workbook loads silently, a zip bomb is
inflated, a sheet that declares A1:XFD1048576 is padded to 16,384 columns per row in
read-only mode. Everything here looks at the raw bytes and the zip directory first and
refuses with a message a person can act on (Vietnamese, translatable). Nothing is written
before these checks pass.

XML entity expansion (billion laughs, external entities) is refused twice: defusedxml is
installed, so openpyxl parses with it, and every XML member is scanned for a DOCTYPE here
(an xlsx never needs one).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, or encrypted OOXML
ZIP_SIGNATURE = b"PK\x03\x04"
SPREADSHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
MAX_MEMBERS = 2_000
# A member that inflates more than this many times is a bomb, not a spreadsheet (real
# sheets compress 5–20×; a repeated empty row can reach ~100×, so the bar is generous).
MAX_RATIO = 250
RATIO_FLOOR_BYTES = 1024 * 1024  # small members may compress extremely well: ignore them
DOCTYPE_SCAN_BYTES = 4096


class WorkbookRefused(Exception):
    """The upload is not a workbook we will open; ``message`` says why, for the user."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CheckedWorkbook:
    """Bytes that passed every check, ready for openpyxl."""

    data: bytes
    uncompressed_size: int


def check_size(size: int) -> None:
    """Refuse uploads above EXCEL_IMPORT_MAX_BYTES (Django itself does not cap files)."""
    limit = settings.EXCEL_IMPORT_MAX_BYTES
    if size > limit:
        raise WorkbookRefused(
            _("Tệp quá lớn (%(size)s MB); tối đa %(limit)s MB.")
            % {"size": _mb(size), "limit": _mb(limit)},
            code="too_large",
        )


def check_workbook(data: bytes) -> CheckedWorkbook:
    """Run every check on the raw bytes of an upload; raise WorkbookRefused on the first."""
    check_size(len(data))
    if data.startswith(OLE_SIGNATURE):
        # Encrypted .xlsx files are wrapped in a Compound File with these streams.
        if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data:
            raise WorkbookRefused(
                _(
                    "Tệp được đặt mật khẩu (mã hóa). Hãy mở bằng Excel, bỏ mật khẩu"
                    " (Tệp → Thông tin → Bảo vệ sổ làm việc) rồi lưu lại dạng .xlsx."
                ),
                code="encrypted",
            )
        raise WorkbookRefused(
            _("Tệp là định dạng Excel cũ (.xls). Hãy mở và lưu lại dạng .xlsx."),
            code="legacy_xls",
        )
    if not data.startswith(ZIP_SIGNATURE):
        raise WorkbookRefused(_not_xlsx_message(), code="not_xlsx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise WorkbookRefused(_not_xlsx_message(), code="not_xlsx") from exc
    with archive:
        total = _check_sizes(members)
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or not any(
            n.startswith("xl/worksheets/") for n in names
        ):
            raise WorkbookRefused(_not_xlsx_message(), code="not_xlsx")
        content_types = _read_member(archive, "[Content_Types].xml")
        lowered = content_types.lower()
        if (
            b"vbaproject" in lowered
            or b"macroenabled" in lowered
            or any(n.lower().endswith("vbaproject.bin") for n in names)
        ):
            raise WorkbookRefused(
                _(
                    "Tệp có chứa macro (.xlsm). Vì an toàn, hệ thống không nhận tệp có macro:"
                    " hãy lưu lại dạng «Sổ làm việc Excel (.xlsx)»."
                ),
                code="macro",
            )
        if SPREADSHEET_MAIN.encode() not in content_types and (
            TEMPLATE_MAIN.encode() not in content_types
        ):
            raise WorkbookRefused(_not_xlsx_message(), code="not_xlsx")
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels")):
                with archive.open(member) as handle:
                    head = handle.read(DOCTYPE_SCAN_BYTES)
                if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                    raise WorkbookRefused(
                        _("Tệp có cấu trúc XML không hợp lệ (khai báo DOCTYPE/ENTITY)."),
                        code="xml_entities",
                    )
    return CheckedWorkbook(data=data, uncompressed_size=total)


def _check_sizes(members: list[zipfile.ZipInfo]) -> int:
    if len(members) > MAX_MEMBERS:
        raise WorkbookRefused(_("Tệp có quá nhiều thành phần."), code="zip_bomb")
    # zipfile stops inflating a member at its declared size (and then fails the CRC), so
    # the declared sizes are a real bound on what parsing can allocate.
    total = sum(m.file_size for m in members)
    if total > settings.EXCEL_IMPORT_MAX_UNCOMPRESSED:
        raise WorkbookRefused(
            _("Tệp giải nén ra quá lớn (%(size)s MB; tối đa %(limit)s MB).")
            % {"size": _mb(total), "limit": _mb(settings.EXCEL_IMPORT_MAX_UNCOMPRESSED)},
            code="zip_bomb",
        )
    for m in members:
        if m.file_size > RATIO_FLOOR_BYTES and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise WorkbookRefused(
                _("Tệp có tỷ lệ nén bất thường (nghi là «bom zip»)."), code="zip_bomb"
            )
    return total


def _read_member(archive: zipfile.ZipFile, name: str, limit: int = 1024 * 1024) -> bytes:
    with archive.open(name) as handle:
        return handle.read(limit)


def _not_xlsx_message() -> str:
    return _(
        "Tệp không phải là sổ làm việc Excel .xlsx (có thể là CSV hoặc .xls đổi tên)."
        " Hãy mở bằng Excel hoặc LibreOffice và lưu lại dạng .xlsx."
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")
