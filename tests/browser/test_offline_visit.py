"""A visit recorded on a phone without a connection, or after the login expired, is kept on
the device, shown as waiting, and sent once when it can be (docs/web.md, "Field workflow")."""

from playwright.sync_api import expect

from inspections.models import Inspection
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import PHONE, login
from tests.browser.test_field_workflow import PNG_1PX

SUMMARY = "Kiểm tra khi mất sóng ở Bản Hon"


def fill_a_visit(phone, facility):
    phone.goto(f"/facilities/{facility.pk}/inspections/new/")
    phone.fill("#id_summary", SUMMARY)
    # A clean visit has no finding row; this one adds one.
    assert phone.locator("[data-finding]").count() == 0
    phone.click("#add-finding")
    phone.select_option("#id_findings-0-category", "solid_waste")
    phone.fill("#id_findings-0-description", "Chưa phân loại chất thải rắn")
    phone.locator("#id_findings-0-deadline").press_sequentially("31122026")
    assert phone.input_value("#id_findings-0-deadline") == "31/12/2026"
    phone.set_input_files(
        "#id_files", files=[{"name": "bai-thai.png", "mimeType": "image/png", "buffer": PNG_1PX}]
    )


def visits():
    return Inspection.objects.filter(summary=SUMMARY)


def test_a_visit_saved_offline_waits_and_is_sent_once_when_the_connection_returns(
    open_as, scene, inspector_tam_duong
):
    phone = open_as(inspector_tam_duong, viewport=PHONE)
    fill_a_visit(phone, scene["own"])

    phone.context.set_offline(True)
    phone.click("button[value=draft]")
    waiting = phone.locator("#outbox-list .outbox-item")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Chờ gửi: chưa có kết nối.")
    expect(waiting).to_contain_text("TD-001")
    assert phone.input_value("#id_summary") == SUMMARY  # nothing typed is lost
    assert not visits().exists()
    violations = axe_violations(phone)
    assert not violations, describe(violations)

    phone.context.set_offline(False)  # the "online" event sends it, then opens the draft
    phone.wait_for_url("**/inspections/*/edit/")
    assert "Đã lưu bản nháp" in phone.inner_text(".messages")
    visit = visits().get()
    assert visit.findings.get().description == "Chưa phân loại chất thải rắn"
    assert visit.attachments.get().original_name == "bai-thai.png"
    expect(phone.locator("#outbox")).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_save_whose_answer_was_lost_is_sent_again_without_a_second_visit(
    open_as, scene, inspector_tam_duong
):
    phone = open_as(inspector_tam_duong, viewport=PHONE)
    fill_a_visit(phone, scene["own"])

    # The server saves the visit, but the answer never reaches the phone.
    def lose_the_answer(route):
        route.fetch()
        route.abort("connectionreset")

    phone.route(
        "**/inspections/new/",
        lambda route: (
            lose_the_answer(route) if route.request.method == "POST" else route.continue_()
        ),
    )
    phone.click("button[value=draft]")
    expect(phone.locator("#outbox-list .outbox-item")).to_have_count(1)
    assert visits().count() == 1

    phone.unroute("**/inspections/new/")
    phone.get_by_role("button", name="Gửi ngay").click()  # the retry
    phone.wait_for_url("**/inspections/*/edit/")
    assert "đã được gửi trước đó" in phone.inner_text(".messages")
    assert visits().count() == 1
    assert visits().get().findings.count() == 1


def test_an_expired_login_keeps_the_visit_until_the_inspector_logs_in_again(
    open_as, scene, inspector_tam_duong
):
    phone = open_as(inspector_tam_duong, viewport=PHONE)
    fill_a_visit(phone, scene["own"])
    phone.context.clear_cookies()  # the session ended while the form was open

    phone.click("button[value=draft]")
    waiting = phone.locator("#outbox-list .outbox-item")
    expect(waiting).to_contain_text("phiên đăng nhập đã hết")
    assert not visits().exists()

    # Logging in again in another tab, then "send now".
    other_tab = phone.context.new_page()
    login(other_tab, inspector_tam_duong.username)
    other_tab.close()
    phone.get_by_role("button", name="Gửi ngay").click()
    phone.wait_for_url("**/inspections/*/edit/")
    assert visits().count() == 1


def test_an_error_keeps_the_chosen_photo(open_as, scene, inspector_tam_duong):
    phone = open_as(inspector_tam_duong, viewport=PHONE)
    fill_a_visit(phone, scene["own"])
    phone.fill("#id_visited_on", "31/02/2026")
    phone.click("button[value=draft]")
    expect(phone.locator("[data-field=visited_on]")).to_contain_text("ngày/tháng/năm")
    assert phone.evaluate("document.querySelector('#id_files').files[0].name") == "bai-thai.png"
    assert "vẫn được giữ" in phone.inner_text("#kept-files")
    phone.fill("#id_visited_on", "18/11/2026")
    phone.click("button[value=draft]")
    phone.wait_for_url("**/inspections/*/edit/")
    assert visits().get().attachments.get().original_name == "bai-thai.png"


