"""The visit form in the field: a clean visit without findings, one visit per submission
key, the answer the page script gets, the phone's location, dates on a number keyboard,
throwing away a draft, and the service worker's script (docs/web.md, "Field workflow")."""

import json
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from facilities.services import user_create
from inspections import services
from inspections.choices import InspectionStatus
from inspections.models import Finding, Inspection
from tests.conftest import PASSWORD
from tests.web.test_pages import PNG_1PX, visit_post

pytestmark = pytest.mark.django_db

OUTBOX = {"HTTP_X_VISIT_OUTBOX": "1"}


def new_visit(registry):
    return f"/facilities/{registry['own'].pk}/inspections/new/"


def clean_visit(**overrides):
    """A visit that found nothing: no finding row at all."""
    data = {key: value for key, value in visit_post().items() if not key.startswith("findings-")}
    data.update(
        {
            "findings-TOTAL_FORMS": "0",
            "findings-INITIAL_FORMS": "0",
            "findings-MIN_NUM_FORMS": "0",
            "findings-MAX_NUM_FORMS": "50",
        }
    )
    data.update(overrides)
    return data


def test_the_form_starts_without_finding_rows_and_offers_to_add_one(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    page = client.get(new_visit(registry)).content.decode()
    assert 'name="findings-TOTAL_FORMS" value="0"' in page
    assert 'id="id_findings-0-category"' not in page
    assert 'value="add_finding"' in page and "Thêm tồn tại, vi phạm" in page


def test_a_clean_visit_is_saved_without_any_finding(client, inspector_tam_duong, registry):
    client.force_login(inspector_tam_duong)
    response = client.post(new_visit(registry), clean_visit())
    visit = Inspection.objects.get(summary="Đợt kiểm tra tháng 11")
    assert response["Location"] == f"/inspections/{visit.pk}/edit/"
    assert not visit.findings.exists()


def test_adding_a_finding_without_javascript_keeps_what_was_typed_and_saves_nothing(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    response = client.post(new_visit(registry), clean_visit(action="add_finding"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="findings-TOTAL_FORMS" value="1"' in page
    assert 'id="id_findings-0-category"' in page
    assert "Đợt kiểm tra tháng 11</textarea>" in page
    # The new row is empty, not wrong: no error yet.
    assert "data-error-summary" not in page and 'class="error"' not in page
    assert not Inspection.objects.filter(summary="Đợt kiểm tra tháng 11").exists()


def test_a_blank_finding_row_added_by_mistake_does_not_block_the_save(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    data = clean_visit(**{"findings-TOTAL_FORMS": "1", "findings-0-severity": "minor"})
    response = client.post(new_visit(registry), data)
    assert response.status_code == 302
    assert not Finding.objects.filter(inspection__summary="Đợt kiểm tra tháng 11").exists()


def test_the_remove_control_of_a_finding_is_a_large_labelled_target(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    page = client.get(f"/inspections/{registry['visit'].pk}/edit/")  # finalized: redirected
    assert page.status_code == 302
    with_finding = client.post(new_visit(registry), visit_post())
    page = client.get(with_finding["Location"]).content.decode()
    assert '<div class="field delete-row"><label for="id_findings-0-DELETE">' in page
    assert '<input type="checkbox" name="findings-0-DELETE" id="id_findings-0-DELETE">' in page
    assert "Xóa tồn tại này khi lưu" in page


def test_the_same_save_sent_twice_makes_one_visit(client, inspector_tam_duong, registry):
    client.force_login(inspector_tam_duong)
    key = str(uuid.uuid4())
    photo = SimpleUploadedFile("anh.png", PNG_1PX, content_type="image/png")
    first = client.post(new_visit(registry), {**visit_post(submission_key=key), "files": [photo]})
    again = SimpleUploadedFile("anh.png", PNG_1PX, content_type="image/png")
    second = client.post(new_visit(registry), {**visit_post(submission_key=key), "files": [again]})
    visit = Inspection.objects.get(summary="Đợt kiểm tra tháng 11")
    assert str(visit.submission_key) == key
    assert first["Location"] == second["Location"] == f"/inspections/{visit.pk}/edit/"
    assert visit.findings.count() == 1 and visit.attachments.count() == 1
    assert "đã được gửi trước đó" in client.get(second["Location"]).content.decode()


def test_a_save_racing_an_earlier_send_of_the_same_form_finds_it(
    client, inspector_tam_duong, registry, monkeypatch
):
    """Both sends looked for the key before either had saved: the database refuses the
    second insert and the page sends the user to the first visit."""
    client.force_login(inspector_tam_duong)
    key = str(uuid.uuid4())
    client.post(new_visit(registry), visit_post(submission_key=key))
    monkeypatch.setattr(services, "inspection_sent_with", lambda key: None)
    response = client.post(new_visit(registry), visit_post(submission_key=key))
    visit = Inspection.objects.get(summary="Đợt kiểm tra tháng 11")
    assert response["Location"] == f"/inspections/{visit.pk}/edit/"
    assert visit.findings.count() == 1


def test_a_key_that_made_a_finalized_visit_leads_to_that_visit(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    key = str(uuid.uuid4())
    Inspection.objects.filter(pk=registry["visit"].pk).update(submission_key=key)
    response = client.post(new_visit(registry), visit_post(submission_key=key))
    assert response["Location"] == f"/inspections/{registry['visit'].pk}/"
    assert Inspection.objects.count() == 3  # the registry's three, none more


def test_the_page_script_is_answered_with_where_to_go(client, inspector_tam_duong, registry):
    client.force_login(inspector_tam_duong)
    key = str(uuid.uuid4())
    response = client.post(new_visit(registry), visit_post(submission_key=key), **OUTBOX)
    visit = Inspection.objects.get(submission_key=key)
    assert response.status_code == 200
    assert json.loads(response.content) == {"url": f"/inspections/{visit.pk}/edit/"}
    again = client.post(new_visit(registry), visit_post(submission_key=key), **OUTBOX)
    assert json.loads(again.content) == {"url": f"/inspections/{visit.pk}/edit/"}


def test_with_the_page_script_an_error_does_not_ask_to_choose_the_files_again(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    wrong = visit_post(visited_on="31/02/2026")

    def post(**headers):
        photo = SimpleUploadedFile("anh.png", PNG_1PX, content_type="image/png")
        return client.post(new_visit(registry), {**wrong, "files": [photo]}, **headers)

    assert "vui lòng chọn lại tệp" in post().content.decode()
    kept = post(**OUTBOX).content.decode()
    assert "vui lòng chọn lại tệp" not in kept and 'data-field="visited_on"' in kept
    assert not Inspection.objects.filter(summary="Đợt kiểm tra tháng 11").exists()


def test_an_expired_login_writes_nothing_and_sends_to_the_login_page(client, registry):
    response = client.post(new_visit(registry), visit_post(submission_key=str(uuid.uuid4())))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert Inspection.objects.count() == 3


def test_dates_open_the_number_keyboard_and_take_eight_digits(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    page = client.get(new_visit(registry)).content.decode()
    assert 'id="id_visited_on"' in page and 'inputmode="numeric"' in page
    assert 'name="location-latitude"' in page and 'inputmode="decimal"' in page
    client.post(new_visit(registry), clean_visit(visited_on="18112026"))
    assert Inspection.objects.get(summary="Đợt kiểm tra tháng 11").visited_on.day == 18


def test_the_phones_location_becomes_the_facilitys_coordinates(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    response = client.post(
        new_visit(registry),
        clean_visit(**{"location-latitude": "22,3961", "location-longitude": "103.45821234"}),
    )
    assert response.status_code == 302
    facility = registry["own"]
    facility.refresh_from_db()
    assert (facility.latitude, facility.longitude) == (Decimal("22.396100"), Decimal("103.458212"))
    assert facility.history.first().history_user == inspector_tam_duong


def test_a_location_outside_the_province_is_refused_and_nothing_is_saved(
    client, inspector_tam_duong, registry
):
    client.force_login(inspector_tam_duong)
    response = client.post(
        new_visit(registry),
        clean_visit(**{"location-latitude": "21.0285", "location-longitude": "105.8542"}),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "nằm ngoài tỉnh Lai Châu" in page and 'data-field="location-latitude"' in page
    assert not Inspection.objects.filter(summary="Đợt kiểm tra tháng 11").exists()
    registry["own"].refresh_from_db()
    assert registry["own"].latitude is None


def test_only_half_a_location_is_refused(client, inspector_tam_duong, registry):
    client.force_login(inspector_tam_duong)
    response = client.post(new_visit(registry), clean_visit(**{"location-latitude": "22.4"}))
    assert "Cần có đủ cả vĩ độ và kinh độ." in response.content.decode()
    assert not Inspection.objects.filter(summary="Đợt kiểm tra tháng 11").exists()


def test_the_author_discards_a_draft_after_confirming(client, inspector_tam_duong, registry):
    client.force_login(inspector_tam_duong)
    draft = registry["draft"]
    edit = client.get(f"/inspections/{draft.pk}/edit/").content.decode()
    assert f'href="/inspections/{draft.pk}/discard/"' in edit
    assert "Nháp của cán bộ" in client.get(f"/inspections/{draft.pk}/discard/").content.decode()
    # A POST without the confirm button (an old form, a replay) discards nothing.
    assert client.post(f"/inspections/{draft.pk}/discard/")["Location"] == (
        f"/inspections/{draft.pk}/discard/"
    )
    assert Inspection.objects.filter(pk=draft.pk).exists()
    response = client.post(
        f"/inspections/{draft.pk}/discard/", {"confirm": "yes", "reason": "Ghi trùng"}
    )
    assert response["Location"] == "/worklist/"
    assert not Inspection.objects.filter(pk=draft.pk).exists()
    row = Inspection.history.filter(id=draft.pk, history_type="-").get()
    assert (row.history_user, row.history_change_reason) == (inspector_tam_duong, "Ghi trùng")


def test_a_colleague_who_did_not_start_the_draft_may_not_discard_it(client, registry):
    colleague = user_create(
        username="kiemtra106b", role="inspector", password=PASSWORD, districts=["106"]
    )
    client.force_login(colleague)
    draft = registry["draft"]
    assert client.get(f"/inspections/{draft.pk}/edit/").status_code == 200
    assert (
        f"/inspections/{draft.pk}/discard/"
        not in client.get(f"/inspections/{draft.pk}/edit/").content.decode()
    )
    response = client.post(f"/inspections/{draft.pk}/discard/", {"confirm": "yes"})
    assert response.status_code == 403
    assert Inspection.objects.filter(pk=draft.pk, status=InspectionStatus.DRAFT).exists()


def test_a_finalized_visit_cannot_be_discarded(client, inspector_tam_duong, admin_user, registry):
    for user in (inspector_tam_duong, admin_user):
        client.force_login(user)
        response = client.post(f"/inspections/{registry['visit'].pk}/discard/", {"confirm": "yes"})
        assert response.status_code == 403
    assert Inspection.objects.filter(pk=registry["visit"].pk).exists()


def test_the_service_worker_is_served_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert '"/static/js/offline-visits.js"' in script and "worklist" in script
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy


def test_the_work_list_offers_to_discard_only_the_drafts_one_started(
    client, inspector_tam_duong, admin_user, registry
):
    draft = registry["draft"]
    link = f'href="/inspections/{draft.pk}/discard/"'
    colleague = user_create(
        username="kiemtra106b", role="inspector", password=PASSWORD, districts=["106"]
    )
    for user, offered in ((inspector_tam_duong, True), (admin_user, True), (colleague, False)):
        client.force_login(user)
        page = client.get("/worklist/").content.decode()
        assert f'href="/inspections/{draft.pk}/edit/?next=' in page
        assert (link in page) == offered, user.username


def test_a_save_of_a_draft_sent_twice_is_applied_once(
    client, inspector_tam_duong, auditor, registry
):
    client.force_login(inspector_tam_duong)
    draft = registry["draft"]
    page = client.get(f"/inspections/{draft.pk}/edit/")
    save_key = str(page.context["form"].initial["save_key"])
    data = visit_post(
        save_key=save_key,
        summary="Nháp, lần lưu thứ hai",
        **{"findings-TOTAL_FORMS": "1", "findings-INITIAL_FORMS": "0"},
    )
    first = client.post(f"/inspections/{draft.pk}/edit/", data)
    second = client.post(f"/inspections/{draft.pk}/edit/", data, **OUTBOX)
    assert first["Location"] == f"/inspections/{draft.pk}/edit/"
    assert json.loads(second.content) == {"url": f"/inspections/{draft.pk}/edit/"}
    assert draft.findings.count() == 1  # not two
    assert "đã được ghi nhận trước đó" in client.get(first["Location"]).content.decode()
    # A new opening of the form is a new save, applied.
    again = client.get(f"/inspections/{draft.pk}/edit/").context["form"].initial["save_key"]
    assert str(again) != save_key
    # The key is bookkeeping, not history: the change log shows the summary, not the key.
    assert not hasattr(Inspection.history.model, "last_save_key")
    client.force_login(auditor)
    log = client.get(f"/changes/inspection/{draft.pk}/")
    assert log.status_code == 200
    assert "Nháp, lần lưu thứ hai" in log.content.decode()
    assert "mã lần lưu cuối" not in log.content.decode()


def test_a_visit_kept_by_another_account_on_the_phone_is_not_recorded_in_this_ones_name(
    client, inspector_tam_duong, admin_user, registry
):
    client.force_login(admin_user)
    response = client.post(
        new_visit(registry),
        visit_post(submission_key=str(uuid.uuid4())),
        HTTP_X_VISIT_USER=str(inspector_tam_duong.pk),
        **OUTBOX,
    )
    assert response.status_code == 403
    assert not Inspection.objects.filter(summary="Đợt kiểm tra tháng 11").exists()


def test_the_draft_form_costs_the_same_queries_whatever_it_holds(
    client, inspector_tam_duong, registry
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from facilities.history import change_context
    from tests.factories import FindingFactory

    client.force_login(inspector_tam_duong)
    draft = registry["draft"]
    url = f"/inspections/{draft.pk}/edit/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    with change_context(user=inspector_tam_duong, reason="dữ liệu thử"):
        FindingFactory(inspection=draft)
    one = count()
    with change_context(user=inspector_tam_duong, reason="dữ liệu thử"):
        FindingFactory.create_batch(4, inspection=draft)
    # session, user, profile; the draft; the inspector's districts; who started it (may
    # discard); the department's name in the header; its findings; its attachments.
    assert count() == one == 9
