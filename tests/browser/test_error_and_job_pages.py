"""In a real browser, under the Content-Security-Policy: the error pages fit a phone, and
the job page's progress script runs and stops polling when a dead worker's job fails."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from compliance.excel.models import ExcelJob
from tests.browser.conftest import PHONE


def csp_reports(page) -> list[str]:
    reports: list[str] = []
    page.on(
        "console",
        lambda m: reports.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return reports


def test_the_404_page_is_in_the_layout_and_fits_a_phone(open_as, admin_user):
    page = open_as(admin_user, viewport=PHONE)
    reports = csp_reports(page)
    response = page.goto("/khong-co-trang-nay/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Không tìm thấy trang"
    assert page.locator("header.site-header").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert reports == []


def test_a_job_whose_worker_died_stops_polling_and_offers_to_start_again(
    open_as, admin_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOB_STALE_AFTER_SECONDS = 120
    now = timezone.now()
    job = ExcelJob(kind=ExcelJob.Kind.IMPORT_COMMIT, user=admin_user, file_name="so-lieu.xlsx")
    job.source.save("upload.xlsx", ContentFile(b"PK"), save=False)
    job.status = ExcelJob.Status.RUNNING
    # Its last heartbeat 116 s ago: alive when the page opens, stale a few seconds later.
    job.started_at = job.heartbeat_at = now - datetime.timedelta(seconds=116)
    job.save()
    page = open_as(admin_user)
    reports = csp_reports(page)
    page.goto(f"/imports/jobs/{job.pk}/")
    assert page.locator("progress#bar").is_visible()
    page.get_by_role("button", name="Chạy lại").wait_for(timeout=30_000)
    assert "không còn phản hồi" in page.locator("main").inner_text()
    assert page.locator("progress#bar").count() == 0
    assert reports == []