def test_the_work_list_and_the_visit_form_open_without_a_connection(
    open_as, scene, inspector_tam_duong
):
    phone = open_as(inspector_tam_duong, viewport=PHONE)
    phone.goto("/worklist/")
    # The service worker is installed and controls the pages from now on.
    phone.evaluate("navigator.serviceWorker.ready")
    phone.reload()
    assert phone.evaluate("!!navigator.serviceWorker.controller")
    form = f"/facilities/{scene['own'].pk}/inspections/new/"
    phone.goto(form)  # opened once online: kept
    first_key = phone.input_value("input[name=submission_key]")

    phone.context.set_offline(True)
    phone.goto("/worklist/")
    expect(phone.locator("h1")).to_have_text("Việc cần làm")
    phone.goto(form)
    expect(phone.locator("#visit-form")).to_be_visible()
    # The kept page's key is not reused: two visits recorded offline stay two.
    assert phone.input_value("input[name=submission_key]") != first_key
    phone.fill("#id_summary", SUMMARY)
    phone.click("button[value=draft]")
    expect(phone.locator("#outbox-list .outbox-item")).to_have_count(1)
    phone.context.set_offline(False)
    phone.wait_for_url("**/inspections/*/edit/")
    assert visits().count() == 1


def test_the_phones_location_fills_the_facilitys_coordinates(open_as, scene, inspector_tam_duong):
    phone = open_as(inspector_tam_duong, viewport=PHONE)
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 22.3961234, "longitude": 103.4582, "accuracy": 8})
    phone.goto(f"/facilities/{scene['own'].pk}/inspections/new/")
    phone.get_by_role("button", name="Dùng vị trí của tôi").click()
    expect(phone.locator("#id_location-latitude")).to_have_value("22.396123")
    assert phone.input_value("#id_location-longitude") == "103.458200"
    assert "sai số khoảng 8 m" in phone.inner_text("#location-status")
    phone.click("button[value=draft]")
    phone.wait_for_url("**/inspections/*/edit/")
    facility = scene["own"]
    facility.refresh_from_db()
    assert (str(facility.latitude), str(facility.longitude)) == ("22.396123", "103.458200")


def test_a_finding_row_can_be_left_out_with_a_large_target(open_as, scene, inspector_tam_duong):
    phone = open_as(inspector_tam_duong, viewport=PHONE)
    phone.goto(f"/facilities/{scene['own'].pk}/inspections/new/")
    phone.fill("#id_summary", SUMMARY)
    phone.click("#add-finding")
    target = phone.locator("label[for=id_findings-0-DELETE]")
    assert target.bounding_box()["height"] >= 44
    phone.fill("#id_findings-0-description", "Ghi nhầm")
    target.click()
    phone.click("button[value=draft]")
    phone.wait_for_url("**/inspections/*/edit/")
    assert not visits().get().findings.exists()


def test_a_waiting_visit_with_a_mistake_is_opened_again_to_correct(
    open_as, scene, inspector_tam_duong
):
    phone = open_as(inspector_tam_duong, viewport=PHONE)
    fill_a_visit(phone, scene["own"])
    phone.fill("#id_visited_on", "31/02/2026")
    # No connection when saving (the post never leaves the phone).
    phone.route("**/inspections/new/", lambda route: route.abort("internetdisconnected"))
    phone.click("button[value=draft]")
    expect(phone.locator("#outbox-list .outbox-item")).to_contain_text("chưa có kết nối")
    phone.unroute("**/inspections/new/")

    # Back online, the work list sends it; the server finds the mistake.
    phone.goto("/worklist/")
    waiting = phone.locator("#outbox-list .outbox-item")
    expect(waiting).to_contain_text("Chưa gửi được: cần sửa lại nội dung.")
    violations = axe_violations(phone)
    assert not violations, describe(violations)
    waiting.get_by_role("link", name="Mở để sửa").click()
    expect(phone.locator("#id_summary")).to_have_value(SUMMARY)
    assert phone.input_value("#id_findings-0-description") == "Chưa phân loại chất thải rắn"
    assert phone.input_value("#id_visited_on") == "31/02/2026"
    assert phone.evaluate("document.querySelector('#id_files').files[0].name") == "bai-thai.png"
    phone.fill("#id_visited_on", "18/11/2026")
    phone.click("button[value=draft]")
    phone.wait_for_url("**/inspections/*/edit/")
    visit = visits().get()
    assert visit.findings.count() == 1 and visit.attachments.count() == 1
    phone.goto("/worklist/")
    expect(phone.locator("#outbox")).to_be_hidden()


def test_signing_out_forgets_the_pages_kept_for_offline_use(open_as, scene, inspector_tam_duong):
    phone = open_as(inspector_tam_duong)
    phone.goto("/worklist/")
    phone.evaluate("navigator.serviceWorker.ready")
    phone.reload()
    phone.goto(f"/facilities/{scene['own'].pk}/inspections/new/")
    kept = "caches.open('envreg-pages').then((c) => c.keys()).then((k) => k.length)"
    phone.wait_for_function(f"{kept}.then((n) => n >= 2)")
    assert phone.evaluate(kept) >= 2  # the work list and the form
    phone.locator("form[action='/logout/'] button").click()
    phone.wait_for_url("**/login/**")
    assert phone.evaluate("caches.has('envreg-pages')") is False
