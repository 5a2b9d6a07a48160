"""A form sent with errors: the summary at its top takes the focus, its links lead to the
fields, and the page still passes axe."""

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import PHONE


def test_a_visit_sent_with_errors_shows_the_summary_and_focus_lands_on_it(
    open_as, scene, inspector_tam_duong
):
    page = open_as(inspector_tam_duong, viewport=PHONE)
    page.goto(f"/facilities/{scene['own'].pk}/inspections/new/")
    assert page.locator(".error-summary").count() == 0
    page.fill("#id_summary", "Kiểm tra định kỳ")
    page.click("button[value=finalize]")

    summary = page.locator("[data-error-summary]")
    assert "Cần sửa 1 chỗ dưới đây rồi gửi lại." in summary.inner_text()
    # The focus moves when the deferred script runs, which may be just after the summary
    # is in the document: wait for it (10 s at most) rather than sample once.
    page.wait_for_function("document.activeElement.hasAttribute('data-error-summary')")
    assert summary.bounding_box()["y"] < PHONE["height"]  # on screen, not below the fold

    summary.get_by_role("link").first.click()
    page.wait_for_function("document.activeElement.id === 'id_outcome'")
    assert page.input_value("#id_summary") == "Kiểm tra định kỳ"
    violations = axe_violations(page)
    assert not violations, describe(violations)
