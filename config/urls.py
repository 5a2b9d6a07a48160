"""Top-level routes: admin, the REST API (config.api), language switch, pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api")),
    path("", include("compliance.excel.page_urls")),
    path("", include("compliance.urls")),
    path("", include("inspections.urls")),
    path("", include("facilities.urls")),
]
