"""The import page for administrators (mounted at the site root)."""

from django.urls import path

from compliance.excel import views

app_name = "excel"

urlpatterns = [
    path("imports/", views.import_page, name="import"),
    path("imports/jobs/<uuid:pk>/", views.job_page, name="job"),
    path("imports/jobs/<uuid:pk>/commit/", views.commit_page, name="commit"),
    path("imports/jobs/<uuid:pk>/again/", views.start_again_page, name="again"),
]
