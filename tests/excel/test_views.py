"""The Excel endpoints and the import page: who may do what, and what they get back."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from compliance.excel.models import ExcelJob
from facilities.models import Enterprise, Facility
from tests.excel.workbooks import headers, workbook
from tests.factories import valid_tax_code

TAX = valid_tax_code(9201)
IMPORT_URL = "/api/v1/imports/"


def book() -> bytes:
    return workbook({"Enterprises": [headers("Enterprises"), [TAX, "Công ty A", "", "", "", ""]]})


def upload(data: bytes, name: str = "so-lieu.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    return f


@pytest.mark.django_db
class TestImportApi:
    def test_an_administrator_dry_runs_then_commits(self, api_client, admin_user):
        api_client.force_authenticate(admin_user)
        dry = api_client.post(IMPORT_URL, {"file": upload(book()), "dry_run": "true"})
        assert dry.status_code == 200
        assert dry.json()["created"]["Enterprises"] == 1 and dry.json()["dry_run"] is True
        assert not Enterprise.objects.exists()
        done = api_client.post(IMPORT_URL, {"file": upload(book())})
        assert done.status_code == 200 and done.json()["committed"] is True
        record = Enterprise.objects.get(tax_code=TAX).history.get()
        assert (record.history_user, record.history_change_reason) == (
            admin_user,
            "import: so-lieu.xlsx",
        )

    def test_a_commit_with_rejected_rows_is_a_400_listing_them(self, api_client, admin_user):
        api_client.force_authenticate(admin_user)
        bad = workbook({"Enterprises": [headers("Enterprises"), ["123", "A", "", "", "", ""]]})
        response = api_client.post(IMPORT_URL, {"file": upload(bad)})
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert (error["sheet"], error["row"], error["column"], error["field"]) == (
            "Enterprises",
            2,
            "A",
            "tax_code",
        )

    def test_a_refused_file_is_a_400_on_the_file_field(self, api_client, admin_user):
        api_client.force_authenticate(admin_user)
        response = api_client.post(IMPORT_URL, {"file": upload(b"a,b\n1,2\n", "x.xlsx")})
        assert response.status_code == 400 and "xlsx" in response.json()["file"][0]

    def test_the_view_refuses_an_upload_over_the_configured_size(
        self, api_client, admin_user, settings
    ):
        settings.EXCEL_IMPORT_MAX_BYTES = 2000
        api_client.force_authenticate(admin_user)
        response = api_client.post(IMPORT_URL, {"file": upload(book())})
        assert response.status_code == 400 and "MB" in response.json()["file"][0]

    @pytest.mark.parametrize("persona", ["inspector_tam_duong", "auditor", "business_owner"])
    def test_only_administrators_may_import(self, api_client, request, persona):
        api_client.force_authenticate(request.getfixturevalue(persona))
        response = api_client.post(IMPORT_URL, {"file": upload(book())})
        assert response.status_code == 403
        assert not Enterprise.objects.filter(tax_code=TAX).exists()

    def test_an_anonymous_visitor_is_asked_to_log_in(self, api_client):
        assert api_client.post(IMPORT_URL, {"file": upload(book())}).status_code == 401
        assert api_client.get("/api/v1/imports/template.xlsx").status_code == 401

    def test_the_template_downloads_as_a_workbook_with_the_import_sheets(
        self, api_client, inspector_tam_duong
    ):
        api_client.force_authenticate(inspector_tam_duong)
        response = api_client.get(
            "/api/v1/imports/template.xlsx", HTTP_ACCEPT="application/vnd.ms-excel"
        )
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(response.content))
        assert wb.sheetnames[:5] == [
            "Enterprises",
            "Facilities",
            "Certificates",
            "Measures",
            "Instructions",
        ]

    def test_a_background_import_reports_through_its_job(self, api_client, admin_user):
        api_client.force_authenticate(admin_user)
        response = api_client.post(IMPORT_URL, {"file": upload(book()), "background": "true"})
        assert response.status_code == 202
        status = api_client.get(response.json()["url"]).json()
        assert status["status"] == "done" and status["percent"] == 100
        assert status["result"]["committed"] is True
        assert Enterprise.objects.filter(tax_code=TAX).exists()

    def test_a_job_is_invisible_to_other_users(self, api_client, admin_user, auditor):
        api_client.force_authenticate(admin_user)
        url = api_client.post(
            IMPORT_URL, {"file": upload(book()), "dry_run": "true", "background": "true"}
        ).json()["url"]
        api_client.force_authenticate(auditor)
        assert api_client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_worker_runs_a_queued_import(api_client, admin_user, settings):
    """The embedded default: the job waits in the database until `db_worker` runs it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    api_client.force_authenticate(admin_user)
    response = api_client.post(IMPORT_URL, {"file": upload(book()), "background": "true"})
    job = ExcelJob.objects.get(pk=response.json()["id"])
    assert job.status == ExcelJob.Status.QUEUED
    call_command("db_worker", batch=True, startup_delay=False, reload=False)
    job.refresh_from_db()
    assert job.status == ExcelJob.Status.DONE
    assert Enterprise.objects.filter(tax_code=TAX).exists()


@pytest.mark.django_db
class TestImportPage:
    def test_an_administrator_uploads_sees_the_dry_run_and_commits(self, client, admin_user):
        client.force_login(admin_user)
        page = client.get("/imports/")
        assert page.status_code == 200
        assert reverse("excel-api:template").encode() in page.content
        response = client.post("/imports/", {"file": upload(book())})
        assert response.status_code == 302
        report = client.get(response["Location"])
        assert "Kiểm tra thử" in report.content.decode()
        assert "Ghi dữ liệu" in report.content.decode()
        assert not Enterprise.objects.exists()
        job = ExcelJob.objects.get()
        done = client.post(reverse("excel:commit", args=[job.pk]))
        assert done.status_code == 302
        assert "Đã ghi dữ liệu" in client.get(done["Location"]).content.decode()
        assert Enterprise.objects.filter(tax_code=TAX).exists()

    def test_a_job_in_progress_shows_a_progress_bar_polling_its_status(self, client, admin_user):
        client.force_login(admin_user)
        job = ExcelJob.objects.create(kind=ExcelJob.Kind.IMPORT_DRY_RUN, user=admin_user)
        page = client.get(reverse("excel:job", args=[job.pk])).content.decode()
        assert "<progress" in page
        assert reverse("excel-api:job", args=[job.pk]) in page

    def test_the_page_shows_a_refused_file_without_writing(self, client, admin_user):
        client.force_login(admin_user)
        response = client.post("/imports/", {"file": upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")})
        job = ExcelJob.objects.get()
        page = client.get(reverse("excel:job", args=[job.pk])).content.decode()
        assert response.status_code == 302 and ".xls" in page
        assert not Facility.objects.exists()

    def test_other_roles_may_not_open_the_import_page(self, client, auditor):
        client.force_login(auditor)
        assert client.get("/imports/").status_code == 403

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client):
        assert client.get("/imports/").status_code == 302
