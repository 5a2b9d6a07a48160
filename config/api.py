"""Routes of the REST API v1 (docs/api.md). Each feature contributes its own url module."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from facilities.api.auth import TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    # Fixed paths (export.xlsx, report.xlsx, imports/) before the routers' detail routes.
    path("", include("compliance.excel.api_urls")),
    path("indicators/", include("compliance.indicators.urls")),
    path("", include("facilities.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("compliance.api.urls")),
]
