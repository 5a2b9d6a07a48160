"""A background job whose worker dies, or that runs too long, ends as failed (with
«Chạy lại»), and a failed import never leaves rows behind; large synchronous imports
are refused before they can outlive the web server's timeout."""

import datetime
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from compliance.excel import jobs
from compliance.excel.models import ExcelJob
from facilities.models import Enterprise
from tests.excel.workbooks import headers, workbook
from tests.factories import valid_tax_code

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def book(n: int = 1) -> bytes:
    rows = [[valid_tax_code(7000 + i), f"Công ty {i}", "", "", "", ""] for i in range(n)]
    return workbook({"Enterprises": [headers("Enterprises"), *rows]})


def upload(data: bytes, name: str = "so-lieu.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    return f


def running_job(user, *, heartbeat_age: int, started_age: int | None = None) -> ExcelJob:
    """A commit job left "running" by a worker, its last heartbeat ``heartbeat_age`` s ago."""
    now = timezone.now()
    job = ExcelJob(kind=ExcelJob.Kind.IMPORT_COMMIT, user=user, file_name="so-lieu.xlsx")
    job.source.save("upload.xlsx", ContentFile(book()), save=False)
    job.status = ExcelJob.Status.RUNNING
    job.started_at = now - datetime.timedelta(seconds=started_age or heartbeat_age)
    job.heartbeat_at = now - datetime.timedelta(seconds=heartbeat_age)
    job.save()
    return job


class TestDeadWorker:
    def test_a_job_silent_past_the_limit_is_failed_on_its_api_endpoint(
        self, api_client, admin_user, settings
    ):
        settings.JOB_STALE_AFTER_SECONDS = 120
        job = running_job(admin_user, heartbeat_age=121)
        api_client.force_authenticate(admin_user)
        body = api_client.get(f"/api/v1/jobs/{job.pk}/").json()
        assert body["status"] == "failed"
        assert "không còn phản hồi" in body["error"]
        assert body["start_again"] == f"/api/v1/jobs/{job.pk}/again/"

    def test_a_job_with_a_recent_heartbeat_keeps_running(self, api_client, admin_user, settings):
        settings.JOB_STALE_AFTER_SECONDS = 120
        job = running_job(admin_user, heartbeat_age=110)
        api_client.force_authenticate(admin_user)
        body = api_client.get(f"/api/v1/jobs/{job.pk}/").json()
        assert body["status"] == "running" and body["start_again"] is None

    def test_a_job_past_the_time_limit_is_failed_even_with_a_heartbeat(
        self, api_client, admin_user, settings
    ):
        settings.JOB_TIME_LIMIT_SECONDS = 600
        job = running_job(admin_user, heartbeat_age=1, started_age=601)
        api_client.force_authenticate(admin_user)
        body = api_client.get(f"/api/v1/jobs/{job.pk}/").json()
        assert body["status"] == "failed" and "10 phút" in body["error"]

    def test_the_job_page_shows_the_failure_and_starts_it_again(self, client, admin_user):
        job = running_job(admin_user, heartbeat_age=300)
        client.force_login(admin_user)
        page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
        assert "không còn phản hồi" in page
        assert f'action="/imports/jobs/{job.pk}/again/"' in page
        assert "job-progress" not in page  # no progress bar polling for ever
        response = client.post(f"/imports/jobs/{job.pk}/again/")
        again = ExcelJob.objects.exclude(pk=job.pk).get()
        assert response["Location"] == f"/imports/jobs/{again.pk}/"
        # The immediate backend ran it: the same file, committed this time.
        assert again.status == ExcelJob.Status.DONE and again.params["again_of"] == str(job.pk)
        assert Enterprise.objects.filter(tax_code=valid_tax_code(7000)).exists()

    def test_only_its_administrator_may_start_a_job_again(
        self, client, admin_user, inspector_tam_duong, auditor, business_owner
    ):
        job = running_job(admin_user, heartbeat_age=300)
        for other in (inspector_tam_duong, auditor, business_owner):
            client.force_login(other)
            assert client.post(f"/imports/jobs/{job.pk}/again/").status_code == 403
        assert ExcelJob.objects.count() == 1

    def test_only_a_failed_job_starts_again(self, api_client, admin_user):
        job = running_job(admin_user, heartbeat_age=1)
        api_client.force_authenticate(admin_user)
        assert api_client.post(f"/api/v1/jobs/{job.pk}/again/").status_code == 409
        assert ExcelJob.objects.count() == 1

    def test_the_command_marks_stale_jobs_of_every_user(self, admin_user, settings):
        from django.core.management import call_command

        stale = running_job(admin_user, heartbeat_age=300)
        live = running_job(admin_user, heartbeat_age=1)
        out = io.StringIO()
        call_command("expire_jobs", stdout=out)
        stale.refresh_from_db()
        live.refresh_from_db()
        assert (stale.status, live.status) == ("failed", "running")
        assert out.getvalue().startswith("1 tác vụ")


class TestNothingPartial:
    def test_a_commit_past_its_time_limit_writes_nothing(self, api_client, admin_user, settings):
        settings.JOB_TIME_LIMIT_SECONDS = 0  # over as soon as the first check runs
        api_client.force_authenticate(admin_user)
        response = api_client.post(
            "/api/v1/imports/", {"file": upload(book(3)), "background": "true"}
        )
        body = api_client.get(response.json()["url"]).json()
        assert body["status"] == "failed" and "phút" in body["error"]
        assert not Enterprise.objects.exists()

    def test_a_commit_given_up_on_while_it_ran_is_rolled_back(
        self, api_client, admin_user, monkeypatch
    ):
        """The watchdog marked the job failed mid-run: the worker's writes are undone."""
        real = jobs._finish_if_running

        def watchdog_first(job, status, **kwargs):
            ExcelJob.objects.filter(pk=job.pk).update(status=ExcelJob.Status.FAILED)
            return real(job, status, **kwargs)

        monkeypatch.setattr(jobs, "_finish_if_running", watchdog_first)
        api_client.force_authenticate(admin_user)
        response = api_client.post(
            "/api/v1/imports/", {"file": upload(book(3)), "background": "true"}
        )
        assert ExcelJob.objects.get(pk=response.json()["id"]).status == "failed"
        assert not Enterprise.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_live_job_renews_its_heartbeat_from_its_own_thread(admin_user, settings):
    settings.JOB_HEARTBEAT_SECONDS = 1
    job = running_job(admin_user, heartbeat_age=50)
    before = job.heartbeat_at
    with jobs._Heartbeat(job.pk) as beat:
        beat.stop.wait(2.5)
    job.refresh_from_db()
    assert job.heartbeat_at > before + datetime.timedelta(seconds=45)
    assert not beat.thread.is_alive()


class TestSynchronousLimit:
    def test_a_synchronous_import_over_the_row_limit_is_refused_untouched(
        self, api_client, admin_user, settings
    ):
        settings.EXCEL_SYNC_IMPORT_MAX_ROWS = 3
        api_client.force_authenticate(admin_user)
        response = api_client.post("/api/v1/imports/", {"file": upload(book(4))})
        assert response.status_code == 400
        assert "background=true" in response.json()["file"][0]
        assert not Enterprise.objects.exists()

    def test_a_synchronous_import_at_the_row_limit_runs(self, api_client, admin_user, settings):
        settings.EXCEL_SYNC_IMPORT_MAX_ROWS = 3
        api_client.force_authenticate(admin_user)
        response = api_client.post("/api/v1/imports/", {"file": upload(book(3))})
        assert response.status_code == 200 and response.json()["committed"] is True
        assert Enterprise.objects.count() == 3

    def test_the_same_file_in_the_background_is_accepted(self, api_client, admin_user, settings):
        settings.EXCEL_SYNC_IMPORT_MAX_ROWS = 3
        api_client.force_authenticate(admin_user)
        response = api_client.post(
            "/api/v1/imports/", {"file": upload(book(4)), "background": "true"}
        )
        assert response.status_code == 202
        assert Enterprise.objects.count() == 4


def database_url() -> str:
    """The URL of the test database, for a worker process of its own."""
    from django.db import connection

    source = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{source['NAME']}"
    user = source["USER"] or "postgres"
    return f"postgres://{user}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}/{source['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_commit_leaves_nothing_and_the_job_fails(
    api_client, admin_user, settings
):
    """The fault itself: a real `db_worker` is killed (SIGKILL) while it commits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.JOB_STALE_AFTER_SECONDS = 3
    api_client.force_authenticate(admin_user)
    response = api_client.post(
        "/api/v1/imports/", {"file": upload(book(4000)), "background": "true"}
    )
    job = ExcelJob.objects.get(pk=response.json()["id"])
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "JOB_HEARTBEAT_SECONDS": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.stage == "write":  # inside the import's transaction from here on
                break
            assert job.status in {"queued", "running"}, job.error
            time.sleep(0.2)
        else:
            pytest.fail("the worker never reached the write stage")
        time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    job.refresh_from_db()
    assert job.status == ExcelJob.Status.RUNNING  # what the fault looked like: for ever
    assert not Enterprise.objects.exists()  # nothing partial
    time.sleep(settings.JOB_STALE_AFTER_SECONDS + 1.5)
    body = api_client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["status"] == "failed" and body["start_again"]
    assert not Enterprise.objects.exists()
