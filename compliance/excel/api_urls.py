"""Excel routes of the API (mounted at /api/v1/, before the routers' detail routes)."""

from django.urls import path

from compliance.excel import views

app_name = "excel-api"

urlpatterns = [
    path("imports/template.xlsx", views.TemplateDownload.as_view(), name="template"),
    path("imports/", views.ImportUpload.as_view(), name="import"),
    path("jobs/<uuid:pk>/", views.JobStatus.as_view(), name="job"),
    path("jobs/<uuid:pk>/again/", views.JobStartAgain.as_view(), name="job-again"),
    path("jobs/<uuid:pk>/download/", views.JobDownload.as_view(), name="job-download"),
    path("facilities/export.xlsx", views.FacilityExport.as_view(), name="facility-export"),
    path("facilities/export.csv", views.FacilityExportCsv.as_view(), name="facility-csv"),
    path("inspections/export.xlsx", views.InspectionExport.as_view(), name="inspection-export"),
    path("indicators/report.xlsx", views.ReportWorkbook.as_view(), name="report"),
    path("history/export.xlsx", views.HistoryExport.as_view(), name="history-export"),
]
