"""Excel tests run jobs in-process (django-tasks' immediate backend) and keep files in tmp."""

import pytest


@pytest.fixture(autouse=True)
def excel_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings
