"""The finalize / verify / resolve actions with their state rules, and the change history."""

import datetime

import pytest

from inspections.models import Inspection
from tests.factories import CleanTechMeasureFactory, FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_inspector(api_client, inspector_tam_duong):
    api_client.force_authenticate(inspector_tam_duong)
    return api_client


@pytest.fixture
def draft(own_facility):
    return InspectionFactory(
        facility=own_facility, status="draft", outcome="", visited_on=datetime.date(2026, 5, 20)
    )


def test_finalizing_needs_an_outcome_and_records_who(as_inspector, draft, inspector_tam_duong):
    url = f"/api/v1/inspections/{draft.pk}/finalize/"
    missing = as_inspector.post(url, {}, format="json")
    assert missing.status_code == 400
    assert "outcome" in missing.data
    done = as_inspector.post(url, {"outcome": "non_compliant"}, format="json")
    assert done.status_code == 200
    assert (done.data["status"], done.data["finalized_by"]) == ("finalized", "kiemtra106")
    again = as_inspector.post(url, {"outcome": "compliant"}, format="json")
    assert again.status_code == 400
    assert "status" in again.data


def test_a_finalized_inspection_changes_only_with_a_reason(as_inspector, draft):
    as_inspector.post(
        f"/api/v1/inspections/{draft.pk}/finalize/", {"outcome": "compliant"}, format="json"
    )
    url = f"/api/v1/inspections/{draft.pk}/"
    refused = as_inspector.patch(url, {"summary": "Sửa lại"}, format="json")
    assert refused.status_code == 400
    assert "change_reason" in refused.data
    by_header = as_inspector.patch(
        url, {"summary": "Sửa lại"}, format="json", HTTP_X_CHANGE_REASON="Ghi nhầm biên bản"
    )
    assert by_header.status_code == 200
    by_field = as_inspector.patch(
        url, {"summary": "Sửa lần hai", "change_reason": "Bổ sung theo biên bản gốc"}, format="json"
    )
    assert by_field.status_code == 200
    reasons = list(draft.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["Bổ sung theo biên bản gốc", "Ghi nhầm biên bản"]


def test_findings_of_a_finalized_inspection_are_locked_except_resolved_on(
    as_inspector, own_facility
):
    finding = FindingFactory(
        inspection=InspectionFactory(facility=own_facility, visited_on=datetime.date(2026, 1, 5)),
        deadline=datetime.date(2026, 3, 1),
    )
    url = f"/api/v1/findings/{finding.pk}/"
    assert as_inspector.patch(url, {"severity": "critical"}, format="json").status_code == 400
    assert as_inspector.patch(url, {"resolved_on": "2026-02-01"}, format="json").status_code == 200
    resolved = as_inspector.post(f"{url}resolve/", {"resolved_on": "2026-02-03"}, format="json")
    assert resolved.status_code == 200
    assert resolved.data["resolved_on"] == "2026-02-03"
    too_early = as_inspector.post(f"{url}resolve/", {"resolved_on": "2025-12-31"}, format="json")
    assert too_early.status_code == 400
    assert as_inspector.delete(url).status_code == 400


def test_only_a_draft_can_be_cancelled(as_inspector, draft):
    url = f"/api/v1/inspections/{draft.pk}/cancel/"
    assert as_inspector.post(url, {}, format="json").data["status"] == "cancelled"
    assert as_inspector.post(url, {}, format="json").status_code == 400


def test_an_inspector_cannot_move_an_inspection_out_of_their_districts(
    as_inspector, draft, competitor_facility
):
    response = as_inspector.patch(
        f"/api/v1/inspections/{draft.pk}/", {"facility": competitor_facility.pk}, format="json"
    )
    assert response.status_code == 400
    assert "facility" in response.data
    assert Inspection.objects.get(pk=draft.pk).facility_id == draft.facility_id


def test_verifying_a_measure_records_the_inspector(as_inspector, own_facility):
    measure = CleanTechMeasureFactory(facility=own_facility, installed_on=datetime.date(2020, 1, 1))
    url = f"/api/v1/clean-tech-measures/{measure.pk}/verify/"
    assert as_inspector.post(url, {}, format="json").status_code == 400
    assert as_inspector.post(url, {"verified_on": "2019-01-01"}, format="json").status_code == 400
    done = as_inspector.post(url, {"verified_on": "2026-05-02"}, format="json")
    assert done.status_code == 200
    assert (done.data["verified_on"], done.data["verified_by"]) == ("2026-05-02", "kiemtra106")
    # verified_on is read-only on the measure itself: only the action sets it.
    ignored = as_inspector.patch(
        f"/api/v1/clean-tech-measures/{measure.pk}/", {"verified_on": None}, format="json"
    )
    assert ignored.status_code == 403


def test_history_lists_field_level_changes_newest_first(
    api_client, admin_user, auditor, own_facility
):
    api_client.force_authenticate(admin_user)
    url = f"/api/v1/facilities/{own_facility.pk}/"
    api_client.patch(
        url,
        {"name": "Tên mới", "address": "Bản Hon"},
        format="json",
        HTTP_X_CHANGE_REASON="Đổi tên",
    )
    api_client.force_authenticate(auditor)
    response = api_client.get(f"/api/v1/history/?model=facility&object_id={own_facility.pk}")
    assert response.status_code == 200
    newest, created = response.data["results"]
    assert (newest["type"], newest["user"], newest["reason"]) == ("changed", "quantri", "Đổi tên")
    assert newest["changes"] == [
        {"field": "address", "old": "Bản Bình Lư, Tam Đường", "new": "Bản Hon"},
        {"field": "name", "old": "Nhà máy chè Tam Đường", "new": "Tên mới"},
    ]
    assert created["type"] == "created"
    assert set(newest) == {"id", "model", "object_id", "type", "at", "user", "reason", "changes"}


def test_history_filters_by_user_and_time(api_client, admin_user, auditor, own_facility):
    api_client.force_authenticate(admin_user)
    api_client.patch(f"/api/v1/facilities/{own_facility.pk}/", {"name": "X"}, format="json")
    api_client.force_authenticate(auditor)
    by_admin = api_client.get("/api/v1/history/?user=quantri")
    assert [row["type"] for row in by_admin.data["results"]] == ["changed"]
    assert api_client.get("/api/v1/history/?since=2026-06-02").data["count"] == 0
    assert api_client.get("/api/v1/history/?until=2026-05-31").data["count"] == 0
    today = api_client.get("/api/v1/history/?since=2026-06-01&until=2026-06-01").data["count"]
    assert today == api_client.get("/api/v1/history/").data["count"] > 0
    assert api_client.get("/api/v1/history/?model=user").status_code == 400


def test_history_shows_a_business_user_only_its_own_registry_rows(
    api_client, business_owner, own_facility, competitor_facility
):
    InspectionFactory(facility=own_facility)
    api_client.force_authenticate(business_owner)
    rows = api_client.get("/api/v1/history/").data["results"]
    assert {(row["model"], row["object_id"]) for row in rows} == {("facility", own_facility.pk)} | {
        ("enterprise", own_facility.enterprise_id)
    }


def test_history_cannot_be_written(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(api_client, method)("/api/v1/history/", {}, format="json").status_code == 405
