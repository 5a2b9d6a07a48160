"""A published report is confirmed first: the administrator reads what will be frozen
and only the confirm button publishes."""

from compliance.models import AnnualReport
from tests.browser.conftest import PHONE


def test_a_published_report_is_confirmed_first(open_as, scene, admin_user):
    desk = open_as(admin_user, viewport=PHONE)
    desk.goto("/reports/2025/")
    desk.click("#publish")
    assert desk.url.endswith("/reports/2025/publish/")
    frozen = desk.inner_text("#will-be-frozen")
    assert "31/12/2025" in frozen
    assert "không sửa, không xóa được" in frozen
    assert desk.locator("#frozen-figures dd").count() >= 1
    assert not AnnualReport.objects.filter(year=2025).exists()
    # Going back publishes nothing.
    desk.get_by_role("link", name="Quay lại, chưa công bố").click()
    assert desk.url.endswith("/reports/2025/")
    assert not AnnualReport.objects.filter(year=2025).exists()

    desk.click("#publish")
    desk.click("#confirm-publish")
    assert desk.url.endswith("/reports/2025/")
    assert "Đã công bố báo cáo năm 2025" in desk.inner_text(".messages")
    assert "Đã công bố" in desk.inner_text("#report-status")
    assert desk.locator("#publish").count() == 0
    assert AnnualReport.objects.get(year=2025).published_by == admin_user
    assert desk.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
