"""Pages of the compliance app (mounted at the site root)."""

from django.urls import path

from compliance.views import audit, dashboard, office, portal, registry, reports, worklist

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
    # Office forms of the administrator (docs/web.md).
    path("enterprises/", office.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", office.enterprise_create, name="enterprise_create"),
    path("enterprises/tax-code/", office.enterprise_tax_code, name="enterprise_tax_code"),
    path("enterprises/<int:pk>/edit/", office.enterprise_edit, name="enterprise_edit"),
    path("facilities/new/", office.facility_create, name="facility_create"),
    path("facilities/<int:pk>/edit/", office.facility_edit, name="facility_edit"),
    path(
        "facilities/<int:facility_pk>/certificates/new/",
        office.certificate_create,
        name="certificate_create",
    ),
    path("certificates/<int:pk>/edit/", office.certificate_edit, name="certificate_edit"),
    path("certificates/<int:pk>/revoke/", office.certificate_revoke, name="certificate_revoke"),
    path(
        "facilities/<int:facility_pk>/measures/new/", office.measure_create, name="measure_create"
    ),
    path("measures/<int:pk>/edit/", office.measure_edit, name="measure_edit"),
    path("worklist/", worklist.worklist, name="worklist"),
    path("measures/<int:pk>/verify/", worklist.measure_verify, name="measure_verify"),
    path("portal/", portal.portal, name="portal"),
    path("changes/", audit.changelog, name="changelog"),
    path("changes/<str:model>/<int:pk>/", audit.object_history, name="object_history"),
    path("reports/", reports.report_list, name="annual_reports"),
    path("reports/<int:year>/", reports.report_detail, name="annual_report"),
    path("reports/<int:year>/publish/", reports.report_publish, name="annual_report_publish"),
]
