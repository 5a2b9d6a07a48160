"""The business portal answers back (docs/web.md, "Business portal"): evidence of a
corrective action sent from a page and decided on by an inspector; requests for a
re-inspection and their answers; renewal links on the certificate rows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facilities.history import change_context
from inspections.choices import EvidenceStatus, ReinspectionStatus
from inspections.models import EvidenceFile, ReinspectionRequest, RemediationEvidence
from inspections.remediation import request_reinspection, submit_evidence
from tests.factories import FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def evidence_post(**overrides):
    return {
        "action": "submit",
        "note": "Đã lập sổ theo dõi chất thải",
        "completed_on": "18/11/2026",
    } | overrides


def sent(business_owner, finding) -> RemediationEvidence:
    return submit_evidence(
        user=business_owner,
        finding=finding,
        note="Đã lập sổ",
        completed_on=datetime.date(2026, 11, 18),
        files=[SimpleUploadedFile("so.png", PNG, content_type="image/png")],
    )


def test_the_business_sends_evidence_with_a_photo_from_the_page(client, business_owner, registry):
    finding = registry["finding"]
    client.force_login(business_owner)
    page = client.get(f"/findings/{finding.pk}/evidence/").content.decode()
    assert "Gửi minh chứng khắc phục" in page

    photo = SimpleUploadedFile("so-theo-doi.png", PNG, content_type="image/png")
    response = client.post(f"/findings/{finding.pk}/evidence/", evidence_post(files=[photo]))

    assert response.status_code == 302
    evidence = RemediationEvidence.objects.get()
    assert evidence.submitted_by == business_owner
    assert evidence.completed_on == datetime.date(2026, 11, 18)
    assert evidence.files.get().original_name == "so-theo-doi.png"
    page = client.get(f"/findings/{finding.pk}/evidence/").content.decode()
    assert "Chờ xem xét" in page
    assert 'id="send-evidence"' not in page  # one evidence waits at a time
    portal = client.get("/portal/").content.decode()
    assert "Chờ xem xét" in portal
    assert "Xem minh chứng đã gửi" in portal


def test_a_mistyped_day_comes_back_with_the_message_and_writes_nothing(
    client, business_owner, registry
):
    client.force_login(business_owner)
    response = client.post(
        f"/findings/{registry['finding'].pk}/evidence/",
        evidence_post(completed_on="18-11", note="Ghi chú giữ nguyên"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="completed_on"' in page
    assert "Nhập ngày theo dạng ngày/tháng/năm" in page
    assert "Ghi chú giữ nguyên" in page
    assert not RemediationEvidence.objects.exists()


def test_a_day_before_the_visit_is_said_next_to_the_day(client, business_owner, registry):
    client.force_login(business_owner)
    response = client.post(
        f"/findings/{registry['finding'].pk}/evidence/", evidence_post(completed_on="28/02/2026")
    )
    assert "không được trước ngày kiểm tra (01/03/2026)" in response.content.decode()
    assert not RemediationEvidence.objects.exists()


def test_the_inspector_accepts_and_the_finding_is_resolved(
    client, business_owner, inspector_tam_duong, registry
):
    finding = registry["finding"]
    sent(business_owner, finding)
    client.force_login(inspector_tam_duong)
    listing = client.get("/evidence/").content.decode()
    assert f"/findings/{finding.pk}/evidence/" in listing
    page = client.get(f"/findings/{finding.pk}/evidence/").content.decode()
    assert 'value="18/11/2026"' in page  # the business's day, offered

    response = client.post(
        f"/findings/{finding.pk}/evidence/", {"action": "accept", "resolved_on": "19/11/2026"}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.resolved_on == datetime.date(2026, 11, 19)
    assert RemediationEvidence.objects.get().status == EvidenceStatus.ACCEPTED
    assert f"/findings/{finding.pk}/evidence/" not in client.get("/evidence/").content.decode()


def test_returning_without_a_reason_is_refused_with_the_summary(
    client, business_owner, inspector_tam_duong, registry
):
    finding = registry["finding"]
    sent(business_owner, finding)
    client.force_login(inspector_tam_duong)
    response = client.post(
        f"/findings/{finding.pk}/evidence/", {"action": "return", "return_reason": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hãy ghi lý do trả lại." in page
    assert 'data-field="return_reason"' in page
    assert RemediationEvidence.objects.get().status == EvidenceStatus.SUBMITTED


def test_the_business_reads_why_its_evidence_came_back(
    client, business_owner, inspector_tam_duong, registry
):
    finding = registry["finding"]
    sent(business_owner, finding)
    client.force_login(inspector_tam_duong)
    client.post(
        f"/findings/{finding.pk}/evidence/",
        {"action": "return", "return_reason": "Ảnh không thấy sổ"},
    )
    client.force_login(business_owner)
    portal = client.get("/portal/").content.decode()
    assert "Bị trả lại" in portal
    assert "Ảnh không thấy sổ" in portal
    page = client.get(f"/findings/{finding.pk}/evidence/").content.decode()
    assert 'id="send-evidence"' in page  # may send again


@pytest.mark.parametrize(
    ("persona", "action", "expected"),
    [
        ("inspector_phong_tho", "accept", 403),
        ("auditor", "accept", 403),
        ("business_owner", "accept", 403),
        ("inspector_tam_duong", "submit", 403),
        ("admin_user", "submit", 403),
        ("competitor", "submit", 404),
        ("competitor", "accept", 404),
    ],
)
def test_who_may_send_and_who_may_decide(
    client, request, business_owner, registry, persona, action, expected
):
    finding = registry["finding"]
    sent(business_owner, finding)
    client.force_login(request.getfixturevalue(persona))
    data = {"action": action, "resolved_on": "19/11/2026"} | (
        evidence_post() if action == "submit" else {}
    )
    assert client.post(f"/findings/{finding.pk}/evidence/", data).status_code == expected
    finding.refresh_from_db()
    assert finding.resolved_on is None
    assert RemediationEvidence.objects.count() == 1


def test_a_draft_visits_finding_does_not_exist_for_the_business(
    client, business_owner, inspector_tam_duong, registry
):
    with change_context(user=inspector_tam_duong, reason="dữ liệu thử"):
        working = FindingFactory(inspection=registry["draft"])
    client.force_login(business_owner)
    assert client.get(f"/findings/{working.pk}/evidence/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("business_owner", 200),
        ("inspector_tam_duong", 200),
        ("inspector_phong_tho", 200),
        ("auditor", 200),
        ("competitor", 404),
    ],
)
def test_an_evidence_file_is_served_to_those_who_see_the_finding(
    client, request, business_owner, registry, persona, expected
):
    item = EvidenceFile.objects.get(evidence=sent(business_owner, registry["finding"]))
    client.force_login(request.getfixturevalue(persona))
    response = client.get(f"/evidence-files/{item.pk}/")
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PNG


def test_an_inspector_sees_only_the_evidence_of_their_districts(
    client, business_owner, inspector_phong_tho, registry
):
    sent(business_owner, registry["finding"])
    client.force_login(inspector_phong_tho)
    assert "TD-001" not in client.get("/evidence/").content.decode()


def test_a_reinspection_is_asked_answered_and_read(
    client, business_owner, inspector_tam_duong, registry
):
    own = registry["own"]
    client.force_login(business_owner)
    response = client.post(f"/facilities/{own.pk}/reinspection/", {"reason": "Đã khắc phục"})
    assert response["Location"] == "/portal/"
    asked = ReinspectionRequest.objects.get()
    assert asked.requested_by == business_owner
    assert "Chờ trả lời" in client.get("/portal/").content.decode()

    client.force_login(inspector_tam_duong)
    assert f"/reinspections/{asked.pk}/" in client.get("/reinspections/").content.decode()
    response = client.post(
        f"/reinspections/{asked.pk}/",
        {"status": ReinspectionStatus.SCHEDULED, "answer": "Kiểm tra lại ngày 01/12/2026"},
    )
    assert response.status_code == 302

    client.force_login(business_owner)
    portal = client.get("/portal/").content.decode()
    assert "Sẽ kiểm tra lại" in portal
    assert "Kiểm tra lại ngày 01/12/2026" in portal


def test_a_second_request_is_refused_while_one_waits(client, business_owner, registry):
    request_reinspection(user=business_owner, facility=registry["own"], reason="Lần đầu")
    client.force_login(business_owner)
    page = client.get(f"/facilities/{registry['own'].pk}/reinspection/").content.decode()
    assert "đang chờ trả lời" in page
    response = client.post(f"/facilities/{registry['own'].pk}/reinspection/", {"reason": "Nữa"})
    assert response.status_code == 200
    assert ReinspectionRequest.objects.count() == 1


def test_each_certificate_links_to_the_renewal_procedure_of_its_kind(
    client, business_owner, registry, settings
):
    certificate = registry["own"].certificates.get()
    settings.RENEWAL_URLS = settings.RENEWAL_URLS | {
        certificate.kind: "https://dichvucong.laichau.gov.vn/cap-lai"
    }
    client.force_login(business_owner)
    page = client.get("/portal/").content.decode()
    # In the warning and on the certificate's row.
    assert page.count('href="https://dichvucong.laichau.gov.vn/cap-lai"') == 2


def test_each_open_action_links_to_its_inspection(client, business_owner, registry):
    client.force_login(business_owner)
    page = client.get("/portal/").content.decode()
    assert f'href="/inspections/{registry["visit"].pk}/"' in page
    assert "Đợt kiểm tra 01/03/2026" in page
    assert f'href="/findings/{registry["finding"].pk}/evidence/"' in page


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_of_waiting_answers_cost_the_same_for_one_row_as_for_many(
    client, business_owner, inspector_tam_duong, registry
):
    sent(business_owner, registry["finding"])
    request_reinspection(user=business_owner, facility=registry["own"], reason="Xin")
    client.force_login(inspector_tam_duong)
    queries(client, "/evidence/")  # warm: session, content types
    before = (queries(client, "/evidence/"), queries(client, "/reinspections/"))
    client.force_login(business_owner)
    portal_before = queries(client, "/portal/")
    with change_context(user=inspector_tam_duong, reason="dữ liệu thử"):
        for n in range(5):
            visit = InspectionFactory(
                facility=registry["own"], visited_on=datetime.date(2026, 4, 1 + n)
            )
            finding = FindingFactory(inspection=visit, deadline=datetime.date(2026, 12, 1))
            sent(business_owner, finding)
    client.force_login(inspector_tam_duong)
    # session, user, profile, the inspector's districts and communes; the rows with
    # their facility, finding and sender (one query); the department's name.
    assert (queries(client, "/evidence/"), queries(client, "/reinspections/")) == before == (7, 7)
    client.force_login(business_owner)
    assert queries(client, "/portal/") == portal_before


def test_the_work_list_shows_what_businesses_sent_with_its_action_and_only_in_the_area(
    client, business_owner, inspector_tam_duong, inspector_phong_tho, registry
):
    finding = registry["finding"]
    sent(business_owner, finding)
    asked = request_reinspection(user=business_owner, facility=registry["own"], reason="Xong")

    client.force_login(inspector_tam_duong)
    page = client.get("/worklist/?kind=evidence").content.decode()
    assert f'data-kind="evidence" data-object="{finding.pk}"' in page
    assert f"/findings/{finding.pk}/evidence/?next=" in page
    page = client.get("/worklist/?kind=reinspection").content.decode()
    assert f'data-kind="reinspection" data-object="{asked.pk}"' in page
    assert f"/reinspections/{asked.pk}/?next=" in page

    client.force_login(inspector_phong_tho)
    page = client.get("/worklist/").content.decode()
    assert 'data-kind="evidence" data-object' not in page
    assert 'data-kind="reinspection" data-object' not in page


def test_decided_evidence_and_answered_requests_leave_the_work_list(
    client, business_owner, inspector_tam_duong, registry
):
    finding = registry["finding"]
    sent(business_owner, finding)
    client.force_login(inspector_tam_duong)
    response = client.post(
        f"/findings/{finding.pk}/evidence/",
        {"action": "accept", "resolved_on": "19/11/2026"},
    )
    assert response.status_code == 302
    page = client.get("/worklist/?kind=evidence").content.decode()
    assert 'data-kind="evidence" data-object' not in page


def test_deciding_from_the_work_list_returns_to_the_same_filtered_page(
    client, business_owner, inspector_tam_duong, registry
):
    finding = registry["finding"]
    sent(business_owner, finding)
    asked = request_reinspection(user=business_owner, facility=registry["own"], reason="Xong")
    client.force_login(inspector_tam_duong)
    back = "/worklist/?kind=evidence&page=1"
    page = client.get(f"/findings/{finding.pk}/evidence/", {"next": back}).content.decode()
    assert 'name="next" value="/worklist/?kind=evidence&amp;page=1"' in page
    response = client.post(
        f"/findings/{finding.pk}/evidence/",
        {"action": "return", "return_reason": "Ảnh chưa rõ", "next": back},
    )
    assert response["Location"] == back
    response = client.post(
        f"/reinspections/{asked.pk}/",
        {"status": ReinspectionStatus.DECLINED, "answer": "Chưa cần", "next": back},
    )
    assert response["Location"] == back


def test_the_change_log_of_a_district_tells_who_sent_and_who_decided(
    client, auditor, business_owner, inspector_tam_duong, registry
):
    from inspections.remediation import accept_evidence

    evidence = sent(business_owner, registry["finding"])
    accept_evidence(user=inspector_tam_duong, evidence=evidence)
    client.force_login(auditor)
    page = client.get("/changes/?model=remediation_evidence&district=106").content.decode()
    assert "gửi minh chứng khắc phục" in page
    assert "chấp nhận minh chứng khắc phục" in page
    assert "Phạm Văn Chè" in page or "doanhnghiep" in page
    other = client.get("/changes/?model=remediation_evidence&district=109").content.decode()
    assert "gửi minh chứng khắc phục" not in other


@pytest.mark.parametrize("model", ["remediationevidence", "evidencefile", "reinspectionrequest"])
def test_the_admin_shows_the_answers_but_never_writes_them(
    client, admin_user, business_owner, registry, model
):
    sent(business_owner, registry["finding"])
    request_reinspection(user=business_owner, facility=registry["own"], reason="Xin")
    client.force_login(admin_user)
    assert client.get(f"/admin/inspections/{model}/").status_code == 200
    assert client.get(f"/admin/inspections/{model}/add/").status_code == 403


def test_the_facility_page_leads_from_a_finding_to_its_evidence(client, auditor, registry):
    client.force_login(auditor)
    page = client.get(f"/facilities/{registry['own'].pk}/").content.decode()
    assert f'href="/findings/{registry["finding"].pk}/evidence/"' in page
