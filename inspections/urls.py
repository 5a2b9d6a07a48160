"""Pages of the inspections app (mounted at the site root)."""

from django.urls import path

from inspections import views

urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path(
        "facilities/<int:facility_pk>/inspections/new/",
        views.inspection_create,
        name="inspection_create",
    ),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/discard/", views.inspection_discard, name="inspection_discard"),
    path("inspections/<int:pk>/finalize/", views.inspection_finalize, name="inspection_finalize"),
    path("findings/<int:pk>/resolve/", views.finding_resolve, name="finding_resolve"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("findings/<int:pk>/evidence/", views.finding_evidence, name="finding_evidence"),
    path("evidence/", views.evidence_list, name="evidence_list"),
    path("evidence-files/<int:pk>/", views.evidence_file_download, name="evidence_file_download"),
    path(
        "facilities/<int:facility_pk>/reinspection/",
        views.reinspection_request,
        name="reinspection_request",
    ),
    path("reinspections/", views.reinspection_list, name="reinspection_list"),
    path("reinspections/<int:pk>/", views.reinspection_answer, name="reinspection_answer"),
]
