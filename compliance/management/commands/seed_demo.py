"""Load a realistic, deterministic Lai Châu demo registry and the demo logins.

    python manage.py seed_demo [--facilities N] [--seed S] [--user USERNAME]

What it writes: enterprises with valid tax codes (some branches, 10+3 digits),
facilities in all eight districts, every sector and all three activities, operating
since 2005 (some closed, some not yet operating), certificates with renewals, expiries
and revocations, clean-technology measures verified and not, and inspections from 2012
with every status, kind and outcome and findings with deadlines (resolved, pending and
overdue). Then one login per role, printed at the end.

Deterministic: the same ``--seed`` on the same day gives the same data (dates are laid
out relative to today, so that "overdue" and "expired" always exist).

Idempotent by *skipping*: facilities are keyed by their code (LC-000001, ...),
enterprises by their tax code, and both depend only on the position in the sequence,
not on the seed. A re-run writes only the facilities (with their certificates, measures
and inspections) whose code is not in the registry yet and leaves existing rows as they
are, so running it twice never duplicates anything, and ``--facilities 1000`` after the
default 300 adds the 700 missing ones. To start afresh, delete the database.

Every history row is attributed to ``--user`` (or the system account) with the reason
"seed_demo". Rows are generated in Python and written in batches with
``copy_create_with_reason``, a chunk of enterprises or facilities per transaction, by
forked writers on PostgreSQL (``--jobs``). Generating is as costly as storing at a
million facilities (docs/performance.md, "seed_demo"), so the rows are built as the
database will store them: instances without ``Model.__init__`` (``new``), text already
normalised (constants, search keys folded once per piece), weighted draws from totals
computed once — the same data for the same seed as the plain way would give.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import itertools
import multiprocessing
import os
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from stdnum.vn import mst

from compliance.choices import CertificateKind, MeasureCategory, MeasureKind
from compliance.models import LAW_2020_IN_FORCE, Certificate, CleanTechMeasure
from facilities.choices import Activity, Role
from facilities.history import change_context, copy_create_with_reason, system_user
from facilities.models import REFORM_DATE, District, Enterprise, Facility, Sector
from facilities.reference_data import COMMUNES
from facilities.services import user_create
from facilities.text import search_key
from inspections.choices import (
    FindingCategory,
    InspectionKind,
    InspectionStatus,
    Outcome,
    Severity,
)
from inspections.models import Finding, Inspection, RemediationEvidence

REASON = "seed_demo"
CHUNK = 5000
FIRST_OPERATING_DAY = datetime.date(2005, 1, 1)
FIRST_INSPECTION_DAY = datetime.date(2012, 1, 1)
YEAR = datetime.timedelta(days=365)
PROVINCE_TAX_PREFIX = "62"  # tax codes registered in Lai Châu start with 62

DEMO_PASSWORD = "LaiChau-2026"
DEMO_ENTERPRISE_NAME = "Công ty Cổ phần Chè Tam Đường"
# Marks the one visit written for the demo business's portal (see _portal_scenario).
DEMO_PORTAL_VISIT_SUMMARY = "Kiểm tra đột xuất: cổng doanh nghiệp (dữ liệu mẫu)"

# --- Lai Châu geography -----------------------------------------------------------------
# district code: (share of facilities in %, (lat, lon) of its centre, communes / wards)
DISTRICTS: dict[str, tuple[int, tuple[float, float], list[str]]] = {
    "105": (
        14,
        (22.396, 103.458),
        [
            "Phường Tân Phong",
            "Phường Đoàn Kết",
            "Phường Quyết Thắng",
            "Phường Quyết Tiến",
            "Phường Đông Phong",
            "Xã San Thàng",
            "Xã Sùng Phài",
        ],
    ),
    "106": (
        13,
        (22.338, 103.612),
        [
            "Thị trấn Tam Đường",
            "Xã Bình Lư",
            "Xã Bản Bo",
            "Xã Nà Tăm",
            "Xã Khun Há",
            "Xã Sơn Bình",
            "Xã Bản Giang",
            "Xã Thèn Sin",
        ],
    ),
    "107": (
        9,
        (22.374, 102.831),
        ["Thị trấn Mường Tè", "Xã Bum Tở", "Xã Ka Lăng", "Xã Mù Cả", "Xã Pa Ủ", "Xã Kan Hồ"],
    ),
    "108": (
        12,
        (22.359, 103.238),
        ["Thị trấn Sìn Hồ", "Xã Chăn Nưa", "Xã Pa Tần", "Xã Nậm Tăm", "Xã Noong Hẻo", "Xã Tả Phìn"],
    ),
    "109": (
        13,
        (22.530, 103.350),
        [
            "Thị trấn Phong Thổ",
            "Xã Mường So",
            "Xã Dào San",
            "Xã Huổi Luông",
            "Xã Bản Lang",
            "Xã Khổng Lào",
        ],
    ),
    "110": (
        15,
        (21.953, 103.890),
        ["Thị trấn Than Uyên", "Xã Mường Than", "Xã Phúc Than", "Xã Mường Kim", "Xã Tà Hừa"],
    ),
    "111": (
        14,
        (22.133, 103.731),
        ["Thị trấn Tân Uyên", "Xã Trung Đồng", "Xã Phúc Khoa", "Xã Mường Khoa", "Xã Pắc Ta"],
    ),
    "112": (
        10,
        (22.174, 103.182),
        ["Thị trấn Nậm Nhùn", "Xã Lê Lợi", "Xã Mường Mô", "Xã Nậm Hàng", "Xã Pú Đao"],
    ),
}
HAMLETS = [
    "Bản Nà Khuồng",
    "Bản Phiêng",
    "Bản Hon",
    "Bản Chu Va",
    "Bản Lở",
    "Bản Nậm Cuổi",
    "Bản Thẩm Phé",
    "Bản Sì Thâu Chải",
    "Bản Vàng Pheo",
    "Bản Mường Cang",
    "Tổ dân phố số 1",
    "Tổ dân phố số 3",
    "Tổ dân phố số 7",
    "Đường Trần Phú",
    "Đường Nguyễn Lương Bằng",
    "Đường Lê Duẩn",
]
RIVERS = ["Nậm Na", "Nậm Mu", "Nậm Lụm", "Nậm Cuổi", "Nậm Ma", "Sông Đà", "Nậm Kha", "Pa Vây Sử"]

# sector code: (share in %, weights of production / business / both, facility name stems)
SECTORS: dict[str, tuple[int, tuple[int, int, int], list[str]]] = {
    "mining": (7, (80, 5, 15), ["Mỏ đá", "Mỏ đất hiếm", "Xưởng tuyển quặng", "Mỏ cát sỏi"]),
    "agro_forestry_processing": (
        10,
        (60, 10, 30),
        ["Nhà máy chè", "Xưởng chế biến gỗ", "Xưởng chế biến thảo quả", "Xưởng sấy chè"],
    ),
    "construction_materials": (
        7,
        (70, 5, 25),
        ["Nhà máy gạch không nung", "Trạm trộn bê tông", "Xưởng gạch tuy-nen"],
    ),
    "hydropower": (6, (95, 0, 5), ["Nhà máy thủy điện"]),
    "traditional_crafts": (
        6,
        (30, 15, 55),
        ["Cơ sở dệt thổ cẩm", "Cơ sở rèn", "Cơ sở nấu rượu", "Cơ sở mây tre đan"],
    ),
    "livestock": (8, (85, 0, 15), ["Trang trại lợn", "Trang trại gà", "Trang trại bò"]),
    "slaughterhouse": (4, (40, 10, 50), ["Cơ sở giết mổ gia súc", "Lò giết mổ tập trung"]),
    "healthcare": (6, (0, 90, 10), ["Phòng khám đa khoa", "Trung tâm y tế", "Nhà thuốc"]),
    "tourism_hospitality": (
        12,
        (0, 85, 15),
        ["Khách sạn", "Nhà nghỉ", "Nhà hàng", "Homestay", "Khu du lịch sinh thái"],
    ),
    "trade_services": (
        17,
        (0, 90, 10),
        ["Cửa hàng xăng dầu", "Cửa hàng vật tư nông nghiệp", "Gara ô tô", "Chợ", "Siêu thị"],
    ),
    "manufacturing": (
        11,
        (65, 5, 30),
        ["Xưởng cơ khí", "Nhà máy nước sạch", "Xưởng in", "Xưởng may"],
    ),
    "other": (6, (35, 45, 20), ["Bãi xử lý rác", "Cơ sở rửa xe", "Xưởng giặt là"]),
}
ENTERPRISE_FORMS = [
    ("Công ty TNHH", 40),
    ("Công ty Cổ phần", 22),
    ("Công ty TNHH MTV", 15),
    ("Doanh nghiệp tư nhân", 10),
    ("Hợp tác xã", 8),
    ("Hộ kinh doanh", 5),
]
ENTERPRISE_WORDS = [
    "Thương mại và Dịch vụ",
    "Xây dựng",
    "Đầu tư và Phát triển",
    "Khoáng sản",
    "Năng lượng",
    "Nông lâm sản",
    "Chè",
    "Du lịch",
    "Vật liệu xây dựng",
    "Thủy điện",
    "Dược phẩm",
    "Môi trường xanh",
]
ENTERPRISE_NAMES = [
    "Hoàng Liên",
    "Tây Bắc",
    "Sơn Long",
    "Phúc Khoa",
    "Pu Ta Leng",
    "Sông Đà",
    "Tả Liên",
    "Hưng Phát",
    "Minh Thành",
    "An Bình",
    "Việt Lào",
    "Bình Minh",
    "Thiên Phúc",
    "Đồng Tâm",
    "Trường Sơn",
    "Kim Long",
]
SURNAMES = ["Nguyễn", "Trần", "Lò", "Lường", "Tòng", "Vàng", "Giàng", "Sùng", "Hoàng", "Phạm"]
SURNAMES += ["Lê", "Đỗ", "Bùi", "Tẩn", "Chảo", "Đặng", "Lý", "Vũ"]
MIDDLE_NAMES = ["Văn", "Thị", "A", "Seo", "Đức", "Minh", "Thị Thu", "Quang"]
GIVEN_NAMES = ["An", "Bình", "Chiến", "Dũng", "Hoa", "Lan", "Páo", "Sử", "Chư", "Mỷ", "Thắng"]
GIVEN_NAMES += ["Hùng", "Hằng", "Xuân", "Tuấn", "Phương", "Dế", "Cường", "Nga", "Khánh"]
ISSUER_PROVINCE = "Sở Tài nguyên và Môi trường tỉnh Lai Châu"
ISSUER_PERMIT = "UBND tỉnh Lai Châu"
REVOCATION_REASONS = [
    "Xả nước thải vượt quy chuẩn nhiều lần, không khắc phục.",
    "Cơ sở thay đổi công suất, không làm lại hồ sơ môi trường.",
    "Phát hiện khai báo không trung thực trong hồ sơ cấp giấy.",
    "Không thực hiện quan trắc môi trường định kỳ.",
]
MEASURES = {
    MeasureCategory.WASTEWATER: "Hệ thống xử lý nước thải sinh học",
    MeasureCategory.AIR_EMISSIONS: "Hệ thống lọc bụi túi vải và ống khói",
    MeasureCategory.SOLID_WASTE: "Khu tập kết, phân loại chất thải rắn",
    MeasureCategory.HAZARDOUS_WASTE: "Kho lưu giữ chất thải nguy hại đạt chuẩn",
    MeasureCategory.NOISE: "Tường và buồng cách âm cho máy",
    MeasureCategory.ENERGY_EFFICIENCY: "Lò sấy tiết kiệm năng lượng dùng sinh khối",
    MeasureCategory.OTHER: "Hệ thống tuần hoàn nước làm mát",
}
FINDINGS = {
    FindingCategory.WASTEWATER: ("Nước thải chưa qua xử lý thải ra suối", "Xây bể lắng, lọc"),
    FindingCategory.AIR_EMISSIONS: ("Bụi phát tán ra khu dân cư", "Lắp đặt hệ thống lọc bụi"),
    FindingCategory.SOLID_WASTE: ("Chất thải rắn để lộ thiên", "Thu gom về nơi quy định"),
    FindingCategory.HAZARDOUS_WASTE: (
        "Dầu thải chứa trong thùng hở",
        "Lưu giữ chất thải nguy hại trong kho có mái che",
    ),
    FindingCategory.NOISE: ("Tiếng ồn vượt quy chuẩn ban đêm", "Bố trí ca làm việc, cách âm"),
    FindingCategory.PERMIT: ("Chưa có hồ sơ môi trường được phê duyệt", "Lập hồ sơ môi trường"),
    FindingCategory.MONITORING_REPORTING: (
        "Không nộp báo cáo quan trắc định kỳ",
        "Thực hiện quan trắc và nộp báo cáo",
    ),
    FindingCategory.OTHER: ("Thiếu biển báo, sổ theo dõi", "Bổ sung biển báo, sổ theo dõi"),
}

# Demo logins printed at the end of the command (and by `make run`).
DEMO_LOGINS = [
    ("quantri", Role.ADMIN, "Quản trị sổ đăng ký (toàn quyền, vào /admin/)", "Lò Văn Quản"),
    (
        "kiemtra",
        Role.INSPECTOR,
        "Cán bộ kiểm tra Tam Đường (106) và Phong Thổ (109)",
        "Nguyễn Thị Hoa",
    ),
    ("doanhnghiep", Role.BUSINESS, f"Doanh nghiệp: {DEMO_ENTERPRISE_NAME}", "Phạm Văn Chè"),
    ("thamtra", Role.AUDITOR, "Cán bộ thẩm tra (chỉ xem)", "Vũ Thị Thẩm"),
]


class Weighted:
    """A weighted choice among fixed ``[(value, weight), ...]``, built once per list.

    ``draw(rng)`` is what ``rng.choices(values, weights)[0]`` returns, from the same one
    ``rng.random()`` (the bisection ``choices`` itself does, tests/compliance/
    test_core_seed_demo.py checks it), so the data is the same; without rebuilding the
    list and its running totals on each of the tens of millions of draws of a large seed.
    """

    def __init__(self, pairs):
        self.values, weights = zip(*pairs, strict=True)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1] + 0.0
        self.last = len(self.cumulative) - 1

    def draw(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total, 0, self.last)]


OWNED_FACILITIES = Weighted([(1, 70), (2, 18), (3, 8), (4, 4)])
FORMS = Weighted(ENTERPRISE_FORMS)
DISTRICT_SHARES = Weighted([(code, d[0]) for code, d in DISTRICTS.items()])
SECTOR_SHARES = Weighted([(code, s[0]) for code, s in SECTORS.items()])
SECTOR_ACTIVITIES = {
    code: Weighted(list(zip(Activity.values, s[1], strict=True))) for code, s in SECTORS.items()
}
MEASURE_COUNT = Weighted([(1, 70), (2, 25), (3, 5)])
MEASURE_KINDS = Weighted([(MeasureKind.POLLUTION_CONTROL, 65), (MeasureKind.CLEAN_TECHNOLOGY, 35)])
MEASURE_CATEGORIES = tuple(MeasureCategory)
FINDING_CATEGORIES = tuple(FindingCategory)
# A draft only as a facility's last visit (weight 0 keeps the same running totals' shape).
VISIT_STATUS = {
    is_last: Weighted(
        [
            (InspectionStatus.FINALIZED, 90),
            (InspectionStatus.CANCELLED, 4),
            (InspectionStatus.DRAFT, 6 if is_last else 0),
        ]
    )
    for is_last in (False, True)
}
VISIT_OUTCOMES = Weighted(
    [(Outcome.COMPLIANT, 55), (Outcome.COMPLIANT_WITH_REMARKS, 30), (Outcome.NON_COMPLIANT, 15)]
)
VISIT_KINDS = Weighted(
    [
        (InspectionKind.PERIODIC, 70),
        (InspectionKind.UNSCHEDULED, 12),
        (InspectionKind.FOLLOW_UP, 10),
        (InspectionKind.COMPLAINT, 8),
    ]
)
SEVERITIES = {
    True: Weighted([(Severity.MINOR, 50), (Severity.MAJOR, 35), (Severity.CRITICAL, 15)]),
    False: Weighted([(Severity.MINOR, 85), (Severity.MAJOR, 15)]),
}  # by "the visit found the facility non-compliant"


def new(model, **values):
    """An unsaved ``model`` instance holding ``values`` (attnames) and the fields'
    defaults: what ``model(**values)`` builds, the way unpickling builds an instance
    (``__new__`` and its attribute dict), without the per-field work of ``__init__``
    that cost as much as the rest of generating a facility (docs/performance.md,
    "seed_demo"). None of these models has a callable default or an init signal; a test
    compares the two ways field by field."""
    obj = model.__new__(model)
    obj.__dict__.update(_DEFAULTS[model])
    obj.__dict__.update(values)
    obj._state = ModelState()
    return obj


_DEFAULTS = {
    model: {f.attname: f.get_default() for f in model._meta.concrete_fields}
    for model in (Enterprise, Facility, Certificate, CleanTechMeasure, Inspection, Finding)
}


def code_key(text: str) -> str:
    """``search_key`` of a code or number: for ASCII text, folding is lower-casing."""
    return " ".join(text.lower().split()) if text.isascii() else search_key(text)


@functools.cache
def text_key(text: str) -> str:
    """``search_key`` of one piece of text, remembered: names, addresses and issuers are
    drawn from a few thousand combinations of the constants above."""
    return search_key(text)


def joined_key(*keys: str) -> str:
    """``search_key(a, b, ...)`` from ``search_key`` of each part: folding works character
    by character and a space ends every combining sequence, so the key of parts joined
    by spaces is their keys joined (a test checks it on the generated rows)."""
    return " ".join(k for k in keys if k)


def day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    if last <= first:
        return first
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def tax_codes():
    """Valid Lai Châu tax codes in a fixed order: 62 + 7-digit sequence + check digit."""
    sequence = 1000
    while True:
        sequence += 1
        body = f"{PROVINCE_TAX_PREFIX}{sequence:07d}"
        code = body + mst.calc_check_digit(body)
        if mst.is_valid(code):  # a body whose check digit would be 10 has no valid code
            yield code


@dataclass
class EnterprisePlan:
    tax_code: str
    name: str
    district: str
    address: str
    representative: str
    phone: str
    email: str


@dataclass
class FacilityPlan:
    index: int
    enterprise: int
    district: str
    sector: str
    activity: str
    facility: Facility
    certificates: list[Certificate] = field(default_factory=list)
    measures: list[CleanTechMeasure] = field(default_factory=list)
    # (inspection, inspector user ids, findings)
    inspections: list[tuple[Inspection, list[int], list[Finding]]] = field(default_factory=list)


class Generator:
    """Builds the demo rows in Python, deterministically from the seed and today's date."""

    def __init__(self, *, seed: int, facilities: int, today: datetime.date):
        self.seed = seed
        self.count = facilities
        self.today = today
        self.zone = timezone.get_current_timezone()
        self.inspectors: dict[str, list[int]] = {}  # district code -> user ids (set later)
        rng = random.Random(f"{seed}:owners")
        # Facility i belongs to enterprise owner[i]: most own one facility, a few several.
        # The first enterprise is the demo business user's, with three facilities.
        self.owner: list[int] = [0, 0, 0]
        enterprise = 0
        while len(self.owner) < facilities:
            enterprise += 1
            size = OWNED_FACILITIES.draw(rng)
            self.owner.extend([enterprise] * size)
        del self.owner[facilities:]
        self.enterprise_count = (self.owner[-1] + 1) if facilities else 0

    # --- enterprises --------------------------------------------------------------------
    def enterprises(self) -> list[EnterprisePlan]:
        codes = tax_codes()
        plans: list[EnterprisePlan] = []
        branches: dict[str, int] = {}
        for k in range(self.enterprise_count):
            rng = random.Random(f"{self.seed}:enterprise:{k}")
            district = self._district(rng, k)
            # About one in thirty is a branch (chi nhánh) of an earlier enterprise: the
            # parent's 10 digits and a 3-digit branch number.
            if k > 10 and rng.random() < 0.035:
                parent = plans[rng.randrange(0, k)]
                if "-" not in parent.tax_code:
                    branches[parent.tax_code] = branch = branches.get(parent.tax_code, 0) + 1
                    plans.append(
                        EnterprisePlan(
                            tax_code=f"{parent.tax_code}-{branch:03d}",
                            name=f"Chi nhánh {parent.name} tại {self._district_name(district)}",
                            district=district,
                            address=self._address(rng, district),
                            representative=self._person(rng),
                            phone=self._phone(rng),
                            email="",
                        )
                    )
                    continue
            code = next(codes)
            if k == 0:
                name = DEMO_ENTERPRISE_NAME
                district = "106"
            else:
                form = FORMS.draw(rng)
                name = f"{form} {rng.choice(ENTERPRISE_WORDS)} {rng.choice(ENTERPRISE_NAMES)}"
            plans.append(
                EnterprisePlan(
                    tax_code=code,
                    name=name,
                    district=district,
                    address=self._address(rng, district),
                    representative=self._person(rng),
                    phone=self._phone(rng),
                    email=f"lienhe{code}@example.vn" if rng.random() < 0.6 else "",
                )
            )
        return plans

    # --- facilities and everything that hangs off them ------------------------------------
    def facility(self, i: int, enterprise_id: int, enterprise_district: str) -> FacilityPlan:
        rng = random.Random(f"{self.seed}:facility:{i}")
        if self.owner[i] == 0:
            district, sector, activity = "106", "agro_forestry_processing", Activity.BOTH
        else:
            # The first facilities walk through every district, sector and activity, so
            # that even a small data set has them all.
            district = (
                list(DISTRICTS)[i % 8]
                if i < 24
                else (enterprise_district if rng.random() < 0.6 else self._district(rng, i))
            )
            sector = list(SECTORS)[i % 12] if i < 24 else SECTOR_SHARES.draw(rng)
            activity = (
                [Activity.PRODUCTION, Activity.BUSINESS, Activity.BOTH][i % 3]
                if i < 24
                else SECTOR_ACTIVITIES[sector].draw(rng)
            )
        stem = rng.choice(SECTORS[sector][2])
        commune = rng.choice(DISTRICTS[district][2])
        place = commune.removeprefix("Thị trấn ").removeprefix("Phường ").removeprefix("Xã ")
        if sector == "hydropower":
            name = f"{stem} {rng.choice(RIVERS)} {rng.randint(1, 4)}"
        else:
            name = f"{stem} {place}"

        # Operating dates: mostly 2005..today; some planned (no date) or opening later.
        roll = rng.random()
        if roll < 0.03:
            operating_since = None
        elif roll < 0.06:
            operating_since = self.today + datetime.timedelta(days=rng.randint(10, 400))
        else:
            operating_since = day_between(rng, FIRST_OPERATING_DAY, self.today)
        closed_on = None
        if operating_since and operating_since < self.today and rng.random() < 0.08:
            closed_on = day_between(rng, operating_since + datetime.timedelta(days=180), self.today)
            if not operating_since < closed_on <= self.today:
                closed_on = None
        latitude = longitude = None
        if rng.random() < 0.9:
            lat, lon = DISTRICTS[district][1]
            latitude = Decimal(f"{lat + rng.uniform(-0.08, 0.08):.6f}")
            longitude = Decimal(f"{lon + rng.uniform(-0.08, 0.08):.6f}")

        commune_id, recorded_district = self._commune(i, district, operating_since, closed_on)
        code = facility_code(i)
        address = f"{rng.choice(HAMLETS)}, {commune}, {self._district_name(district)}"
        plan = FacilityPlan(
            index=i,
            enterprise=self.owner[i],
            district=district,
            sector=sector,
            activity=activity,
            # Built normalised (the text is made of NFC constants): written as it is.
            facility=new(
                Facility,
                code=code,
                name=name,
                enterprise_id=enterprise_id,
                activity=activity,
                sector_id=sector,
                district_id=recorded_district,
                commune_id=commune_id,
                address=address,
                latitude=latitude,
                longitude=longitude,
                operating_since=operating_since,
                closed_on=closed_on,
                search_key=joined_key(code_key(code), text_key(name), text_key(address)),
            ),
        )
        if operating_since and operating_since <= self.today:
            end = closed_on or self.today
            self._certificates(rng, plan, operating_since, end)
            self._measures(rng, plan, operating_since, end)
            self._inspections(rng, plan, operating_since, end)
        return plan

    def _commune(
        self, i: int, district: str, operating_since, closed_on
    ) -> tuple[str | None, str | None]:
        """(commune, recorded district) of facility ``i`` (docs/geography.md).

        Facilities active from 1 July 2025 get a commune of their district (nine in ten:
        the rest are the data gaps the dashboard lists); half of those opened since then
        record no district — in the five straddling communes that leaves them with none.
        A random stream of its own, so that the other demo data stays as it was.
        """
        active_after = operating_since is not None and (
            closed_on is None or closed_on > REFORM_DATE
        )
        if not active_after:
            return None, district
        rng = random.Random(f"{self.seed}:commune:{i}")
        opened_after = operating_since >= REFORM_DATE
        if not opened_after and rng.random() < 0.1:
            return None, district
        candidates = [code for code, _n, _k, former in COMMUNES if district in former]
        straddling = [code for code, _n, _k, former in COMMUNES if len(former) > 1]
        # Straddling communes more often than their share, so the demo shows them.
        preferred = [c for c in candidates if c in straddling]
        commune = (
            rng.choice(preferred) if preferred and rng.random() < 0.4 else rng.choice(candidates)
        )
        if opened_after and rng.random() < 0.5:
            return commune, None
        return commune, district

    def _instrument(self, plan: FacilityPlan, n: int, issued) -> str:
        """The kind of the n-th instrument: the plan's certificate before 2022, then an
        environmental permit or (two in five) a registration."""
        if issued < LAW_2020_IN_FORCE:
            return CertificateKind.STANDARDS_CERTIFICATE
        rng = random.Random(f"{self.seed}:instrument:{plan.index}:{n}")
        if rng.random() < 0.4:
            return CertificateKind.ENVIRONMENTAL_REGISTRATION
        return CertificateKind.ENVIRONMENTAL_PERMIT

    def _certificates(self, rng, plan: FacilityPlan, start, end) -> None:
        wants = 0.8 if plan.activity != Activity.PRODUCTION else 0.15
        if rng.random() >= wants:
            return
        issued = start + datetime.timedelta(days=rng.randint(20, 500))
        n = 0
        while issued <= end:
            n += 1
            years = rng.choice([3, 5])
            valid_until = add_years(issued, years) - datetime.timedelta(days=1)
            issuer = (
                ISSUER_PROVINCE
                if rng.random() < 0.85
                else f"UBND {self._district_name(plan.district)}"
            )
            kind = self._instrument(plan, n, issued)
            number = f"{plan.index + 1:06d}.{n}/GCN-STNMT"
            if kind == CertificateKind.ENVIRONMENTAL_PERMIT:
                # Terms of 7 or 10 years (Art. 40), ending the day before the anniversary.
                valid_until = add_years(issued, 7 if years == 3 else 10) - datetime.timedelta(
                    days=1
                )
                number = f"{plan.index + 1:06d}.{n}/GPMT-UBND"
                issuer = ISSUER_PERMIT
            elif kind == CertificateKind.ENVIRONMENTAL_REGISTRATION:
                valid_until = None
                number = f"{plan.index + 1:06d}.{n}/DKMT"
                issuer = "UBND xã"
            certificate = new(
                Certificate,
                kind=kind,
                number=number,
                issuer=issuer,
                issued_on=issued,
                valid_until=valid_until,
                search_key=joined_key(code_key(number), text_key(issuer)),
            )
            if rng.random() < 0.06:
                certificate.revoked_on = day_between(
                    rng, issued, min(valid_until or self.today, self.today)
                )
                certificate.revocation_reason = rng.choice(REVOCATION_REASONS)
            plan.certificates.append(certificate)
            if certificate.revoked_on:
                # A revoked facility applies again some months later, or never.
                if rng.random() < 0.5:
                    return
                issued = certificate.revoked_on + datetime.timedelta(days=rng.randint(60, 400))
                continue
            if valid_until is None:
                return  # a registration stays in force until revoked
            if rng.random() < 0.2:
                return  # not renewed: the certificate expires (or will)
            issued = valid_until + datetime.timedelta(days=rng.randint(-30, 90))

    def _measures(self, rng, plan: FacilityPlan, start, end) -> None:
        if plan.activity == Activity.BUSINESS and rng.random() < 0.85:
            return
        if rng.random() < 0.35:
            return
        for _ in range(MEASURE_COUNT.draw(rng)):
            installed = (
                start if rng.random() < 0.5 else day_between(rng, start, min(end, self.today))
            )
            category = rng.choice(MEASURE_CATEGORIES)
            measure = new(
                CleanTechMeasure,
                kind=MEASURE_KINDS.draw(rng),
                category=category,
                description=MEASURES[category],
                installed_on=installed,
            )
            if rng.random() < 0.65:
                verified = installed + datetime.timedelta(days=rng.randint(5, 400))
                if verified <= self.today:
                    measure.verified_on = verified
                    measure.verified_by_id = rng.choice(self.inspectors[plan.district])
            if rng.random() < 0.1 and installed < self.today:
                measure.removed_on = day_between(rng, installed, self.today)
            plan.measures.append(measure)

    def _inspections(self, rng, plan: FacilityPlan, start, end) -> None:
        if rng.random() < 0.1:
            return  # never inspected: "not assessed"
        visited = max(start, FIRST_INSPECTION_DAY) + datetime.timedelta(days=rng.randint(30, 900))
        pool = self.inspectors[plan.district]
        while visited <= end:
            is_last = visited + datetime.timedelta(days=700) > end
            status = VISIT_STATUS[is_last].draw(rng)
            outcome = ""
            if status == InspectionStatus.FINALIZED or (
                status == InspectionStatus.DRAFT and rng.random() < 0.5
            ):
                outcome = VISIT_OUTCOMES.draw(rng)
            team = rng.sample(pool, k=min(len(pool), rng.choice([1, 2, 2])))
            inspection = new(
                Inspection,
                kind=VISIT_KINDS.draw(rng),
                visited_on=visited,
                status=status,
                outcome=outcome,
                summary=_summary(outcome, status),
            )
            if status == InspectionStatus.FINALIZED:
                finalized = visited + datetime.timedelta(days=rng.randint(0, 10))
                # make_aware's value, with the zone looked up once (not per visit).
                inspection.finalized_at = datetime.datetime.combine(
                    min(finalized, self.today), datetime.time(16, 30), tzinfo=self.zone
                )
                inspection.finalized_by_id = team[0]
            findings = self._findings(rng, visited, outcome) if status != "cancelled" else []
            plan.inspections.append((inspection, team, findings))
            visited += datetime.timedelta(days=rng.randint(450, 1500))

    def _findings(self, rng, visited, outcome) -> list[Finding]:
        how_many = {
            Outcome.COMPLIANT: 0,
            Outcome.COMPLIANT_WITH_REMARKS: rng.choice([1, 1, 2]),
            Outcome.NON_COMPLIANT: rng.choice([1, 2, 3]),
        }.get(outcome, 0)
        findings = []
        for _ in range(how_many):
            category = rng.choice(FINDING_CATEGORIES)
            description, action = FINDINGS[category]
            finding = new(
                Finding,
                category=category,
                description=description,
                corrective_action=action,
                severity=SEVERITIES[outcome == Outcome.NON_COMPLIANT].draw(rng),
            )
            if rng.random() < 0.9:
                finding.deadline = visited + datetime.timedelta(days=rng.choice([30, 60, 90, 180]))
                # Old findings are nearly all resolved; recent ones often still open.
                resolved_share = 0.97 if finding.deadline < self.today - YEAR else 0.6
                if finding.deadline < self.today and rng.random() < resolved_share:
                    # Resolved on time mostly, sometimes late; never before the visit.
                    finding.resolved_on = min(
                        day_between(rng, visited, finding.deadline + datetime.timedelta(days=60)),
                        self.today,
                    )
            findings.append(finding)
        return findings

    # --- small helpers ------------------------------------------------------------------
    def _district(self, rng, salt) -> str:
        return DISTRICT_SHARES.draw(rng)

    @staticmethod
    def _district_name(code: str) -> str:
        return {
            "105": "Thành phố Lai Châu",
            "106": "huyện Tam Đường",
            "107": "huyện Mường Tè",
            "108": "huyện Sìn Hồ",
            "109": "huyện Phong Thổ",
            "110": "huyện Than Uyên",
            "111": "huyện Tân Uyên",
            "112": "huyện Nậm Nhùn",
        }[code]

    def _address(self, rng, district) -> str:
        commune = rng.choice(DISTRICTS[district][2])
        return f"{rng.choice(HAMLETS)}, {commune}, {self._district_name(district)}, tỉnh Lai Châu"

    @staticmethod
    def _person(rng) -> str:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"

    @staticmethod
    def _phone(rng) -> str:
        return f"0213 {rng.randint(100, 999)} {rng.randint(100, 999)}"


