"""Builders for the workbooks the Excel tests feed the importer: friendly and hostile.

Every hostile file is made here, from scratch, so that what each test refuses is visible.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from compliance.excel.columns import SHEETS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui",
)


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx with the given sheets, each a list of rows (row 1 = headers)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def headers(sheet_name: str, style: str = "template") -> list[str]:
    """The header row of a sheet: template (bilingual), bare, vi or en labels."""
    sheet = next(s for s in SHEETS if s.name == sheet_name)
    if style == "template":
        return [c.header for c in sheet.columns]
    if style == "bare":
        return [c.field for c in sheet.columns]
    if style == "vi":
        return [c.label_vi for c in sheet.columns]
    return [c.label_en for c in sheet.columns]


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def rezip(parts: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return out.getvalue()


def convert_with_libreoffice(data: bytes, tmp_path: Path, target: str) -> Path:
    """Open ``data`` (.xlsx) in headless LibreOffice and save it as ``target`` (xlsx, pdf).

    A private profile directory keeps parallel runs from fighting over one profile.
    """
    src_dir = tmp_path / f"in-{uuid.uuid4().hex[:8]}"
    out_dir = tmp_path / f"out-{uuid.uuid4().hex[:8]}"
    src_dir.mkdir()
    out_dir.mkdir()
    source = src_dir / "book.xlsx"
    source.write_bytes(data)
    profile = f"file:///tmp/lo-envreg-excel-{uuid.uuid4().hex}"
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
    produced = list(out_dir.iterdir())
    assert result.returncode == 0 and produced, result.stderr.decode(errors="replace")
    return produced[0]


# --- a workbook written by hand the way Excel writes it ---------------------------------
# Excel (unlike openpyxl) mixes shared strings and inline strings, stores dates as serial
# numbers with a date style, and keeps "numbers stored as text" as strings.

CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK_XML = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Facilities" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""
STYLES_XML = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"""


def excel_style_workbook(sheet_xml: str, shared_strings: list[str]) -> bytes:
    """A one-sheet ("Facilities") workbook assembled from raw SpreadsheetML."""
    from xml.sax.saxutils import escape

    sst = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in shared_strings)
    return rezip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": ROOT_RELS,
            "xl/workbook.xml": WORKBOOK_XML,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
            "xl/styles.xml": STYLES_XML,
            "xl/sharedStrings.xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                f' count="{len(shared_strings)}" uniqueCount="{len(shared_strings)}">{sst}</sst>'
            ).encode(),
            "xl/worksheets/sheet1.xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f"<sheetData>{sheet_xml}</sheetData></worksheet>"
            ).encode(),
        }
    )
