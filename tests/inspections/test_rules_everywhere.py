"""The inspection rules live in the model and the services, so the API, the pages and the
admin obey them alike: visit days, resolution days, locked visits, evidence kept."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facilities.roles import sync_role_groups
from inspections.choices import InspectionStatus
from inspections.models import Attachment, Inspection
from tests.factories import FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def role_permissions(db):
    # The groups are synced after migrate; sync again here so that these tests do not
    # depend on the order the apps' permissions were created in.
    sync_role_groups()


@pytest.fixture
def as_inspector(api_client, inspector_tam_duong):
    api_client.force_authenticate(inspector_tam_duong)
    return api_client


@pytest.fixture
def finalized(own_facility):
    return InspectionFactory(
        facility=own_facility, visited_on=datetime.date(2026, 5, 1), outcome="compliant"
    )


@pytest.fixture
def draft(own_facility):
    return InspectionFactory(
        facility=own_facility, status="draft", outcome="", visited_on=datetime.date(2026, 5, 20)
    )


# --- visit days ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day", ["2099-01-01", "9999-12-31", "0001-01-01", "1999-12-31", "2026-06-02"]
)
def test_the_api_refuses_a_visit_day_in_the_future_or_outside_the_range(
    as_inspector, own_facility, day
):
    response = as_inspector.post(
        "/api/v1/inspections/",
        {"facility": own_facility.pk, "visited_on": day, "kind": "periodic"},
        format="json",
    )
    assert response.status_code == 400
    assert "visited_on" in response.json()


@pytest.mark.parametrize("day", ["2000-01-01", "2026-06-01"])
def test_the_api_accepts_a_visit_on_the_ends_of_the_range(as_inspector, own_facility, day):
    response = as_inspector.post(
        "/api/v1/inspections/",
        {"facility": own_facility.pk, "visited_on": day, "kind": "periodic"},
        format="json",
    )
    assert response.status_code == 201


def test_a_draft_dated_in_the_future_cannot_be_finalized(as_inspector, own_facility):
    # Written before the rule existed (a bulk load skips validation).
    future = InspectionFactory(
        facility=own_facility, status="draft", outcome="", visited_on=datetime.date(2099, 1, 1)
    )
    response = as_inspector.post(
        f"/api/v1/inspections/{future.pk}/finalize/", {"outcome": "compliant"}, format="json"
    )
    assert response.status_code == 400
    assert Inspection.objects.get(pk=future.pk).status == InspectionStatus.DRAFT


# --- resolution days -------------------------------------------------------------------


def test_a_patch_cannot_set_a_future_resolution_day(as_inspector, finalized):
    finding = FindingFactory(inspection=finalized, deadline=datetime.date(2026, 7, 1))
    url = f"/api/v1/findings/{finding.pk}/"
    future = as_inspector.patch(url, {"resolved_on": "2026-06-02"}, format="json")
    assert future.status_code == 400
    assert "resolved_on" in future.json()
    assert as_inspector.patch(url, {"resolved_on": "2026-06-01"}, format="json").status_code == 200


# --- cancelled visits ------------------------------------------------------------------


def test_a_cancelled_inspection_changes_only_with_a_reason(as_inspector, draft):
    as_inspector.post(f"/api/v1/inspections/{draft.pk}/cancel/", {}, format="json")
    url = f"/api/v1/inspections/{draft.pk}/"
    refused = as_inspector.patch(url, {"summary": "Đã đến"}, format="json")
    assert refused.status_code == 400
    assert "change_reason" in refused.json()
    corrected = as_inspector.patch(
        url, {"summary": "Đã đến"}, format="json", HTTP_X_CHANGE_REASON="ghi nhầm"
    )
    assert corrected.status_code == 200


# --- the admin -------------------------------------------------------------------------


def admin_change(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def inspection_form(inspection, **changes) -> dict:
    data = {
        "facility": inspection.facility_id,
        "kind": inspection.kind,
        "visited_on": inspection.visited_on.isoformat(),
        "outcome": inspection.outcome,
        "summary": inspection.summary,
        "inspectors": [u.pk for u in inspection.inspectors.all()],
        "change_reason": "",
        "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "1000",
    }
    return data | changes


def test_the_admin_cannot_set_a_finalized_inspection_back_to_draft(client, admin_user, finalized):
    client.force_login(admin_user)
    response = client.post(
        admin_change(finalized),
        inspection_form(
            finalized, status="draft", outcome="compliant", finalized_by="", change_reason="x"
        ),
    )
    assert response.status_code == 302
    finalized.refresh_from_db()
    assert (finalized.status, finalized.outcome) == ("finalized", "compliant")


def test_the_admin_changes_a_finalized_inspection_only_with_a_reason(client, admin_user, finalized):
    client.force_login(admin_user)
    refused = client.post(admin_change(finalized), inspection_form(finalized, summary="Sửa"))
    assert refused.status_code == 200
    assert "change_reason" in refused.context["adminform"].form.errors
    done = client.post(
        admin_change(finalized),
        inspection_form(finalized, summary="Sửa", change_reason="đính chính"),
    )
    assert done.status_code == 302
    row = finalized.history.order_by("-history_id").first()
    assert (row.summary, row.history_change_reason, row.history_user) == (
        "Sửa",
        "đính chính",
        admin_user,
    )


def test_the_admin_refuses_a_future_visit_day(client, admin_user, draft):
    client.force_login(admin_user)
    response = client.post(admin_change(draft), inspection_form(draft, visited_on="2099-01-01"))
    assert response.status_code == 200
    assert "visited_on" in response.context["adminform"].form.errors


def test_the_admin_cannot_delete_a_finalized_inspection(client, admin_user, finalized, draft):
    client.force_login(admin_user)
    delete_url = reverse("admin:inspections_inspection_delete", args=[finalized.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:inspections_inspection_changelist"),
        {"action": "delete_selected", "_selected_action": [finalized.pk, draft.pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert Inspection.objects.filter(pk__in=[finalized.pk, draft.pk]).count() == 2
    # A draft may go, with its history row naming who deleted it.
    single = client.post(
        reverse("admin:inspections_inspection_delete", args=[draft.pk]), {"post": "yes"}
    )
    assert single.status_code == 302
    assert not Inspection.objects.filter(pk=draft.pk).exists()


def test_the_revert_page_cannot_un_finalize(client, admin_user, draft, inspector_tam_duong):
    from inspections.services import inspection_finalize

    as_draft = draft.history.order_by("history_id").first()
    inspection_finalize(inspection=draft, user=inspector_tam_duong, outcome="compliant")
    client.force_login(admin_user)
    url = reverse(
        "admin:inspections_inspection_simple_history", args=[draft.pk, as_draft.history_id]
    )
    client.post(url, inspection_form(draft, outcome="", change_reason="khôi phục"))
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.FINALIZED
    assert draft.finalized_by == inspector_tam_duong


def attachment_post(client, inspection, content: bytes, name: str):
    return client.post(
        reverse("admin:inspections_attachment_add"),
        {
            "inspection": inspection.pk,
            "file": SimpleUploadedFile(name, content),
            "caption": "ảnh",
            "change_reason": "bổ sung",
        },
    )


def test_an_attachment_added_in_the_admin_is_checked_and_stored(
    client, admin_user, draft, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_user)
    response = attachment_post(client, draft, PNG, "anh.png")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.size, attachment.uploaded_by) == (
        "image/png",
        len(PNG),
        admin_user,
    )
    assert (tmp_path / attachment.file.name).exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"MZ not an image", "anh.png"), (PNG + b"\x00" * 2048, "lon.png")],
    ids=["not-an-image", "too-large"],
)
def test_a_refused_admin_attachment_leaves_no_file(
    client, admin_user, draft, tmp_path, settings, content, name
):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 1024
    client.force_login(admin_user)
    response = attachment_post(client, draft, content, name)
    assert response.status_code == 200
    assert "file" in response.context["adminform"].form.errors
    assert not Attachment.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
