"""Files the importer refuses outright, with a clear message and nothing written.

Every hostile file is built here from scratch.
"""

import io
import time
import zipfile

import openpyxl
import pytest
from defusedxml import DefusedXmlException

from compliance.excel import importer
from compliance.excel.importer import ImportReport, import_workbook, read_workbook
from compliance.excel.safety import OLE_SIGNATURE, WorkbookRefused, check_workbook
from facilities.models import Enterprise
from tests.excel.workbooks import headers, members, rezip, workbook
from tests.factories import valid_tax_code

TAX = valid_tax_code(9101)


def good_book() -> bytes:
    return workbook({"Enterprises": [headers("Enterprises"), [TAX, "Công ty A", "", "", "", ""]]})


def refused(data: bytes, user) -> WorkbookRefused:
    with pytest.raises(WorkbookRefused) as info:
        import_workbook(data=data, file_name="x.xlsx", user=user, commit=True)
    assert not Enterprise.objects.exists()
    return info.value


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


@pytest.mark.django_db
class TestRefusedFiles:
    def test_a_csv_renamed_to_xlsx_is_not_a_workbook(self, admin_user):
        csv = "tax_code,name\n0100109106,Công ty A\n".encode()
        assert refused(csv, admin_user).code == "not_xlsx"

    def test_a_zip_that_is_not_a_workbook_is_refused(self, admin_user):
        assert refused(rezip({"readme.txt": b"hello"}), admin_user).code == "not_xlsx"

    def test_a_truncated_workbook_is_refused_not_a_crash(self, admin_user):
        data = good_book()
        assert refused(data[: len(data) // 2], admin_user).code == "not_xlsx"

    def test_a_legacy_xls_file_is_refused_with_advice_to_resave(self, admin_user):
        xls = OLE_SIGNATURE + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 2048
        error = refused(xls, admin_user)
        assert error.code == "legacy_xls" and ".xlsx" in error.message

    def test_an_encrypted_workbook_is_refused(self, admin_user):
        # Password-protected .xlsx files are Compound Files holding these two streams.
        encrypted = (
            OLE_SIGNATURE
            + b"\x00" * 504
            + "EncryptionInfo".encode("utf-16-le")
            + b"\x00" * 64
            + "EncryptedPackage".encode("utf-16-le")
            + b"\x00" * 2048
        )
        error = refused(encrypted, admin_user)
        assert error.code == "encrypted" and "mật khẩu" in error.message

    def test_a_macro_enabled_workbook_is_refused_even_named_xlsx(self, admin_user):
        parts = members(good_book())
        parts["[Content_Types].xml"] = (
            parts["[Content_Types].xml"]
            .replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
            .replace(
                b"</Types>",
                b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                b"</Types>",
            )
        )
        parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macro"
        # openpyxl itself opens this without a word: the check must come first.
        openpyxl.load_workbook(io.BytesIO(rezip(parts)), read_only=True).close()
        error = refused(rezip(parts), admin_user)
        assert error.code == "macro" and "macro" in error.message

    def test_a_billion_laughs_xml_bomb_is_refused(self, admin_user):
        parts = members(good_book())
        parts["xl/worksheets/sheet1.xml"] = BILLION_LAUGHS
        assert refused(rezip(parts), admin_user).code == "xml_entities"

    def test_openpyxl_parses_with_defusedxml_so_a_bomb_hidden_past_the_scan_is_refused(
        self, admin_user
    ):
        # A long comment pushes the DOCTYPE past the bytes our own scan looks at; the
        # parser itself (defusedxml) must still refuse the entities.
        assert openpyxl.DEFUSEDXML is True
        parts = members(good_book())
        parts["xl/worksheets/sheet1.xml"] = BILLION_LAUGHS.replace(
            b"\n<!DOCTYPE", b"\n<!--" + b"x" * 10_000 + b"-->\n<!DOCTYPE", 1
        )
        data = rezip(parts)
        check_workbook(data)  # passes the quick scan ...
        with pytest.raises(ValueError) as parse_error:  # openpyxl wraps the parser's error
            openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        assert isinstance(parse_error.value.__context__, DefusedXmlException)
        report = ImportReport(file_name="x.xlsx", dry_run=True)
        with pytest.raises(WorkbookRefused) as info:  # ... and the reader refuses it
            read_workbook(data, report=report)
        assert info.value.code == "xml_entities"

    def test_a_zip_bomb_is_refused_before_anything_is_inflated(self, admin_user, settings):
        parts = members(good_book())
        parts["xl/media/padding.bin"] = b"\0" * (20 * 1024 * 1024)  # ~20 KB compressed
        data = rezip(parts)
        assert len(data) < 200 * 1024
        assert refused(data, admin_user).code == "zip_bomb"

    def test_members_adding_up_past_the_limit_are_refused(self, admin_user, settings):
        settings.EXCEL_IMPORT_MAX_UNCOMPRESSED = 50_000
        parts = members(good_book())
        parts["xl/media/photo.bin"] = bytes(range(256)) * 400  # 100 KB, barely compressible
        assert refused(rezip(parts), admin_user).code == "zip_bomb"

    def test_an_upload_over_the_configured_size_is_refused(self, admin_user, settings):
        settings.EXCEL_IMPORT_MAX_BYTES = 1000
        error = refused(good_book(), admin_user)
        assert error.code == "too_large" and "MB" in error.message

    def test_a_lying_dimension_does_not_make_the_reader_walk_every_column(
        self, admin_user, monkeypatch
    ):
        parts = members(good_book())
        sheet = parts["xl/worksheets/sheet1.xml"]
        assert b'<dimension ref="A1:F2" />' in sheet
        parts["xl/worksheets/sheet1.xml"] = sheet.replace(
            b'<dimension ref="A1:F2" />', b'<dimension ref="A1:XFD1048576" />'
        )
        # Without our bound, read-only openpyxl would pad each row to 16,384 cells.
        ws = openpyxl.load_workbook(io.BytesIO(rezip(parts)), read_only=True).active
        assert ws.max_column == 16384
        data = rezip(parts)
        assert len(data) < 10_000
        started = time.perf_counter()
        report = import_workbook(data=data, file_name="x.xlsx", user=admin_user, commit=True)
        assert time.perf_counter() - started < 5
        assert report.valid and Enterprise.objects.filter(tax_code=TAX).exists()

    def test_a_row_beyond_the_row_limit_is_refused(self, admin_user, settings):
        settings.EXCEL_IMPORT_MAX_ROWS = 100
        parts = members(good_book())
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c>'
            b'<c r="B1048576" t="inlineStr"><is><t>y</t></is></c></row></sheetData>',
        )
        assert refused(rezip(parts), admin_user).code == "too_many_rows"

    def test_a_workbook_with_no_import_sheet_is_refused(self, admin_user):
        data = workbook({"Trang tính 1": [["a", "b"], [1, 2]]})
        assert refused(data, admin_user).code == "no_sheets"

    def test_the_read_bound_on_columns_is_in_force(self):
        assert importer.MAX_COLUMNS <= 100

    def test_a_stored_not_deflated_workbook_is_still_accepted(self, admin_user):
        data = rezip(members(good_book()), compression=zipfile.ZIP_STORED)
        report = import_workbook(data=data, file_name="x.xlsx", user=admin_user, commit=True)
        assert report.valid
