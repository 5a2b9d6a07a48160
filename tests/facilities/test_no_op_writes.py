"""A write that changes nothing changes nothing: no new version, no history row — through
the API, the admin, the inspection pages' services and the bulk helpers of imports."""

import datetime

import pytest
from django.forms.models import model_to_dict

from facilities.history import bulk_update_with_reason
from facilities.models import Facility
from inspections.services import inspection_update
from tests.factories import InspectionFactory

pytestmark = pytest.mark.django_db


def history_rows(obj) -> int:
    return type(obj).history.filter(id=obj.pk).count()


def test_a_patch_with_the_same_values_keeps_the_version_and_writes_no_history(
    api_client, admin_user, own_facility
):
    url = f"/api/v1/facilities/{own_facility.pk}/"
    api_client.force_authenticate(admin_user)
    before = api_client.get(url)
    rows = history_rows(own_facility)
    same = api_client.patch(
        url,
        {"name": own_facility.name, "address": own_facility.address},
        format="json",
        HTTP_IF_MATCH=before["ETag"],
    )
    assert same.status_code == 200
    assert same["ETag"] == before["ETag"]
    assert history_rows(own_facility) == rows
    # Another client still holding the ETag is not refused (no spurious 412).
    other = api_client.patch(url, {"name": "Tên khác"}, format="json", HTTP_IF_MATCH=before["ETag"])
    assert other.status_code == 200
    assert history_rows(own_facility) == rows + 1


def test_saving_the_admin_form_unchanged_writes_no_history(client, admin_user, own_facility):
    client.force_login(admin_user)
    own_facility.refresh_from_db()
    rows, version = history_rows(own_facility), own_facility.version
    data = {
        k: ("" if v is None else v)
        for k, v in model_to_dict(own_facility).items()
        if k not in ("id", "version", "search_key")
    }
    data["operating_since"] = own_facility.operating_since.isoformat()
    response = client.post(f"/admin/facilities/facility/{own_facility.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    own_facility.refresh_from_db()
    assert (history_rows(own_facility), own_facility.version) == (rows, version)


def test_an_unchanged_inspection_edit_writes_no_history(inspector_tam_duong, own_facility):
    inspection = InspectionFactory(facility=own_facility, status="draft", outcome="")
    rows = history_rows(inspection)
    inspection_update(
        inspection=inspection,
        user=inspector_tam_duong,
        visited_on=inspection.visited_on,
        summary=inspection.summary,
    )
    assert history_rows(inspection) == rows


def test_bulk_updates_skip_rows_that_did_not_change(admin_user, own_facility, competitor_facility):
    facilities = list(Facility.objects.order_by("pk"))
    facilities[0].closed_on = datetime.date(2030, 1, 1)
    facilities[0].closed_on = None  # back to what it was: nothing to write
    facilities[1].name = "Đổi tên"
    written = bulk_update_with_reason(
        Facility, facilities, ["closed_on", "name"], user=admin_user, reason="nhập"
    )
    assert written == 1
    assert [history_rows(f) for f in facilities] == [1, 2]
    assert [f.version for f in Facility.objects.order_by("pk")] == [1, 2]
