"""Check your answers before what cannot be undone: publishing an annual report and
finalizing an inspection each show what will be frozen, and only the confirm button of
that page does it; a one-click POST is sent back to the confirmation."""

import datetime

import pytest

from compliance.models import AnnualReport
from facilities.history import change_context
from inspections.choices import InspectionStatus, Outcome

pytestmark = pytest.mark.django_db


def test_publishing_a_report_first_shows_what_will_be_frozen(client, admin_user, registry):
    client.force_login(admin_user)
    page = client.get("/reports/2025/").content.decode()
    assert 'href="/reports/2025/publish/"' in page  # a link to the confirmation, not a form
    response = client.get("/reports/2025/publish/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Xác nhận công bố báo cáo năm 2025" in page
    assert "31/12/2025" in page
    assert 'data-code="establishments_meeting_standards"' in page
    assert 'name="confirm" value="yes"' in page
    assert "csrfmiddlewaretoken" in page
    assert not AnnualReport.objects.filter(year=2025).exists()


def test_a_one_click_publish_is_sent_to_the_confirmation(client, admin_user, registry):
    client.force_login(admin_user)
    response = client.post("/reports/2025/publish/")
    assert response.status_code == 302
    assert response["Location"] == "/reports/2025/publish/"
    assert not AnnualReport.objects.filter(year=2025).exists()
    response = client.post("/reports/2025/publish/", {"confirm": "yes"})
    assert response["Location"] == "/reports/2025/"
    assert AnnualReport.objects.get(year=2025).published_by == admin_user


def test_a_published_year_has_no_confirmation_left(client, admin_user, registry):
    client.force_login(admin_user)
    client.post("/reports/2025/publish/", {"confirm": "yes"})
    response = client.get("/reports/2025/publish/")
    assert response["Location"] == "/reports/2025/"
    assert 'href="/reports/2025/publish/"' not in client.get("/reports/2025/").content.decode()


@pytest.mark.parametrize(("year", "status"), [(2011, 404), (2012, 200), (2025, 200), (2026, 404)])
def test_only_a_finished_year_of_the_series_has_a_confirmation(
    client, admin_user, registry, year, status
):
    client.force_login(admin_user)
    assert client.get(f"/reports/{year}/publish/").status_code == status


@pytest.fixture
def ready_draft(registry, inspector_tam_duong):
    draft = registry["draft"]
    with change_context(user=inspector_tam_duong, reason="dữ liệu thử"):
        draft.outcome = Outcome.COMPLIANT
        draft.save()
    return draft


def test_finalizing_a_visit_first_shows_what_will_be_frozen(
    client, inspector_tam_duong, ready_draft
):
    client.force_login(inspector_tam_duong)
    page = client.get(f"/inspections/{ready_draft.pk}/finalize/").content.decode()
    assert "Xác nhận hoàn tất đợt kiểm tra" in page
    assert "TD-001" in page
    assert "01/11/2026" in page
    assert '<dd id="confirm-outcome">Đạt</dd>' in page
    assert 'name="confirm" value="yes"' in page
    ready_draft.refresh_from_db()
    assert ready_draft.status == InspectionStatus.DRAFT


def test_a_one_click_finalize_is_sent_to_the_confirmation(client, inspector_tam_duong, ready_draft):
    client.force_login(inspector_tam_duong)
    url = f"/inspections/{ready_draft.pk}/finalize/"
    assert client.post(url)["Location"] == url
    ready_draft.refresh_from_db()
    assert ready_draft.status == InspectionStatus.DRAFT
    assert client.post(url, {"confirm": "yes"})["Location"] == f"/inspections/{ready_draft.pk}/"
    ready_draft.refresh_from_db()
    assert ready_draft.status == InspectionStatus.FINALIZED
    assert ready_draft.finalized_by == inspector_tam_duong
    assert ready_draft.history.first().history_user == inspector_tam_duong
    # Confirming again (a second tab, a resent form) changes nothing and says so.
    assert client.post(url, {"confirm": "yes"})["Location"] == f"/inspections/{ready_draft.pk}/"


def test_a_draft_without_outcome_goes_back_to_the_form(client, inspector_tam_duong, registry):
    client.force_login(inspector_tam_duong)
    draft = registry["draft"]
    response = client.post(f"/inspections/{draft.pk}/finalize/", {"confirm": "yes"})
    assert response["Location"] == f"/inspections/{draft.pk}/edit/"
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.DRAFT


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin_user", 200),
        ("inspector_tam_duong", 200),
        ("inspector_phong_tho", 403),
        ("business_owner", 404),
        ("auditor", 403),
    ],
)
def test_only_an_inspector_of_the_district_confirms_a_visit(
    client, request, ready_draft, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/inspections/{ready_draft.pk}/finalize/").status_code == status
    client.post(f"/inspections/{ready_draft.pk}/finalize/", {"confirm": "yes"})
    ready_draft.refresh_from_db()
    finalized = ready_draft.status == InspectionStatus.FINALIZED
    assert finalized == (status == 200)
    assert ready_draft.visited_on == datetime.date(2026, 11, 1)


def test_what_is_changed_on_a_draft_is_saved(client, inspector_tam_duong, registry):
    """The form fills the draft in memory while validating; the service must still see
    (and save, with history) what changed, the outcome chosen for finalizing included."""
    from tests.web.test_pages import visit_post

    client.force_login(inspector_tam_duong)
    draft = registry["draft"]
    response = client.post(
        f"/inspections/{draft.pk}/edit/",
        visit_post(summary="Bổ sung sau kiểm tra", outcome=Outcome.COMPLIANT, action="finalize"),
    )
    assert response["Location"] == f"/inspections/{draft.pk}/finalize/"
    draft.refresh_from_db()
    assert draft.summary == "Bổ sung sau kiểm tra"
    assert draft.outcome == Outcome.COMPLIANT
    assert draft.history.first().history_user == inspector_tam_duong
