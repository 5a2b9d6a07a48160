"""Pages of the facilities app (mounted at the site root)."""

from django.urls import path

from facilities import views

urlpatterns = [
    path("", views.home, name="home"),
]
