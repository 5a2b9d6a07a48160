"""The business answers a corrective action from a phone; the inspector decides on a
desktop (docs/web.md, "Business portal"). Both pages pass axe on the screen they are
used on, and the portal's key columns stay on a phone's screen."""

from __future__ import annotations

import datetime

import pytest

from inspections.choices import EvidenceStatus
from inspections.models import RemediationEvidence
from inspections.remediation import submit_evidence
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import LAPTOP, PHONE
from tests.web.conftest import registry  # noqa: F401  (the page tests' small registry)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def no_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_business_on_a_phone_sends_evidence_and_the_inspector_accepts_it(
    open_as,
    registry,  # noqa: F811
    business_owner,
    inspector_tam_duong,
):
    finding = registry["finding"]
    phone = open_as(business_owner, viewport=PHONE)
    phone.goto("/portal/")
    row = phone.locator(f"#open-actions tr[data-finding='{finding.pk}']")
    # On a phone each action is a card: its deadline, and the days left of the
    # certificate, are on screen without scrolling sideways.
    for cell in (
        row.locator("td[data-label='Thời hạn khắc phục']"),
        phone.locator("#portal-facilities td[data-label='Số ngày còn lại']").first,
    ):
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    row.get_by_role("link", name="Gửi minh chứng khắc phục").click()
    phone.wait_for_load_state()
    no_violations(phone)

    phone.fill("#id_note", "Đã lập sổ theo dõi chất thải, ảnh trang đầu kèm theo")
    phone.fill("#id_completed_on", "18/11/2026")
    phone.set_input_files(
        "#id_files", files=[{"name": "so-theo-doi.png", "mimeType": "image/png", "buffer": PNG}]
    )
    phone.get_by_role("button", name="Gửi và báo đã khắc phục").click()
    phone.wait_for_load_state()
    assert "Đã gửi minh chứng khắc phục" in phone.inner_text("main")
    assert "Chờ xem xét" in phone.inner_text("#evidence-history")
    assert "so-theo-doi.png" in phone.inner_text("#evidence-history")

    desk = open_as(inspector_tam_duong, viewport=LAPTOP)
    desk.goto("/evidence/")
    no_violations(desk)
    desk.get_by_role("link", name="Xem xét").click()
    desk.wait_for_load_state()
    no_violations(desk)
    assert desk.input_value("#id_resolved_on") == "18/11/2026"
    desk.get_by_role("button", name="Chấp nhận, ghi nhận khắc phục xong").click()
    desk.wait_for_load_state()
    assert "Đã chấp nhận" in desk.inner_text("#evidence-history")

    finding.refresh_from_db()
    assert finding.resolved_on == datetime.date(2026, 11, 18)
    assert RemediationEvidence.objects.get().status == EvidenceStatus.ACCEPTED
    phone.goto("/portal/")
    assert phone.locator(f"#open-actions tr[data-finding='{finding.pk}']").count() == 0


def test_the_inspector_returns_evidence_with_a_reason_on_a_phone(
    open_as,
    registry,  # noqa: F811
    business_owner,
    inspector_tam_duong,
):
    submit_evidence(
        user=business_owner,
        finding=registry["finding"],
        note="Đã lập sổ",
        completed_on=datetime.date(2026, 11, 18),
    )
    page = open_as(inspector_tam_duong, viewport=PHONE)
    page.goto(f"/findings/{registry['finding'].pk}/evidence/")
    no_violations(page)
    page.get_by_role("button", name="Trả lại cho doanh nghiệp").click()
    page.wait_for_load_state()
    # The error summary, then the field with its message; nothing written.
    assert "Hãy ghi lý do trả lại." in page.inner_text("main")
    assert RemediationEvidence.objects.get().status == EvidenceStatus.SUBMITTED
    no_violations(page)
    page.fill("#id_return_reason", "Ảnh không thấy sổ")
    page.get_by_role("button", name="Trả lại cho doanh nghiệp").click()
    page.wait_for_load_state()
    assert "Bị trả lại" in page.inner_text("#evidence-history")
