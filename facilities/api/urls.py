"""API routes of the registry's own models (facilities themselves: compliance.api)."""

from rest_framework.routers import SimpleRouter

from facilities.api.views import CommuneViewSet, DistrictViewSet, EnterpriseViewSet, SectorViewSet

router = SimpleRouter()
router.register("districts", DistrictViewSet, basename="district")
router.register("communes", CommuneViewSet, basename="commune")
router.register("sectors", SectorViewSet, basename="sector")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")

urlpatterns = router.urls
