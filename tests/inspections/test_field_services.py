"""Services behind the field workflow: one visit per submission key (even when two sends
race), throwing away a draft, and the facility's location measured on site."""

import datetime
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from facilities import access
from facilities.services import facility_locate, user_create
from inspections import services
from inspections.attachments import attachment_add
from inspections.choices import InspectionStatus, Outcome
from inspections.models import Attachment, Finding, Inspection
from inspections.services import (
    AlreadySubmitted,
    finding_create,
    inspection_create,
    inspection_discard,
    inspection_finalize,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

VISIT = datetime.date(2026, 3, 2)
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0), tick=False):
        yield


@pytest.fixture
def colleague_tam_duong(db):
    """A second inspector of Tam Đường: may inspect there, did not start the draft."""
    return user_create(
        username="kiemtra106b", role="inspector", password=PASSWORD, districts=["106"]
    )


@pytest.fixture
def draft(inspector_tam_duong, own_facility):
    return inspection_create(user=inspector_tam_duong, facility=own_facility, visited_on=VISIT)


def test_a_submission_key_makes_one_inspection_however_often_it_is_sent(
    inspector_tam_duong, own_facility
):
    key = uuid.uuid4()
    first = inspection_create(
        user=inspector_tam_duong, facility=own_facility, visited_on=VISIT, submission_key=key
    )
    with pytest.raises(AlreadySubmitted) as again:
        inspection_create(
            user=inspector_tam_duong, facility=own_facility, visited_on=VISIT, submission_key=key
        )
    assert again.value.inspection == first
    assert Inspection.objects.count() == 1
    # Without a key (the API, older pages) every call is a new visit, as before.
    inspection_create(user=inspector_tam_duong, facility=own_facility, visited_on=VISIT)
    inspection_create(user=inspector_tam_duong, facility=own_facility, visited_on=VISIT)
    assert Inspection.objects.count() == 3


def test_of_two_racing_sends_of_one_form_the_second_finds_the_first(
    inspector_tam_duong, own_facility, monkeypatch
):
    """The other send committed after this one looked for the key (and found nothing):
    the unique constraint refuses the insert, and the service names the first visit."""
    key = uuid.uuid4()
    first = inspection_create(
        user=inspector_tam_duong, facility=own_facility, visited_on=VISIT, submission_key=key
    )
    monkeypatch.setattr(services, "inspection_sent_with", lambda key: None)
    with pytest.raises(AlreadySubmitted) as raced:
        inspection_create(
            user=inspector_tam_duong, facility=own_facility, visited_on=VISIT, submission_key=key
        )
    assert raced.value.inspection == first
    assert list(Inspection.objects.values_list("pk", flat=True)) == [first.pk]


def test_the_author_discards_a_draft_with_its_findings_and_files(
    draft, inspector_tam_duong, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    finding_create(
        user=inspector_tam_duong, inspection=draft, category="wastewater", description="Tràn"
    )
    photo = SimpleUploadedFile("anh.png", PNG_1PX, content_type="image/png")
    attachment = attachment_add(
        inspection=draft, user=inspector_tam_duong, upload=photo, content_type="image/png"
    )
    stored = tmp_path / attachment.file.name
    assert stored.exists()

    with pytest.MonkeyPatch.context() as patch:
        # on_commit callbacks run at once here (the test is one transaction).
        patch.setattr("django.db.transaction.on_commit", lambda callback: callback())
        inspection_discard(inspection=draft, user=inspector_tam_duong, reason="Trùng đợt khác")

    assert not Inspection.objects.exists() and not Finding.objects.exists()
    assert not Attachment.objects.exists() and not stored.exists()
    gone = Inspection.history.filter(history_type="-").get()
    assert (gone.history_user, gone.history_change_reason) == (
        inspector_tam_duong,
        "Trùng đợt khác",
    )
    assert Finding.history.filter(history_type="-").get().history_user == inspector_tam_duong


def test_a_draft_is_discarded_only_by_its_author_or_an_administrator(
    draft, colleague_tam_duong, inspector_phong_tho, admin_user
):
    for outsider in (colleague_tam_duong, inspector_phong_tho):
        with pytest.raises(PermissionDenied):
            inspection_discard(inspection=draft, user=outsider)
    assert Inspection.objects.filter(pk=draft.pk).exists()
    inspection_discard(inspection=draft, user=admin_user)
    assert Inspection.history.filter(history_type="-").get().history_change_reason == "bỏ bản nháp"


def test_a_finalized_visit_is_evidence_and_cannot_be_discarded(draft, inspector_tam_duong):
    inspection_finalize(inspection=draft, user=inspector_tam_duong, outcome=Outcome.COMPLIANT)
    with pytest.raises(PermissionDenied):
        inspection_discard(inspection=draft, user=inspector_tam_duong)
    assert Inspection.objects.get().status == InspectionStatus.FINALIZED


def test_the_location_measured_on_site_is_saved_with_history(own_facility, inspector_tam_duong):
    facility_locate(
        user=inspector_tam_duong,
        facility=own_facility,
        latitude=Decimal("22.396100"),
        longitude=Decimal("103.458200"),
    )
    own_facility.refresh_from_db()
    assert (own_facility.latitude, own_facility.longitude) == (
        Decimal("22.396100"),
        Decimal("103.458200"),
    )
    row = own_facility.history.first()
    assert (row.history_user, row.history_change_reason) == (
        inspector_tam_duong,
        "cập nhật tọa độ tại nơi kiểm tra",
    )
    # The same point again changes nothing and writes no history.
    rows = own_facility.history.count()
    facility_locate(
        user=inspector_tam_duong,
        facility=own_facility,
        latitude=Decimal("22.396100"),
        longitude=Decimal("103.458200"),
    )
    assert own_facility.history.count() == rows


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        ("21.028500", "103.000000", "latitude"),  # south of the province (Hà Nội's latitude)
        ("22.400000", "105.804200", "longitude"),  # east of it
        ("22.900001", "103.000000", "latitude"),  # just past the northern edge
    ],
)
def test_a_location_outside_lai_chau_is_refused(
    own_facility, inspector_tam_duong, latitude, longitude, field
):
    with pytest.raises(ValidationError) as refused:
        facility_locate(
            user=inspector_tam_duong,
            facility=own_facility,
            latitude=Decimal(latitude),
            longitude=Decimal(longitude),
        )
    assert field in refused.value.message_dict
    own_facility.refresh_from_db()
    assert own_facility.latitude is None


def test_an_inspector_of_another_district_cannot_locate_a_facility(
    own_facility, inspector_phong_tho
):
    with pytest.raises(PermissionDenied):
        facility_locate(
            user=inspector_phong_tho,
            facility=own_facility,
            latitude=Decimal("22.4"),
            longitude=Decimal("103.4"),
        )


def test_the_draft_code_spelled_in_access_matches_the_choice():
    assert access.DRAFT_INSPECTION == InspectionStatus.DRAFT