def _summary(outcome: str, status: str) -> str:
    if status == InspectionStatus.CANCELLED:
        return "Hủy do cơ sở tạm dừng hoạt động trong đợt kiểm tra."
    return {
        Outcome.COMPLIANT: "Cơ sở thực hiện đầy đủ các biện pháp bảo vệ môi trường.",
        Outcome.COMPLIANT_WITH_REMARKS: "Cơ sở cơ bản đạt yêu cầu, có kiến nghị khắc phục.",
        Outcome.NON_COMPLIANT: "Cơ sở vi phạm quy định về bảo vệ môi trường.",
    }.get(outcome, "Đang lập biên bản kiểm tra.")


def facility_code(index: int) -> str:
    """The demo facility code of position ``index`` (0-based): LC-000001, LC-000002, ..."""
    return f"LC-{index + 1:06d}"


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu tỉnh Lai Châu (xác định theo --seed) và tạo tài khoản dùng thử."

    def add_arguments(self, parser):
        parser.add_argument("--facilities", type=int, default=300, help="số cơ sở (mặc định 300)")
        parser.add_argument("--seed", type=int, default=1498, help="hạt giống ngẫu nhiên")
        parser.add_argument(
            "--user", help="tên đăng nhập ghi vào lịch sử thay đổi (mặc định: tài khoản hệ thống)"
        )
        parser.add_argument(
            "--jobs",
            type=int,
            help="số tiến trình ghi song song trên PostgreSQL (mặc định: số lõi CPU)",
        )

    def handle(
        self, *args, facilities: int, seed: int, user: str | None, jobs: int | None, **options
    ):
        if facilities < 0:
            raise CommandError("--facilities phải là số không âm.")
        if jobs is None:
            jobs = os.cpu_count() or 1
        if jobs < 1:
            raise CommandError("--jobs phải từ 1 trở lên.")
        if not District.objects.exists() or not Sector.objects.exists():
            raise CommandError("Chưa có danh mục huyện, ngành: chạy `manage.py migrate` trước.")
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"Không có người dùng {user!r}.") from exc
        else:
            actor = system_user()
        started = time.monotonic()
        with change_context(user=actor, reason=REASON):
            written = self._seed(facilities=facilities, seed=seed, actor=actor, jobs=jobs)
        elapsed = time.monotonic() - started
        self.stdout.write(
            "Dữ liệu mẫu: "
            + ", ".join(f"{n} {label}" for label, n in written.items())
            + f" mới ghi ({elapsed:.1f} giây)."
        )
        self._print_logins()

    def _seed(self, *, facilities: int, seed: int, actor, jobs: int) -> dict[str, int]:
        today = timezone.localdate()
        generator = Generator(seed=seed, facilities=facilities, today=today)
        counts = dict.fromkeys(
            ["doanh nghiệp", "cơ sở", "giấy chứng nhận", "biện pháp", "đợt kiểm tra", "tồn tại"], 0
        )

        # Enterprises: keyed by tax code; existing ones are reused as they are.
        plans = generator.enterprises()
        existing = dict(Enterprise.objects.values_list("tax_code", "id"))
        missing = [p for p in plans if p.tax_code not in existing]
        batches = [
            range(first, min(first + CHUNK, len(missing)))
            for first in range(0, len(missing), CHUNK)
        ]
        for written_ids in _run_chunks(EnterpriseWork(missing, actor), batches, jobs=jobs):
            existing.update(written_ids)
        counts["doanh nghiệp"] = len(missing)
        enterprise_ids = [existing[p.tax_code] for p in plans]
        self._demo_logins(actor, demo_enterprise_id=enterprise_ids[0] if plans else None)
        generator.inspectors = self._inspector_pool()

        work = ChunkWork(
            generator=generator,
            enterprise_ids=enterprise_ids,
            enterprise_districts=[p.district for p in plans],
            actor=actor,
        )
        chunks = [
            range(first, min(first + CHUNK, facilities)) for first in range(0, facilities, CHUNK)
        ]
        for written_in_chunk in _run_chunks(work, chunks, jobs=jobs):
            for label, n in written_in_chunk.items():
                counts[label] += n
        if plans and facilities:
            with transaction.atomic():
                self._portal_scenario(enterprise_ids[0], today, counts)
        return counts

    @staticmethod
    def _portal_scenario(enterprise_id: int, today: datetime.date, counts) -> None:
        """What the demo business sees on its portal whatever the random draw gave it
        (docs/web.md, "Business portal"): a certificate expiring within 90 days, an open
        corrective action, and evidence of another one waiting for the inspector.

        Written once (the visit's summary marks it); attributed like every seeded row
        to the command's user with the reason "seed_demo" (the surrounding context).
        """
        users = get_user_model().objects
        business = users.filter(username="doanhnghiep").first()
        inspector = users.filter(username="kiemtra").first()
        facilities = list(Facility.objects.filter(enterprise_id=enterprise_id).order_by("code"))
        if business is None or inspector is None or not facilities:
            return
        if Inspection.objects.filter(
            facility__in=facilities, summary=DEMO_PORTAL_VISIT_SUMMARY
        ).exists():
            return
        # A certificate expiring within 90 days on a facility that holds no longer one.
        expiring = today + datetime.timedelta(days=60)
        for facility in facilities:
            valid = [
                c
                for c in facility.certificates.all()
                if c.revoked_on is None
                and c.issued_on <= today
                and (c.valid_until is None or c.valid_until >= today)
            ]
            if any(c.valid_until is None or c.valid_until > expiring for c in valid):
                continue
            if not valid:
                certificate = Certificate(
                    facility=facility,
                    kind=CertificateKind.ENVIRONMENTAL_PERMIT,
                    number=f"{facility.code}.DEMO/GPMT-UBND",
                    issuer=ISSUER_PERMIT,
                    issued_on=max(LAW_2020_IN_FORCE, add_years(expiring, -7)),
                    valid_until=expiring,
                )
                certificate.full_clean()
                certificate.save()
                counts["giấy chứng nhận"] += 1
            break
        # A finalized visit with two corrective actions still open; evidence waits on one.
        facility = facilities[0]
        visit = Inspection(
            facility=facility,
            kind=InspectionKind.UNSCHEDULED,
            visited_on=today - datetime.timedelta(days=40),
            status=InspectionStatus.FINALIZED,
            outcome=Outcome.COMPLIANT_WITH_REMARKS,
            summary=DEMO_PORTAL_VISIT_SUMMARY,
            finalized_by=inspector,
            finalized_at=timezone.now() - datetime.timedelta(days=38),
        )
        visit.full_clean()
        visit.save()
        visit.inspectors.add(inspector)
        open_action, answered = (
            Finding(
                inspection=visit,
                category=category,
                description=FINDINGS[category][0],
                corrective_action=FINDINGS[category][1],
                severity=Severity.MINOR,
                deadline=today + datetime.timedelta(days=days),
            )
            for category, days in (
                (FindingCategory.HAZARDOUS_WASTE, 30),
                (FindingCategory.MONITORING_REPORTING, 15),
            )
        )
        for finding in (open_action, answered):
            finding.full_clean()
            finding.save()
        evidence = RemediationEvidence(
            finding=answered,
            note="Đã lập sổ theo dõi và gửi báo cáo quan trắc quý gần nhất.",
            completed_on=today - datetime.timedelta(days=3),
            submitted_by=business,
        )
        evidence.full_clean()
        evidence.save()
        counts["đợt kiểm tra"] += 1
        counts["tồn tại"] += 2

    @staticmethod
    def _inspector_pool() -> dict[str, list[int]]:
        """Two field inspectors per district (no password: they appear in the records),
        plus the demo inspector in Tam Đường and Phong Thổ."""
        pool: dict[str, list[int]] = {}
        users = get_user_model().objects
        for code in DISTRICTS:
            ids = []
            for n in (1, 2):
                username = f"canbo{code}-{n}"
                found = users.filter(username=username).first()
                if found is None:
                    rng = random.Random(username)
                    found = user_create(
                        username=username,
                        role=Role.INSPECTOR,
                        districts=[code],
                        full_name=Generator._person(rng),
                    )
                ids.append(found.pk)
            if code in ("106", "109"):
                ids.append(users.get(username="kiemtra").pk)
            pool[code] = ids
        return pool

    @staticmethod
    def _demo_logins(actor, *, demo_enterprise_id: int | None) -> None:
        """One login per role with the known demo password (updated on every run)."""
        for username, role, _label, full_name in DEMO_LOGINS:
            if role == Role.BUSINESS and demo_enterprise_id is None:
                continue
            user = user_create(
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                districts=["106", "109"] if role == Role.INSPECTOR else (),
                enterprise=Enterprise.objects.get(pk=demo_enterprise_id)
                if role == Role.BUSINESS
                else None,
                full_name=full_name,
                email=f"{username}@example.vn",
            )
            if role == Role.ADMIN and not user.is_superuser:
                user.is_superuser = True
                user.is_staff = True
                user.save(update_fields=["is_superuser", "is_staff"])

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Tài khoản dùng thử (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, _role, label, _name in DEMO_LOGINS:
            self.stdout.write(f"  {username:<12} {label}")
        self.stdout.write("Đăng nhập tại http://127.0.0.1:8000/admin/ (hoặc trang chủ /).")


def _enterprise(plan: EnterprisePlan) -> Enterprise:
    """The enterprise of ``plan``, normalised: its tax code is canonical as generated."""
    return new(
        Enterprise,
        name=plan.name,
        tax_code=plan.tax_code,
        address=plan.address,
        representative=plan.representative,
        phone=plan.phone,
        email=plan.email,
        search_key=joined_key(
            text_key(plan.name),
            code_key(plan.tax_code),
            text_key(plan.representative),
            text_key(plan.address),
        ),
    )


@dataclass
class ChunkWork:
    """What every chunk of facilities needs: the generator (each facility's data depends
    only on its position and the seed), the enterprises' ids and districts, the actor."""

    generator: Generator
    enterprise_ids: list[int]
    enterprise_districts: list[str]
    actor: object

    def write(self, indices: range) -> dict[str, int]:
        """Generate and write the facilities of ``indices`` not in the registry yet, with
        everything they hold, in one transaction; the counts written."""
        taken = set(
            Facility.objects.filter(code__in=[facility_code(i) for i in indices]).values_list(
                "code", flat=True
            )
        )
        owner = self.generator.owner
        chunk = [
            self.generator.facility(
                i, self.enterprise_ids[owner[i]], self.enterprise_districts[owner[i]]
            )
            for i in indices
            if facility_code(i) not in taken
        ]
        if not chunk:
            return {}
        with transaction.atomic():
            return _write_chunk(chunk, self.actor)


@dataclass
class EnterpriseWork:
    """The enterprises not in the registry yet, written by chunks like the facilities
    (at 1,000,000 facilities they are 700,000: one writer would leave a core idle)."""

    plans: list[EnterprisePlan]
    actor: object

    def write(self, indices: range) -> dict[str, int]:
        """Write the enterprises of ``indices`` in one transaction; their ids by tax code."""
        batch = [_enterprise(self.plans[k]) for k in indices]
        with transaction.atomic():
            created = copy_create_with_reason(
                Enterprise, batch, user=self.actor, reason=REASON, normalized=True
            )
        return {e.tax_code: e.pk for e in created}


# The work of the forked writer processes, set just before they fork (they inherit it).
_WORK: ChunkWork | EnterpriseWork | None = None


def _write_in_worker(indices: range) -> dict[str, int]:
    return _WORK.write(indices)


def _run_chunks(work: ChunkWork | EnterpriseWork, chunks: list[range], *, jobs: int):
    """Write the chunks, in ``jobs`` processes at once on PostgreSQL.

    Generating the rows costs as much CPU as the database spends storing them, so on
    PostgreSQL forked processes (each with its own connection) generate and COPY chunks
    side by side (docs/performance.md, "seed_demo"), the enterprises first, then the
    facilities. The data is the same whatever the order: each enterprise's and each
    facility's rows depend only on its position and the seed. Inside a
    transaction (a test) or on SQLite, which allows one writer, the chunks go one by one.
    """
    parallel = (
        jobs > 1
        and len(chunks) > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )
    if not parallel:
        for indices in chunks:
            yield work.write(indices)
        return
    global _WORK
    _WORK = work
    # A forked child must not share the parent's socket: close it; each child opens its own.
    connections.close_all()
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks))) as pool:
            yield from pool.imap_unordered(_write_in_worker, chunks)
    finally:
        _WORK = None


