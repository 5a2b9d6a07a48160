"""The business portal: the enterprise's own facilities, certificates (with the link to
their renewal procedure), corrective actions with the evidence sent for them, requests
for a re-inspection with their answers, and inspection results — nothing of any other
enterprise (access.py scopes). Writes are inspections.remediation's pages."""

from __future__ import annotations

from django.conf import settings
from django.db.models import BooleanField, Case, F, Prefetch, Value, When
from django.shortcuts import render
from django.utils import timezone

from compliance.choices import ComplianceStatus, label_of
from compliance.models import Certificate
from compliance.predicates import certificate_valid_on
from compliance.selectors import facilities_with_status
from compliance.views.labels import status_css
from facilities.access import (
    can_use_portal,
    enterprises_for,
    facilities_for,
    restrict_inspection_rows,
)
from facilities.views import capability_required
from inspections.models import Finding, Inspection, ReinspectionRequest, RemediationEvidence
from inspections.predicates import overdue_on

# From how many days before expiry a certificate is shown with a warning.
EXPIRY_WARNING_DAYS = 90


@capability_required(can_use_portal)
def portal(request):
    """Facilities with certificate validity and days to expiry, open corrective actions
    with their deadlines and evidence, requests for a re-inspection, and finalized
    inspection results. Seven queries, whatever the number of rows."""
    today = timezone.localdate()
    # Query 1: the enterprise.
    enterprise = enterprises_for(request.user).first()
    # Query 2: its facilities with their standing; query 3: their certificates.
    facilities = list(
        facilities_with_status(
            facilities_for(request.user).select_related("district", "commune", "sector"), today
        )
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=Certificate.objects.filter(certificate_valid_on(today)).order_by(
                    F("valid_until").desc(nulls_first=True), "-id"
                ),
                to_attr="valid_certificates",
            ),
            # Query 4: the requests for a re-inspection, latest first.
            Prefetch(
                "reinspection_requests",
                queryset=ReinspectionRequest.objects.order_by("-requested_at", "-id"),
                to_attr="requests",
            ),
        )
        .order_by("code")
    )
    for facility in facilities:
        facility.compliance_label = label_of(ComplianceStatus, facility.compliance_status)
        facility.compliance_css = status_css(facility.compliance_status)
        # The one valid longest: a registration (no term) before any dated one.
        valid = facility.valid_certificates
        facility.current_certificate = valid[0] if valid else None
        facility.renewal_url = (
            settings.RENEWAL_URLS.get(facility.current_certificate.kind)
            if facility.current_certificate
            else settings.RENEWAL_URL_ENVIRONMENTAL_PERMIT
        )
        facility.latest_request = facility.requests[0] if facility.requests else None
        # A registration has no term, hence no expiry warning.
        if facility.current_certificate and facility.current_certificate.valid_until:
            days = (facility.current_certificate.valid_until - today).days
            facility.days_to_expiry = days
            facility.expiry_warning = days <= EXPIRY_WARNING_DAYS
        else:
            facility.days_to_expiry = None
            facility.expiry_warning = False
    # Query 5: open corrective actions of finalized visits (what must be fixed by when);
    # query 6: the evidence sent for them, latest first.
    open_findings = list(
        restrict_inspection_rows(Finding.objects.all(), request.user, inspection_path="inspection")
        .filter(resolved_on__isnull=True)
        .exclude(corrective_action="", deadline__isnull=True)
        .select_related("inspection__facility")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=RemediationEvidence.objects.order_by("-submitted_at", "-id"),
                to_attr="evidence_sent",
            )
        )
        .annotate(
            is_overdue=Case(
                When(overdue_on(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("deadline", "id")
    )
    for finding in open_findings:
        finding.latest_evidence = finding.evidence_sent[0] if finding.evidence_sent else None
    # Query 7: finalized inspection results.
    results = list(
        restrict_inspection_rows(Inspection.objects.all(), request.user)
        .select_related("facility")
        .order_by("-visited_on", "-id")[:50]
    )
    return render(
        request,
        "compliance/portal.html",
        {
            "today": today,
            "enterprise": enterprise,
            "facilities": facilities,
            "open_findings": open_findings,
            "results": results,
            "warning_days": EXPIRY_WARNING_DAYS,
        },
    )
