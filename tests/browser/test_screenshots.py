"""Screenshots of the main pages for docs/web.md: `SCREENSHOTS=1 pytest tests/browser/test_screenshots.py`.

Skipped in the ordinary run (it writes files into the repository).
"""

import datetime
import os
from pathlib import Path

import pytest

from compliance.choices import MeasureKind
from facilities.choices import Activity
from facilities.history import change_context
from facilities.models import District, Sector
from inspections.choices import InspectionStatus, Outcome
from tests.browser.conftest import PHONE, TODAY
from tests.factories import (
    CertificateFactory,
    CleanTechMeasureFactory,
    FacilityFactory,
    FindingFactory,
    InspectionFactory,
)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.skipif(
    os.environ.get("SCREENSHOTS") != "1", reason="set SCREENSHOTS=1 to regenerate docs/screenshots"
)

NAMES = [
    ("Nhà máy chè Bình Lư", "106", "agro_forestry_processing", Activity.PRODUCTION),
    ("Cửa hàng vật liệu Tân Phong", "105", "trade_services", Activity.BUSINESS),
    ("Thủy điện Nậm Na", "112", "hydropower", Activity.PRODUCTION),
    ("Lò gạch tuynel Than Uyên", "110", "construction_materials", Activity.BOTH),
    ("Khách sạn Mường Thanh Lai Châu", "105", "tourism_hospitality", Activity.BUSINESS),
    ("Lò mổ gia súc Sìn Hồ", "108", "slaughterhouse", Activity.BOTH),
    ("Xưởng chế biến gỗ Tân Uyên", "111", "agro_forestry_processing", Activity.PRODUCTION),
    ("Mỏ đất hiếm Đông Pao", "106", "mining", Activity.PRODUCTION),
    ("Trạm y tế Mường Tè", "107", "healthcare", Activity.BUSINESS),
    ("Hợp tác xã dệt thổ cẩm", "109", "traditional_crafts", Activity.BOTH),
]


@pytest.fixture
def province(scene, inspector_tam_duong, admin_user):
    """A dozen facilities with a history since 2013, so every page has something to show."""
    with change_context(user=inspector_tam_duong, reason="kiểm tra định kỳ"):
        for n, (name, district, sector, activity) in enumerate(NAMES):
            since = datetime.date(2011 + n, 3, 1)
            facility = FacilityFactory(
                name=name,
                code=f"LC-{n + 1:03d}",
                district=District.objects.get(code=district),
                sector=Sector.objects.get(code=sector),
                activity=activity,
                operating_since=since,
            )
            for year in range(since.year + 1, 2027, 2 + n % 2):
                visit = InspectionFactory(
                    facility=facility,
                    visited_on=datetime.date(year, 5, 10),
                    outcome=Outcome.NON_COMPLIANT if (n + year) % 4 == 0 else Outcome.COMPLIANT,
                )
                if (n + year) % 3 == 0:
                    FindingFactory(
                        inspection=visit,
                        deadline=datetime.date(year, 9, 30),
                        resolved_on=datetime.date(year, 9, 1) if n % 2 else None,
                    )
            if activity != Activity.PRODUCTION and n % 3:
                CertificateFactory(
                    facility=facility,
                    issued_on=since,
                    valid_until=datetime.date(2027 + n % 3, 6, 30),
                )
            if activity != Activity.BUSINESS and n % 2 == 0:
                CleanTechMeasureFactory(
                    facility=facility,
                    kind=MeasureKind.CLEAN_TECHNOLOGY,
                    installed_on=since,
                    verified_on=since + datetime.timedelta(days=60),
                )
        InspectionFactory(
            facility=scene["own"],
            visited_on=TODAY - datetime.timedelta(days=3),
            status=InspectionStatus.DRAFT,
            outcome="",
        )
        # An open corrective action of the business, for its evidence page.
        visit = InspectionFactory(
            facility=scene["own"],
            visited_on=TODAY - datetime.timedelta(days=30),
            outcome=Outcome.COMPLIANT_WITH_REMARKS,
        )
        scene["open_action"] = FindingFactory(
            inspection=visit, deadline=TODAY + datetime.timedelta(days=30), resolved_on=None
        )
    return scene


def shoot(page, name: str) -> None:
    """The whole page, cut at 2 400 px so that long lists keep the files small."""
    OUT.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    height = min(page.evaluate("document.documentElement.scrollHeight"), 2400)
    page.screenshot(
        path=str(OUT / f"{name}.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
    )


def test_it_saves_the_main_pages(
    open_as, province, admin_user, inspector_tam_duong, business_owner, auditor
):
    desk = open_as(admin_user)
    desk.goto("/dashboard/")
    shoot(desk, "dashboard")
    desk.goto("/facilities/")
    shoot(desk, "facility-list")
    desk.goto(f"/facilities/{province['own'].pk}/")
    shoot(desk, "facility-page")

    phone = open_as(inspector_tam_duong, viewport=PHONE)
    phone.goto("/worklist/")
    shoot(phone, "inspector-worklist-phone")
    phone.goto(f"/facilities/{province['own'].pk}/inspections/new/")
    shoot(phone, "inspector-visit-phone")

    owner = open_as(business_owner, viewport=PHONE)
    owner.goto("/portal/")
    shoot(owner, "business-portal-phone")
    owner.goto(f"/findings/{province['open_action'].pk}/evidence/")
    shoot(owner, "business-evidence-phone")

    audit = open_as(auditor)
    audit.goto("/changes/?model=inspection")
    shoot(audit, "auditor-change-log")
    audit.goto(f"/facilities/{province['own'].pk}/history/")
    shoot(audit, "auditor-facility-history")

    desk.goto("/facilities/new/")
    shoot(desk, "office-facility-form")

    desk.goto("/reports/2025/")
    desk.click("#publish")
    desk.click("#confirm-publish")
    shoot(desk, "annual-report")
    assert len(list(OUT.glob("*.png"))) >= 11
