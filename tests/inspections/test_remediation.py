"""The business's side of a corrective action (inspections/remediation.py): who may send
evidence and decide on it, the states it goes through, the history of each step with
user and reason, and all-or-nothing writes."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from facilities.history import change_context
from inspections import remediation
from inspections.choices import EvidenceStatus, InspectionStatus, ReinspectionStatus
from inspections.models import EvidenceFile, ReinspectionRequest, RemediationEvidence
from inspections.remediation import (
    accept_evidence,
    answer_reinspection,
    request_reinspection,
    return_evidence,
    submit_evidence,
)
from tests.factories import FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db

VISIT = datetime.date(2026, 3, 2)
TODAY = datetime.date(2026, 6, 1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0), tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def finding(own_facility, inspector_tam_duong):
    """An open corrective action of a finalized visit to the business owner's facility."""
    with change_context(user=inspector_tam_duong, reason="dữ liệu thử"):
        visit = InspectionFactory(facility=own_facility, visited_on=VISIT)
        return FindingFactory(inspection=visit, deadline=datetime.date(2026, 7, 1))


def photo(name="be-lang.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def send(user, finding, **kwargs):
    values = {"note": "Đã xây bể lắng hai ngăn", "completed_on": datetime.date(2026, 5, 20)}
    return submit_evidence(user=user, finding=finding, **(values | kwargs))


# --- sending evidence ---------------------------------------------------------------------


def test_the_business_sends_evidence_with_files_and_the_history_names_it(
    business_owner, finding, media
):
    evidence = send(business_owner, finding, files=[photo(), photo("bien-ban.pdf", PDF)])

    assert evidence.status == EvidenceStatus.SUBMITTED
    assert evidence.submitted_by == business_owner
    assert [f.content_type for f in evidence.files.all()] == ["image/png", "application/pdf"]
    assert all((media / f.file.name).exists() for f in evidence.files.all())
    record = evidence.history.get()
    assert record.history_user == business_owner
    assert record.history_change_reason == "gửi minh chứng khắc phục"
    assert evidence.files.first().history.get().history_user == business_owner
    finding.refresh_from_db()
    assert finding.resolved_on is None  # only the inspector's acceptance resolves it


@pytest.mark.parametrize("persona", ["competitor", "inspector_tam_duong", "admin_user", "auditor"])
def test_only_the_facilitys_own_business_may_send_evidence(request, persona, finding):
    with pytest.raises(PermissionDenied):
        send(request.getfixturevalue(persona), finding)
    assert not RemediationEvidence.objects.exists()


def test_a_second_send_waits_for_the_decision_on_the_first(business_owner, finding):
    send(business_owner, finding)
    with pytest.raises(ValidationError, match="đang chờ xem xét"):
        send(business_owner, finding, note="Gửi lại lần nữa")
    assert RemediationEvidence.objects.count() == 1


def test_two_sends_at_once_end_in_one_evidence_and_a_clear_message(
    business_owner, finding, monkeypatch
):
    first = send(business_owner, finding)
    # The second send passed every check before the first was written (two phones at the
    # same moment): only the database's partial unique constraint stands in its way.
    monkeypatch.setattr(remediation, "submit_check", lambda **kwargs: None)
    monkeypatch.setattr(RemediationEvidence, "validate_constraints", lambda self, **kw: None)
    with pytest.raises(ValidationError, match="đang chờ xem xét"):
        send(business_owner, finding, note="Cùng lúc")
    assert list(RemediationEvidence.objects.all()) == [first]


def test_it_refuses_a_file_that_only_pretends_to_be_a_photo_and_writes_nothing(
    business_owner, finding, media
):
    fake = SimpleUploadedFile("anh.png", b"MZ\x90\x00 not a png", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        send(business_owner, finding, files=[photo(), fake])
    assert "không phải ảnh JPEG, PNG, WebP hay tệp PDF" in str(exc.value.message_dict["files"])
    assert not RemediationEvidence.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert not list(media.rglob("*.png"))


def test_a_failing_file_row_leaves_no_evidence_and_no_file_on_disk(
    business_owner, finding, media, monkeypatch
):
    def broken(self, *args, **kwargs):
        raise ValidationError("hỏng")

    monkeypatch.setattr(EvidenceFile, "full_clean", broken)
    with pytest.raises(ValidationError):
        send(business_owner, finding, files=[photo()])
    assert not RemediationEvidence.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("completed_on", "message"),
    [
        (datetime.date(2026, 6, 2), "không được sau hôm nay"),
        (datetime.date(2026, 3, 1), r"không được trước ngày kiểm tra \(02/03/2026\)"),
    ],
)
def test_the_day_the_work_was_done_lies_between_the_visit_and_today(
    business_owner, finding, completed_on, message
):
    with pytest.raises(ValidationError, match=message):
        send(business_owner, finding, completed_on=completed_on)


def test_the_boundary_days_themselves_are_accepted(business_owner, finding, inspector_tam_duong):
    evidence = send(business_owner, finding, completed_on=VISIT)
    return_evidence(user=inspector_tam_duong, evidence=evidence, reason="Thiếu ảnh")
    assert send(business_owner, finding, completed_on=TODAY).completed_on == TODAY


def test_an_empty_note_is_refused(business_owner, finding):
    with pytest.raises(ValidationError) as exc:
        send(business_owner, finding, note="   ")
    assert "note" in exc.value.message_dict


def test_no_evidence_for_a_resolved_action_or_a_draft_visit(
    business_owner, finding, own_facility, inspector_tam_duong
):
    with change_context(reason="thử"):
        finding.resolved_on = datetime.date(2026, 5, 1)
        finding.save()
        draft = InspectionFactory(
            facility=own_facility, visited_on=VISIT, status=InspectionStatus.DRAFT, outcome=""
        )
        unfinished = FindingFactory(inspection=draft)
    with pytest.raises(ValidationError, match="đã được ghi nhận hoàn thành"):
        send(business_owner, finding)
    with pytest.raises(ValidationError, match="đã hoàn tất"):
        send(business_owner, unfinished)


# --- deciding -------------------------------------------------------------------------------


def test_accepting_resolves_the_finding_on_the_day_the_business_gave(
    business_owner, inspector_tam_duong, finding
):
    evidence = send(business_owner, finding)
    accept_evidence(user=inspector_tam_duong, evidence=evidence)

    evidence.refresh_from_db()
    finding.refresh_from_db()
    assert evidence.status == EvidenceStatus.ACCEPTED
    assert evidence.decided_by == inspector_tam_duong
    assert finding.resolved_on == datetime.date(2026, 5, 20)
    assert finding.history.latest().history_user == inspector_tam_duong
    assert finding.history.latest().history_change_reason == "chấp nhận minh chứng khắc phục"
    assert evidence.history.latest().history_user == inspector_tam_duong


def test_the_inspector_may_record_another_resolution_day(
    business_owner, inspector_tam_duong, finding
):
    evidence = send(business_owner, finding)
    accept_evidence(
        user=inspector_tam_duong, evidence=evidence, resolved_on=datetime.date(2026, 5, 25)
    )
    finding.refresh_from_db()
    assert finding.resolved_on == datetime.date(2026, 5, 25)


def test_an_invalid_resolution_day_accepts_nothing(business_owner, inspector_tam_duong, finding):
    evidence = send(business_owner, finding)
    with pytest.raises(ValidationError):
        accept_evidence(
            user=inspector_tam_duong, evidence=evidence, resolved_on=datetime.date(2026, 1, 1)
        )
    evidence.refresh_from_db()
    finding.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED
    assert finding.resolved_on is None


@pytest.mark.parametrize("persona", ["inspector_phong_tho", "business_owner", "auditor"])
def test_only_an_inspector_of_the_district_or_an_administrator_decides(
    request, persona, business_owner, finding
):
    evidence = send(business_owner, finding)
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        accept_evidence(user=user, evidence=evidence)
    with pytest.raises(PermissionDenied):
        return_evidence(user=user, evidence=evidence, reason="Không")
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.SUBMITTED


def test_an_administrator_decides_anywhere(business_owner, admin_user, finding):
    evidence = send(business_owner, finding)
    assert accept_evidence(user=admin_user, evidence=evidence).status == EvidenceStatus.ACCEPTED


def test_returning_needs_a_reason_and_lets_the_business_send_again(
    business_owner, inspector_tam_duong, finding
):
    evidence = send(business_owner, finding)
    with pytest.raises(ValidationError) as exc:
        return_evidence(user=inspector_tam_duong, evidence=evidence, reason=" ")
    assert "return_reason" in exc.value.message_dict

    return_evidence(user=inspector_tam_duong, evidence=evidence, reason="Ảnh không rõ bể lắng")
    evidence.refresh_from_db()
    assert evidence.status == EvidenceStatus.RETURNED
    assert evidence.return_reason == "Ảnh không rõ bể lắng"
    record = evidence.history.latest()
    assert record.history_user == inspector_tam_duong
    assert record.history_change_reason == "trả lại minh chứng: Ảnh không rõ bể lắng"
    finding.refresh_from_db()
    assert finding.resolved_on is None
    assert send(business_owner, finding, note="Ảnh chụp rõ hơn").status == EvidenceStatus.SUBMITTED


def test_evidence_is_decided_once(business_owner, inspector_tam_duong, admin_user, finding):
    evidence = send(business_owner, finding)
    stale = RemediationEvidence.objects.get(pk=evidence.pk)
    return_evidence(user=inspector_tam_duong, evidence=evidence, reason="Thiếu")
    with pytest.raises(ValidationError, match="đã được xem xét"):
        accept_evidence(user=admin_user, evidence=stale)
    finding.refresh_from_db()
    assert finding.resolved_on is None


# --- re-inspection requests ------------------------------------------------------------------


def test_the_business_asks_once_and_an_inspector_answers(
    business_owner, inspector_tam_duong, own_facility
):
    asked = request_reinspection(
        user=business_owner, facility=own_facility, reason="Đã khắc phục xong"
    )
    assert asked.history.get().history_user == business_owner
    assert asked.history.get().history_change_reason == "đề nghị kiểm tra lại"
    with pytest.raises(ValidationError, match="đang chờ trả lời"):
        request_reinspection(user=business_owner, facility=own_facility, reason="Lần nữa")

    answered = answer_reinspection(
        user=inspector_tam_duong,
        request=asked,
        status=ReinspectionStatus.SCHEDULED,
        answer="Kiểm tra lại ngày 15/06/2026",
    )
    assert answered.status == ReinspectionStatus.SCHEDULED
    assert answered.answered_by == inspector_tam_duong
    assert answered.history.latest().history_user == inspector_tam_duong
    # Answered: the business may ask again later.
    request_reinspection(user=business_owner, facility=own_facility, reason="Lần sau")
    assert ReinspectionRequest.objects.count() == 2


@pytest.mark.parametrize("persona", ["competitor", "inspector_tam_duong", "auditor"])
def test_only_the_facilitys_business_asks_for_a_reinspection(request, persona, own_facility):
    with pytest.raises(PermissionDenied):
        request_reinspection(
            user=request.getfixturevalue(persona), facility=own_facility, reason="Xin"
        )


def test_an_answer_needs_a_choice_a_text_and_the_right_district(
    business_owner, inspector_phong_tho, inspector_tam_duong, own_facility
):
    asked = request_reinspection(user=business_owner, facility=own_facility, reason="Xin")
    with pytest.raises(PermissionDenied):
        answer_reinspection(
            user=inspector_phong_tho, request=asked, status="declined", answer="Không"
        )
    with pytest.raises(ValidationError) as exc:
        answer_reinspection(user=inspector_tam_duong, request=asked, status="pending", answer="x")
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        answer_reinspection(user=inspector_tam_duong, request=asked, status="declined", answer="")
    assert "answer" in exc.value.message_dict
    asked.refresh_from_db()
    assert asked.status == ReinspectionStatus.PENDING
    answer_reinspection(
        user=inspector_tam_duong, request=asked, status="declined", answer="Chưa đủ hồ sơ"
    )
    with pytest.raises(ValidationError, match="đã được trả lời"):
        answer_reinspection(
            user=inspector_tam_duong, request=asked, status="scheduled", answer="Đổi ý"
        )
