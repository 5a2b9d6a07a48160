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
]
