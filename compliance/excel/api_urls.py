"""Excel routes of the API (mounted at /api/v1/, before the routers' detail routes)."""

from django.urls import path

from compliance.excel import views

app_name = "excel-api"

GET = {"get": "get"}

urlpatterns = [
    path("imports/template.xlsx", views.TemplateDownload.as_view(GET), name="excel-template"),
    path("imports/", views.ImportUpload.as_view({"post": "post"}), name="excel-import"),
    path("jobs/<uuid:pk>/", views.JobStatus.as_view(GET), name="excel-job"),
    path("jobs/<uuid:pk>/download/", views.JobDownload.as_view(GET), name="excel-job-download"),
    path(
        "facilities/export.xlsx",
        views.FacilityExport.as_view(GET),
        name="excel-facility-export",
    ),
    path("facilities/export.csv", views.FacilityExportCsv.as_view(GET), name="excel-facility-csv"),
    path(
        "inspections/export.xlsx",
        views.InspectionExport.as_view(GET),
        name="excel-inspection-export",
    ),
    path("indicators/report.xlsx", views.ReportWorkbook.as_view(GET), name="excel-report"),
    path("history/export.xlsx", views.HistoryExport.as_view(GET), name="excel-history-export"),
]
