"""API routes of facilities (here because their standing is compliance's), certificates,
measures, and the change history (it spans every app)."""

from rest_framework.routers import SimpleRouter

from compliance.api.history import HistoryViewSet
from compliance.api.views import CertificateViewSet, CleanTechMeasureViewSet, FacilityViewSet

router = SimpleRouter()
router.register("facilities", FacilityViewSet, basename="facility")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("clean-tech-measures", CleanTechMeasureViewSet, basename="cleantechmeasure")
router.register("history", HistoryViewSet, basename="history")

urlpatterns = router.urls
