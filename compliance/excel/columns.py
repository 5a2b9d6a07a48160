"""The import workbook's sheets and columns: one table read by the template and the importer.

Header cells read ``Vietnamese / English (field_name)`` (docs/api.md, "Excel"); the importer
accepts that, the bare field name, or either label alone, in any column order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from compliance.choices import CertificateKind, MeasureCategory, MeasureKind
from facilities.choices import Activity
from facilities.text import search_key

TEXT, TAX_CODE, DATE, DECIMAL, CHOICE, DISTRICT, SECTOR, COMMUNE = (
    "text",
    "tax_code",
    "date",
    "decimal",
    "choice",
    "district",
    "sector",
    "commune",
)


@dataclass(frozen=True)
class Column:
    field: str
    label_vi: str
    label_en: str
    kind: str = TEXT
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    width: int = 18

    @property
    def header(self) -> str:
        return f"{self.label_vi} / {self.label_en} ({self.field})"


@dataclass(frozen=True)
class Sheet:
    name: str
    title_vi: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)


def _choices(choices) -> tuple[tuple[str, str], ...]:
    return tuple((str(value), str(label)) for value, label in choices)


ENTERPRISES = Sheet(
    "Enterprises",
    "Doanh nghiệp",
    (
        Column("tax_code", "Mã số thuế", "Tax code", TAX_CODE, True, width=16),
        Column("name", "Tên doanh nghiệp", "Name", required=True, width=36),
        Column("address", "Địa chỉ", "Address", width=36),
        Column("representative", "Người đại diện theo pháp luật", "Legal representative"),
        Column("phone", "Điện thoại", "Phone", width=14),
        Column("email", "Thư điện tử", "Email", width=24),
    ),
    key=("tax_code",),
)
FACILITIES = Sheet(
    "Facilities",
    "Cơ sở sản xuất, kinh doanh",
    (
        Column("code", "Mã cơ sở", "Facility code", required=True, width=14),
        Column("name", "Tên cơ sở", "Name", required=True, width=36),
        Column("enterprise_tax_code", "MST doanh nghiệp", "Enterprise tax code", TAX_CODE, True),
        Column("activity", "Loại hình", "Activity", CHOICE, True, _choices(Activity.choices)),
        Column("sector", "Ngành, lĩnh vực", "Sector", SECTOR, True, width=28),
        # A facility needs a district (before 1 July 2025) or a commune (from that day).
        Column("district", "Huyện / Thành phố", "District", DISTRICT, width=24),
        Column("address", "Địa chỉ", "Address", width=36),
        Column("latitude", "Vĩ độ", "Latitude", DECIMAL, width=12),
        Column("longitude", "Kinh độ", "Longitude", DECIMAL, width=12),
        Column("operating_since", "Ngày đi vào hoạt động", "Operating since", DATE, width=14),
        Column("closed_on", "Ngày ngừng hoạt động", "Closed on", DATE, width=14),
        # Last, so that files made before the reform (without it) keep their columns.
        Column(
            "commune", "Xã / Phường (từ 01/07/2025)", "Commune (from 2025-07-01)", COMMUNE, width=28
        ),
    ),
    key=("code",),
)
CERTIFICATES = Sheet(
    "Certificates",
    "Giấy chứng nhận, giấy phép, đăng ký môi trường",
    (
        Column("number", "Số giấy chứng nhận", "Certificate number", required=True, width=20),
        Column("facility_code", "Mã cơ sở", "Facility code", required=True, width=14),
        Column("issuer", "Cơ quan cấp", "Issuer", required=True, width=30),
        Column("issued_on", "Ngày cấp", "Issued on", DATE, True, width=14),
        # Empty only for an environmental registration (no term).
        Column("valid_until", "Có giá trị đến", "Valid until", DATE, width=14),
        Column("revoked_on", "Ngày thu hồi", "Revoked on", DATE, width=14),
        Column("revocation_reason", "Lý do thu hồi", "Revocation reason", width=30),
        # Last, as files made before 2022 have no such column; blank (or no column) means
        # a standards certificate.
        Column(
            "kind",
            "Loại giấy",
            "Kind",
            CHOICE,
            choices=_choices(CertificateKind.choices),
            width=36,
        ),
    ),
    key=("number",),
)
MEASURES = Sheet(
    "Measures",
    "Biện pháp công nghệ sạch, giảm thiểu ô nhiễm",
    (
        Column("facility_code", "Mã cơ sở", "Facility code", required=True, width=14),
        Column("kind", "Loại", "Kind", CHOICE, True, _choices(MeasureKind.choices), width=28),
        Column("category", "Nhóm", "Category", CHOICE, True, _choices(MeasureCategory.choices), 24),
        Column("installed_on", "Ngày lắp đặt", "Installed on", DATE, True, width=14),
        Column("removed_on", "Ngày tháo dỡ", "Removed on", DATE, width=14),
        Column("description", "Mô tả", "Description", width=40),
    ),
    key=("facility_code", "kind", "category", "installed_on"),
)
SHEETS: tuple[Sheet, ...] = (ENTERPRISES, FACILITIES, CERTIFICATES, MEASURES)

_FIELD_IN_PARENS = re.compile(r"\(\s*([A-Za-z_]+)\s*\)\s*$")
# Drop-down entries read "106 – Tam Đường": the code is what precedes the dash.
CODE_LABEL_SEPARATOR = " – "


def header_lookup(sheet: Sheet) -> dict[str, str]:
    """Folded header text → field name, for every spelling a header may take."""
    lookup = {}
    for c in sheet.columns:
        for spelling in (c.field, c.label_vi, c.label_en, f"{c.label_vi} / {c.label_en}"):
            lookup[search_key(spelling)] = c.field
    return lookup


def field_of_header(sheet: Sheet, text: str, lookup: dict[str, str]) -> str | None:
    """The field a header cell names: "(field)" suffix, bare field, or either label."""
    text = " ".join(str(text).split())
    match = _FIELD_IN_PARENS.search(text)
    if match and match.group(1) in {c.field for c in sheet.columns}:
        return match.group(1)
    return lookup.get(search_key(text))


INSTRUCTIONS_VI = _(
    "Mỗi trang tính (Enterprises, Facilities, Certificates, Measures) có thể bỏ trống hoặc"
    " xóa. Dòng 1 là tiêu đề; mỗi tiêu đề kết thúc bằng tên trường trong ngoặc, ví dụ"
    " «Tên cơ sở / Name (name)»; có thể đổi thứ tự cột."
)


# One example row per sheet (row 2 of the template). The importer refuses a row that
# still carries the example's key, so a forgotten example never enters the registry.
EXAMPLE_TAX_CODE = "0100109106"
EXAMPLES: dict[str, dict[str, object]] = {
    "Enterprises": {
        "tax_code": EXAMPLE_TAX_CODE,
        "name": "VÍ DỤ — Công ty TNHH Chè Tam Đường",
        "address": "Xã Bình Lư, huyện Tam Đường",
        "representative": "Nguyễn Văn An",
        "phone": "0213 3876 543",
        "email": "lienhe@example.com",
    },
    "Facilities": {
        "code": "VD-0001",
        "name": "VÍ DỤ — Nhà máy chè Bình Lư",
        "enterprise_tax_code": EXAMPLE_TAX_CODE,
        "activity": "production",
        "sector": "agro_forestry_processing",
        "district": "106",
        "commune": "03390",
        "address": "Bản Bình Lư",
        "latitude": 22.3964,
        "longitude": 103.4821,
        "operating_since": "2015-03-01",
        "closed_on": None,
    },
    "Certificates": {
        "number": "VD-GCN-01/STNMT",
        "kind": "standards_certificate",
        "facility_code": "VD-0001",
        "issuer": "Sở Tài nguyên và Môi trường Lai Châu",
        "issued_on": "2018-01-01",
        "valid_until": "2020-12-31",
        "revoked_on": None,
        "revocation_reason": "",
    },
    "Measures": {
        "facility_code": "VD-0001",
        "kind": "pollution_control",
        "category": "wastewater",
        "installed_on": "2016-04-01",
        "removed_on": None,
        "description": "Hệ thống xử lý nước thải",
    },
}
EXAMPLE_KEYS = {
    "Enterprises": ("tax_code", EXAMPLE_TAX_CODE),
    "Facilities": ("code", "VD-0001"),
    "Certificates": ("number", "VD-GCN-01/STNMT"),
    "Measures": ("facility_code", "VD-0001"),
}
