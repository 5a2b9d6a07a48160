"""Routes of the REST API v1 (api.md). Each app contributes its own api/urls.py."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
