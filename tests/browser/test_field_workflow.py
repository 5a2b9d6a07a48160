"""An inspector records a visit on a phone; the dashboard, the business owner and the
auditor each see the consequence in their own pages."""

import re

from inspections.models import Inspection
from tests.browser.conftest import PHONE


def kpi_numerator(page, code="establishments_meeting_standards") -> str:
    return page.inner_text(f"#kpi-{code} [data-figure=numerator]").strip()


def test_a_visit_finalized_on_a_phone_moves_the_dashboard_and_reaches_the_auditor(
    open_as, scene, inspector_tam_duong, auditor
):
    phone = open_as(inspector_tam_duong, viewport=PHONE)
    phone.goto("/dashboard/")
    assert kpi_numerator(phone) == "0"
    assert phone.inner_text("#kpi-establishments_meeting_standards [data-figure=population]") == "2"

    # The work list of Tam Đường lists the facility as not assessed; record the visit.
    phone.goto("/worklist/")
    first_visit = phone.locator("#worklist tr[data-kind=not_assessed]")
    first_visit.get_by_role("link", name="Ghi nhận kiểm tra").click()
    phone.select_option("#id_kind", "periodic")
    phone.fill("#id_summary", "Kiểm tra định kỳ năm 2026")
    # The form starts without finding rows (a clean visit has none); add one.
    phone.click("#add-finding")
    phone.select_option("#id_findings-0-category", "solid_waste")
    phone.fill("#id_findings-0-description", "Chưa phân loại chất thải rắn")
    phone.fill("#id_findings-0-corrective_action", "Bố trí thùng phân loại")
    phone.fill("#id_findings-0-deadline", "31/12/2026")
    phone.set_input_files(
        "#id_files",
        files=[{"name": "hien-truong.png", "mimeType": "image/png", "buffer": PNG_1PX}],
    )
    phone.click("button[value=draft]")
    assert "Đã lưu bản nháp" in phone.inner_text(".messages")

    # Finalizing without an outcome keeps everything typed and says what is missing.
    phone.click("button[value=finalize]")
    assert phone.inner_text("[data-field=outcome]") == "Cần chọn kết quả kiểm tra để hoàn tất."
    assert phone.input_value("#id_findings-0-description") == "Chưa phân loại chất thải rắn"
    phone.select_option("#id_outcome", "compliant_with_remarks")
    phone.click("button[value=finalize]")
    # Check your answers: what will be frozen, then the confirm button.
    assert phone.inner_text("#confirm-outcome") == "Đạt, có kiến nghị"
    assert "Chưa phân loại chất thải rắn" in phone.inner_text("#confirm-findings")
    phone.click("#confirm-finalize")
    # Back on the work list it was opened from, which no longer asks for a first visit.
    assert "Đã hoàn tất đợt kiểm tra" in phone.inner_text(".messages")
    assert phone.url.endswith("/worklist/")
    assert phone.locator("#worklist tr[data-kind=not_assessed]").count() == 0
    inspection = Inspection.objects.get(facility=scene["own"])
    phone.goto(f"/inspections/{inspection.pk}/")
    assert "Đã hoàn tất" in phone.inner_text("#inspection-status")
    assert "hien-truong.png" in phone.inner_text("main")
    # The page fits the phone: nothing wider than the screen but the scrolling tables.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    phone.goto("/dashboard/")
    assert kpi_numerator(phone) == "1"
    assert phone.inner_text("#kpi-establishments_meeting_standards .value").strip() == "50,0%"

    # The auditor reads who finalized it and why, field by field.
    desk = open_as(auditor)
    desk.goto(f"/changes/?model=inspection&user={inspector_tam_duong.pk}")
    finalized = desk.locator("tr.change", has_text="hoàn tất đợt kiểm tra").first
    assert finalized.locator(".who").inner_text() == "Nguyễn Thị Hoa"
    assert re.search(r"Bản nháp\s+Đã hoàn tất", finalized.inner_text())
    # The outcome was saved with the draft that went to the confirmation page.
    outcome = desk.locator("tr.change", has_text="Đạt, có kiến nghị").first
    assert outcome.locator(".who").inner_text() == "Nguyễn Thị Hoa"


# A valid 1×1 PNG (the form checks the file's signature, not only its name).
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
