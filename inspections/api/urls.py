"""API routes of inspections and findings."""

from rest_framework.routers import SimpleRouter

from inspections.api.views import FindingViewSet, InspectionViewSet

router = SimpleRouter()
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("findings", FindingViewSet, basename="finding")

urlpatterns = router.urls
