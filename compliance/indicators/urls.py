"""Routes under /api/v1/indicators/ (mounted by config/api.py)."""

from django.urls import path

from compliance.indicators import api

urlpatterns = [
    path("", api.IndicatorsView.as_view(), name="indicators"),
    path("facilities/", api.IndicatorFacilitiesView.as_view(), name="indicators-facilities"),
    path("series/", api.IndicatorSeriesView.as_view(), name="indicators-series"),
    path("reports/", api.AnnualReportListView.as_view(), name="indicators-reports"),
    path("reports/<int:year>/", api.AnnualReportDetailView.as_view(), name="indicators-report"),
    path(
        "reports/<int:year>/facilities/",
        api.AnnualReportFacilitiesView.as_view(),
        name="indicators-report-facilities",
    ),
    path(
        "reports/<int:year>/publish/",
        api.AnnualReportPublishView.as_view(),
        name="indicators-report-publish",
    ),
    path(
        "reports/<int:year>/diff/",
        api.AnnualReportDiffView.as_view(),
        name="indicators-report-diff",
    ),
]
