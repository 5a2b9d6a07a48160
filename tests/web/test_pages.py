"""What the pages show and do, through Django's test client (the browser suite covers
the same paths end to end; these are the fast, exhaustive checks)."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from compliance.models import AnnualReport
from facilities.history import change_context
from inspections.choices import InspectionStatus, Outcome
from inspections.models import Attachment, Inspection
from tests.factories import FacilityFactory, InspectionFactory

pytestmark = pytest.mark.django_db

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def visit_post(**overrides):
    data = {
        "kind": "periodic",
        "visited_on": "18/11/2026",
        "summary": "Đợt kiểm tra tháng 11",
        "outcome": "",
        "findings-TOTAL_FORMS": "3",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "50",
        "findings-0-category": "wastewater",
        "findings-0-severity": "major",
        "findings-0-description": "Nước thải chảy tràn ra suối Nậm Lùm",
        "findings-0-corrective_action": "Xây bể lắng hai ngăn",
        "findings-0-deadline": "31/01/2027",
        "findings-1-severity": "minor",
        "findings-2-severity": "minor",
        "action": "draft",
    }
    data.update(overrides)
    return data


def test_it_shows_dates_and_numbers_the_vietnamese_way(client, admin_user, registry):
    client.force_login(admin_user)
    page = client.get(f"/facilities/{registry['own'].pk}/").content.decode()
    assert "30/12/2026" in page  # the certificate's end (valid_until), dd/mm/yyyy
    dashboard = client.get("/dashboard/?as_of=20/11/2026").content.decode()
    assert '<html lang="vi">' in dashboard
    assert "50,0%" in dashboard  # one decimal after a comma


def test_it_finds_facilities_without_diacritics(client, inspector_tam_duong, registry):
    client.force_login(inspector_tam_duong)
    page = client.get("/facilities/?q=NHA MAY CHE tam duong").content.decode()
    assert "TD-001" in page
    assert "PT-001" not in page


def test_it_filters_facilities_by_compliance_and_certificate_status(client, admin_user, registry):
    client.force_login(admin_user)
    non_compliant = client.get("/facilities/?compliance_status=non_compliant").content.decode()
    assert "PT-001" in non_compliant
    assert "TD-001" not in non_compliant
    without = client.get("/facilities/?certificate_status=none").content.decode()
    assert "PT-001" in without
    assert "TD-001" not in without


def test_it_pages_the_facility_list_fifty_at_a_time(client, admin_user, registry):
    with change_context(reason="dữ liệu thử"):
        FacilityFactory.create_batch(55)
    client.force_login(admin_user)
    first = client.get("/facilities/")
    assert len(first.context["page_obj"]) == 50
    assert 'href="?page=2"' in first.content.decode()
    assert len(client.get("/facilities/?page=2").context["page_obj"]) == 7


def test_an_inspector_saves_a_draft_with_findings_and_a_photo(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    photo = SimpleUploadedFile("anh.png", PNG_1PX, content_type="image/png")
    response = client.post(
        f"/facilities/{registry['own'].pk}/inspections/new/", {**visit_post(), "files": [photo]}
    )
    inspection = Inspection.objects.filter(summary="Đợt kiểm tra tháng 11").get()
    assert response.status_code == 302
    assert inspection.status == InspectionStatus.DRAFT
    assert list(inspection.inspectors.all()) == [inspector_tam_duong]
    finding = inspection.findings.get()
    assert finding.deadline == datetime.date(2027, 1, 31)
    assert finding.history.first().history_user == inspector_tam_duong
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    assert attachment.history.first().history_user == inspector_tam_duong
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200


def test_it_refuses_a_file_that_only_pretends_to_be_a_photo(client, inspector_tam_duong, registry):
    client.force_login(inspector_tam_duong)
    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not a jpeg", content_type="image/jpeg")
    response = client.post(
        f"/facilities/{registry['own'].pk}/inspections/new/", {**visit_post(), "files": [fake]}
    )
    assert response.status_code == 200
    assert "không phải ảnh JPEG, PNG, WebP hay tệp PDF" in response.content.decode()
    assert not Inspection.objects.filter(summary="Đợt kiểm tra tháng 11").exists()


def test_it_refuses_a_file_over_the_size_cap(client, inspector_tam_duong, registry, settings):
    settings.ATTACHMENT_MAX_BYTES = 50
    client.force_login(inspector_tam_duong)
    big = SimpleUploadedFile("anh.png", PNG_1PX + b"\0" * 100, content_type="image/png")
    response = client.post(
        f"/facilities/{registry['own'].pk}/inspections/new/", {**visit_post(), "files": [big]}
    )
    assert "quá lớn" in response.content.decode()


def test_it_keeps_what_was_typed_and_shows_the_error_next_to_the_field(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    response = client.post(
        f"/facilities/{registry['own'].pk}/inspections/new/",
        visit_post(**{"findings-0-deadline": "01/11/2026", "action": "finalize"}),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="findings-0-deadline"' in page
    assert "Thời hạn khắc phục không được trước ngày kiểm tra (18/11/2026)." in page
    assert 'data-field="outcome"' in page
    assert "Nước thải chảy tràn ra suối Nậm Lùm" in page
    assert 'value="Xây bể lắng hai ngăn"' in page or "Xây bể lắng hai ngăn</textarea>" in page
    assert not Inspection.objects.filter(summary="Đợt kiểm tra tháng 11").exists()


def test_finalizing_a_visit_counts_it_on_the_dashboard(client, inspector_tam_duong, registry):
    with change_context(reason="dữ liệu thử"):
        new_one = FacilityFactory(code="TD-002")  # Tam Đường, active, never inspected
    client.force_login(inspector_tam_duong)
    before = client.get("/dashboard/").context["indicators"][0]["numerator"]
    response = client.post(
        f"/facilities/{new_one.pk}/inspections/new/",
        visit_post(outcome=Outcome.COMPLIANT, action="finalize"),
    )
    inspection = Inspection.objects.get(summary="Đợt kiểm tra tháng 11")
    # Saved as a draft, then the check-your-answers page; nothing counts before confirming.
    assert response["Location"] == f"/inspections/{inspection.pk}/finalize/"
    assert inspection.status == InspectionStatus.DRAFT
    assert client.get("/dashboard/").context["indicators"][0]["numerator"] == before
    response = client.post(f"/inspections/{inspection.pk}/finalize/", {"confirm": "yes"})
    assert response["Location"] == f"/inspections/{inspection.pk}/"
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FINALIZED
    assert inspection.finalized_by == inspector_tam_duong
    assert client.get("/dashboard/").context["indicators"][0]["numerator"] == before + 1


def test_an_inspector_resolves_a_finding_and_verifies_a_measure(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    client.post(f"/findings/{registry['finding'].pk}/resolve/", {"resolved_on": "19/11/2026"})
    registry["finding"].refresh_from_db()
    assert registry["finding"].resolved_on == datetime.date(2026, 11, 19)
    response = client.post(
        f"/measures/{registry['measure'].pk}/verify/", {"verified_on": "21/11/2026"}
    )
    assert "Ngày xác nhận không được sau hôm nay." in response.content.decode()
    client.post(f"/measures/{registry['measure'].pk}/verify/", {"verified_on": "20/11/2026"})
    registry["measure"].refresh_from_db()
    assert registry["measure"].verified_by == inspector_tam_duong


def test_the_business_portal_warns_of_an_expiring_certificate_and_hides_drafts(
    client, business_owner, registry
):
    client.force_login(business_owner)
    page = client.get("/portal/").content.decode()
    assert 'data-expiry-warning="TD-001"' in page
    assert "còn 40 ngày" in page
    assert "Chưa có sổ theo dõi chất thải" in page  # open corrective action
    assert "Nháp của cán bộ" not in page
    assert "Bí mật của đối thủ" not in page
    assert "PT-001" not in page


def test_the_business_portal_says_nothing_before_ninety_days(client, business_owner, registry):
    certificate = registry["own"].certificates.get()
    with change_context(reason="gia hạn"):
        certificate.valid_until = datetime.date(2027, 3, 1)  # 101 days ahead
        certificate.save()
    client.force_login(business_owner)
    assert "data-expiry-warning" not in client.get("/portal/").content.decode()


def test_the_change_log_shows_who_changed_what_and_why(
    client, auditor, registry, inspector_tam_duong
):
    client.force_login(auditor)
    response = client.get(f"/changes/?model=finding&user={inspector_tam_duong.pk}")
    page = response.content.decode()
    assert "Nguyễn Thị Hoa" in page
    assert "dữ liệu thử" in page
    assert "Chưa có sổ theo dõi chất thải" in page  # the created description, field by field
    assert client.get("/changes/?district=109&model=finding").context["total"] == 0


def test_an_object_history_lists_every_version_with_its_differences(
    client, auditor, registry, inspector_tam_duong
):
    finding = registry["finding"]
    with change_context(user=inspector_tam_duong, reason="đã kiểm tra lại"):
        finding.deadline = datetime.date(2027, 2, 28)
        finding.save()
    client.force_login(auditor)
    rows = client.get(f"/changes/finding/{finding.pk}/").context["rows"]
    assert [r.reason for r in rows] == ["đã kiểm tra lại", "dữ liệu thử"]
    assert [c.name for c in rows[0].changes] == ["deadline"]


def test_an_administrator_publishes_a_report_and_sees_later_corrections(
    client, admin_user, inspector_tam_duong, registry
):
    client.force_login(admin_user)
    client.post("/reports/2025/publish/", {"confirm": "yes"})
    assert AnnualReport.objects.get(year=2025).published_by == admin_user
    with (
        time_machine.travel(datetime.datetime(2026, 11, 20, 11, 0, tzinfo=datetime.UTC)),
        change_context(user=inspector_tam_duong, reason="bổ sung biên bản 2025"),
    ):
        InspectionFactory(facility=registry["own"], visited_on=datetime.date(2025, 6, 1))
    page = client.get("/reports/2025/").content.decode()
    assert "bổ sung biên bản 2025" in page
    assert "Nguyễn Thị Hoa" in page or inspector_tam_duong.username in page
