"""Annual reports: published once, frozen for good, and compared with a recomputation."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from compliance.indicators import compute_indicators
from compliance.indicators.selectors import annual_report_diff
from compliance.models import AnnualReport, PublishedReportError
from compliance.services import ReportAlreadyPublished, annual_report_publish
from facilities.history import change_context
from inspections.choices import Outcome
from tests.factories import InspectionFactory

REPORTS = "/api/v1/indicators/reports/"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2021, 3, 1, 9, 0), tick=False):
        yield


@pytest.fixture
def published(worked_example, admin_user):
    return annual_report_publish(year=2020, user=admin_user)


def test_publishing_freezes_the_figures_and_every_facility_row(published, admin_user):
    assert published.as_of == datetime.date(2020, 12, 31)
    assert published.published_by == admin_user
    assert published.figures == compute_indicators(published.as_of).to_dict()
    assert [
        (r["code"], r["reason"]) for r in published.rows["establishments_meeting_standards"]
    ] == [
        ("A", None),
        ("B", "assessment_expired"),
        ("C", "overdue_remediation"),
        ("D", "not_assessed"),
    ]
    assert [r["code"] for r in published.rows["new_production_clean_tech"]] == ["A"]
    assert published.new_build_since == datetime.date(2012, 11, 30)
    assert published.assessment_valid_years == 3


def test_a_year_is_published_only_once(published, admin_user):
    with pytest.raises(ReportAlreadyPublished):
        annual_report_publish(year=2020, user=admin_user)


@pytest.mark.parametrize("year", [2021, 2022, 1999])
def test_only_a_finished_year_can_be_published(db, admin_user, year):
    with pytest.raises(ValidationError):
        annual_report_publish(year=year, user=admin_user)


# --- immutability through the ORM -------------------------------------------------------


def test_saving_a_published_report_again_is_refused(published):
    published.figures = {"indicators": []}
    with pytest.raises(PublishedReportError):
        published.save()


def test_deleting_a_published_report_is_refused(published):
    with pytest.raises(PublishedReportError):
        published.delete()
    assert AnnualReport.objects.filter(year=2020).exists()


def test_bulk_updates_and_deletes_are_refused(published):
    with pytest.raises(PublishedReportError):
        AnnualReport.objects.filter(year=2020).update(figures={})
    with pytest.raises(PublishedReportError):
        AnnualReport.objects.all().delete()
    with pytest.raises(PublishedReportError):
        AnnualReport.objects.bulk_update([published], ["figures"])
    published.refresh_from_db()
    assert published.figures["indicators"][0]["numerator"] == 1


def test_the_publisher_cannot_be_deleted_while_their_report_stands(published, admin_user):
    with pytest.raises(ProtectedError):
        admin_user.delete()


# --- immutability through the admin -----------------------------------------------------


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_admin_shows_published_reports(admin_client, published):
    assert admin_client.get("/admin/compliance/annualreport/").status_code == 200
    page = admin_client.get(f"/admin/compliance/annualreport/{published.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_the_admin_cannot_change_add_or_delete_a_report(admin_client, published):
    change = admin_client.post(
        f"/admin/compliance/annualreport/{published.pk}/change/", {"year": 2019}
    )
    assert change.status_code == 403
    assert admin_client.get("/admin/compliance/annualreport/add/").status_code == 403
    delete = admin_client.post(
        f"/admin/compliance/annualreport/{published.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    bulk = admin_client.post(
        "/admin/compliance/annualreport/",
        {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"},
    )
    assert AnnualReport.objects.filter(pk=published.pk, year=2020).exists()
    assert bulk.status_code in (200, 302, 403)


# --- the difference with a recomputation ------------------------------------------------


def test_a_report_recomputed_unchanged_shows_no_difference(published, auditor):
    diff = annual_report_diff(published, reader=auditor)
    assert diff.facilities == []
    assert all(f["published"] == f["current"] for f in diff.figures)


def test_the_diff_names_each_changed_facility_and_the_history_that_explains_it(
    published, worked_example, auditor
):
    with (
        time_machine.travel(datetime.datetime(2021, 4, 1, 9, 0), tick=False),
        change_context(user=auditor, reason="Nhập bổ sung biên bản kiểm tra 2020"),
    ):
        InspectionFactory(
            facility=worked_example["D"],
            visited_on=datetime.date(2020, 11, 5),
            outcome=Outcome.COMPLIANT,
        )
    diff = annual_report_diff(published, reader=auditor)
    figures = {f["code"]: f for f in diff.figures}
    assert figures["establishments_meeting_standards"]["published"]["numerator"] == 1
    assert figures["establishments_meeting_standards"]["current"]["numerator"] == 2
    (difference,) = diff.facilities
    assert (difference.code, difference.indicator) == ("D", "establishments_meeting_standards")
    assert difference.published == {"counted": False, "reason": "not_assessed"}
    assert difference.current == {"counted": True, "reason": None}
    (entry,) = [e.to_dict() for e in difference.history]
    assert (entry["model"], entry["type"], entry["user"], entry["reason"]) == (
        "inspection",
        "created",
        auditor.username,
        "Nhập bổ sung biên bản kiểm tra 2020",
    )


def test_the_diff_shows_which_fields_changed(published, worked_example, admin_user):
    certificate = worked_example["C"].certificates.get()
    with (
        time_machine.travel(datetime.datetime(2021, 4, 1, 9, 0), tick=False),
        change_context(user=admin_user, reason="Quyết định thu hồi bị hủy"),
    ):
        certificate.revoked_on = None
        certificate.revocation_reason = ""
        certificate.save()
    (difference,) = annual_report_diff(published, reader=admin_user).facilities
    assert difference.indicator == "businesses_certified"
    (entry,) = [e.to_dict() for e in difference.history]
    assert entry["type"] == "changed"
    assert {"field": "revoked_on", "old": "2020-11-01", "new": None} in entry["changes"]


def test_the_diff_counts_queries_independently_of_the_differences(
    published, worked_example, admin_user, django_assert_max_num_queries
):
    with time_machine.travel(datetime.datetime(2021, 4, 1, 9, 0), tick=False):
        for code in "ABCD":
            InspectionFactory(
                facility=worked_example[code],
                visited_on=datetime.date(2020, 12, 1),
                outcome=Outcome.NON_COMPLIANT,
            )
    # 1 recomputation; the reader's profile; the inspections' facilities; one per
    # history model (5).
    with django_assert_max_num_queries(8):
        diff = annual_report_diff(published, reader=admin_user)
    # A loses its count, B, C and D change their reason: all four are listed.
    assert [(d.code, d.current["reason"]) for d in diff.facilities] == [
        (code, "non_compliant") for code in "ABCD"
    ]


# --- the report endpoints ---------------------------------------------------------------


def test_an_administrator_publishes_through_the_api(api_client, admin_user, worked_example):
    api_client.force_authenticate(admin_user)
    response = api_client.post(f"{REPORTS}2020/publish/")
    assert response.status_code == 201
    assert response.json()["published_by"] == admin_user.username
    assert api_client.post(f"{REPORTS}2020/publish/").status_code == 409
    assert api_client.post(f"{REPORTS}2021/publish/").status_code == 400
    listing = api_client.get(REPORTS).json()
    assert [r["year"] for r in listing] == [2020]


@pytest.mark.parametrize("persona", ["auditor", "inspector_tam_duong", "business_owner"])
def test_only_administrators_publish(request, api_client, persona, worked_example):
    api_client.force_authenticate(request.getfixturevalue(persona))
    assert api_client.post(f"{REPORTS}2020/publish/").status_code == 403
    assert not AnnualReport.objects.exists()


def test_an_unpublished_year_is_computed_on_request(api_client, auditor, worked_example):
    api_client.force_authenticate(auditor)
    data = api_client.get(f"{REPORTS}2020/").json()
    assert data["published"] is False
    assert data["report"]["indicators"][0]["numerator"] == 1
    rows = api_client.get(f"{REPORTS}2020/facilities/", {"code": "businesses_certified"}).json()
    assert [r["code"] for r in rows] == ["B", "C", "D"]
    assert api_client.get(f"{REPORTS}2020/diff/").status_code == 404


def test_a_published_year_answers_from_its_snapshot(api_client, auditor, published, worked_example):
    with time_machine.travel(datetime.datetime(2021, 4, 1, 9, 0), tick=False):
        InspectionFactory(facility=worked_example["D"], visited_on=datetime.date(2020, 11, 5))
    api_client.force_authenticate(auditor)
    data = api_client.get(f"{REPORTS}2020/").json()
    assert data["published"] is True
    assert data["report"]["indicators"][0]["numerator"] == 1  # frozen, not 2
    diff = api_client.get(f"{REPORTS}2020/diff/").json()
    assert [(f["code"], f["indicator"]) for f in diff["facilities"]] == [
        ("D", "establishments_meeting_standards")
    ]
    assert diff["facilities"][0]["history"][0]["model"] == "inspection"


def test_inspectors_see_the_diff_without_the_change_log(
    api_client, inspector_tam_duong, published, worked_example
):
    InspectionFactory(facility=worked_example["D"], visited_on=datetime.date(2020, 11, 5))
    api_client.force_authenticate(inspector_tam_duong)
    diff = api_client.get(f"{REPORTS}2020/diff/").json()
    assert diff["facilities"][0]["history"] is None


@pytest.mark.parametrize("year", [1999, 10000, 14394403023440126052206116864])
def test_publishing_a_year_out_of_range_is_a_clear_400_not_a_server_error(
    db, admin_user, api_client, year
):
    api_client.force_authenticate(admin_user)
    response = api_client.post(f"/api/v1/indicators/reports/{year}/publish/", {}, format="json")
    assert response.status_code == 400
    assert "year" in response.json()
