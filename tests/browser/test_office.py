"""The administrator registers an enterprise and a facility without the Django admin, on a
phone and on a desktop: the tax code is checked as typed, the enterprise is found by
its name, the code is proposed by the registry; every step passes axe."""

import pytest

from compliance.models import Certificate
from facilities.models import Enterprise, Facility
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import LAPTOP, PHONE

NEW_TAX_CODE = "0100233488"


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, f"{page.url}:\n{describe(violations)}"


def submit(page, button="#save"):
    """Click a form's button and wait for the page it leads to (the write is done then)."""
    with page.expect_navigation():
        page.click(button)


def assert_fits(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "desktop"])
def test_an_administrator_registers_an_enterprise_and_a_facility(
    open_as, scene, admin_user, viewport
):
    page = open_as(admin_user, viewport=viewport)
    page.goto("/enterprises/")
    assert_accessible(page)
    with page.expect_navigation():  # loaded: the deferred tax-code.js is listening
        page.click("#new-enterprise")
    assert page.url.endswith("/enterprises/new/")

    # A wrong check digit is said while typing (static/js/tax-code.js)...
    page.fill("#id_tax_code", "0100233489")
    page.locator("#tax-code-check.bad").wait_for()
    assert "sai chữ số kiểm tra" in page.inner_text("#tax-code-check")
    # ... and a code already registered links to its enterprise.
    page.fill("#id_tax_code", scene["own"].enterprise.tax_code)
    page.locator("#tax-code-check a").wait_for()
    assert "Đã có doanh nghiệp với mã số thuế này." in page.inner_text("#tax-code-check")
    page.fill("#id_tax_code", NEW_TAX_CODE)
    page.locator("#tax-code-check.ok").wait_for()
    assert_accessible(page)

    # Without a reason nothing is written; the summary says what to fix.
    page.fill("#id_name", "Công ty TNHH Nông sản Sìn Hồ")
    submit(page)
    assert "Cần ghi lý do thay đổi." in page.inner_text(".error-summary")
    assert not Enterprise.objects.filter(tax_code=NEW_TAX_CODE).exists()
    assert_accessible(page)
    page.fill("#id_reason", "Hồ sơ đăng ký số 12/2026")
    submit(page)
    assert "Đã đăng ký doanh nghiệp Công ty TNHH Nông sản Sìn Hồ." in page.inner_text(".messages")
    assert_fits(page, viewport)

    # The list's row action opens the facility form with the enterprise filled in.
    with page.expect_navigation():
        page.get_by_role("link", name="Thêm cơ sở").click()
    assert page.input_value("#id_enterprise").endswith(f"({NEW_TAX_CODE})")
    proposed = page.input_value("#id_code")
    assert proposed.startswith("LC-")
    # Typed as a name without diacritics that several enterprises share: choose one.
    page.fill("#id_enterprise", "cong ty")
    page.fill("#id_name", "Xưởng sấy nông sản Sìn Hồ")
    page.select_option("#id_activity", "production")
    page.select_option("#id_sector", "manufacturing")
    page.select_option("#id_commune", label="Xã Bình Lư")
    page.fill("#id_operating_since", "15/03/2026")
    page.fill("#id_reason", "Hồ sơ đăng ký số 13/2026")
    submit(page)
    assert "Có nhiều doanh nghiệp khớp" in page.inner_text(".error-summary")
    assert_accessible(page)
    page.get_by_label("Công ty TNHH Nông sản Sìn Hồ").check()
    submit(page)

    facility = Facility.objects.get(name="Xưởng sấy nông sản Sìn Hồ")
    assert page.url.endswith(f"/facilities/{facility.pk}/")
    assert facility.code == proposed
    assert facility.enterprise.tax_code == NEW_TAX_CODE
    assert facility.history.get().history_user == admin_user
    assert_accessible(page)
    assert_fits(page, viewport)


def test_the_facility_page_leads_to_each_office_form_and_a_revocation_is_confirmed(
    open_as, scene, admin_user
):
    page = open_as(admin_user, viewport=PHONE)
    own = scene["own"]
    page.goto(f"/facilities/{own.pk}/")
    for form_link in ("#edit-facility", "#edit-enterprise", "#add-certificate", "#add-measure"):
        page.goto(f"/facilities/{own.pk}/")
        with page.expect_navigation():
            page.click(form_link)
        assert_accessible(page)
        assert_fits(page, PHONE)

    page.goto(f"/facilities/{own.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Thu hồi giấy chứng nhận số GCN-TD-001").click()
    page.fill("#id_revoked_on", "18/11/2026")
    page.fill("#id_revocation_reason", "Xả thải vượt quy chuẩn")
    submit(page)
    frozen = page.inner_text("#will-be-frozen")
    assert "GCN-TD-001" in frozen and "18/11/2026" in frozen
    assert "không sửa được nữa" in frozen
    assert Certificate.objects.get(number="GCN-TD-001").revoked_on is None
    assert_accessible(page)
    submit(page, "#confirm-revoke")
    assert page.url.endswith(f"/facilities/{own.pk}/")
    assert "Đã thu hồi giấy chứng nhận GCN-TD-001." in page.inner_text(".messages")
    assert Certificate.objects.get(number="GCN-TD-001").revoked_on is not None
