"""Pages of the compliance app (mounted at the site root)."""

from django.urls import path

from compliance.views import audit, dashboard, portal, registry, reports, worklist

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path(
        "indicators/<str:code>/facilities/",
        dashboard.indicator_facilities,
        name="indicator_facilities",
    ),
    path("facilities/", registry.facility_list, name="facility_list"),
    path("facilities/<int:pk>/", registry.facility_detail, name="facility_detail"),
    path("facilities/<int:pk>/history/", audit.facility_history, name="facility_history"),
    path("worklist/", worklist.worklist, name="worklist"),
    path("measures/<int:pk>/verify/", worklist.measure_verify, name="measure_verify"),
    path("portal/", portal.portal, name="portal"),
    path("changes/", audit.changelog, name="changelog"),
    path("changes/<str:model>/<int:pk>/", audit.object_history, name="object_history"),
    path("reports/", reports.report_list, name="annual_reports"),
    path("reports/<int:year>/", reports.report_detail, name="annual_report"),
    path("reports/<int:year>/publish/", reports.report_publish, name="annual_report_publish"),
]
