"""Routes of the REST API v1 (api.md). Each feature contributes its own url module."""

from django.urls import include, path

urlpatterns = [
    # Fixed paths (export.xlsx, report.xlsx, imports/) before the routers' detail routes.
    path("", include("compliance.excel.api_urls")),
    path("indicators/", include("compliance.indicators.urls")),
    path("", include("facilities.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("compliance.api.urls")),
]
