"""API routes of inspections and findings."""

from rest_framework.routers import SimpleRouter

from inspections.api.views import (
    FindingViewSet,
    InspectionViewSet,
    ReinspectionRequestViewSet,
    RemediationEvidenceViewSet,
)

router = SimpleRouter()
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("findings", FindingViewSet, basename="finding")
router.register("remediation-evidence", RemediationEvidenceViewSet, basename="remediation-evidence")
router.register(
    "reinspection-requests", ReinspectionRequestViewSet, basename="reinspection-request"
)

urlpatterns = router.urls