def _write_chunk(chunk: list[FacilityPlan], actor) -> dict[str, int]:
    """Write the planned facilities and everything they hold; the counts written."""
    # Every object was generated normalised (``new`` and the keys of Generator).
    created = copy_create_with_reason(
        Facility, [p.facility for p in chunk], user=actor, reason=REASON, normalized=True
    )
    certificates, measures, inspections, teams = [], [], [], []
    for plan in chunk:
        facility_id = plan.facility.pk
        for c in plan.certificates:
            c.facility_id = facility_id
            certificates.append(c)
        for m in plan.measures:
            m.facility_id = facility_id
            measures.append(m)
        for inspection, team, _findings in plan.inspections:
            inspection.facility_id = facility_id
            inspections.append(inspection)
            teams.append(team)
    copy_create_with_reason(Certificate, certificates, user=actor, reason=REASON, normalized=True)
    copy_create_with_reason(CleanTechMeasure, measures, user=actor, reason=REASON, normalized=True)
    copy_create_with_reason(
        Inspection,
        inspections,
        user=actor,
        reason=REASON,
        m2m={"inspectors": teams},
        normalized=True,
    )
    findings = []
    for plan in chunk:
        for inspection, _team, found in plan.inspections:
            for f in found:
                # The inspection itself, not only its id: whoever the write signals
                # (compliance/standing.py) finds its facility without a query.
                f.inspection = inspection
                findings.append(f)
    copy_create_with_reason(Finding, findings, user=actor, reason=REASON, normalized=True)
    return {
        "cơ sở": len(created),
        "giấy chứng nhận": len(certificates),
        "biện pháp": len(measures),
        "đợt kiểm tra": len(inspections),
        "tồn tại": len(findings),
    }
