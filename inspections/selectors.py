"""Reads of inspections, findings, evidence and re-inspection requests scoped to a user (facilities.access rules)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from facilities.access import restrict_inspection_rows, restrict_to_visible
from inspections.models import (
    EvidenceFile,
    Finding,
    Inspection,
    ReinspectionRequest,
    RemediationEvidence,
)


def inspections_for(user) -> QuerySet[Inspection]:
    """Inspections ``user`` may see, with what a list shows loaded in two more queries.

    Queries: the inspections (joined to facility), then their inspectors, then the ids
    of their findings.
    """
    return (
        restrict_inspection_rows(Inspection.objects.all(), user)
        .select_related("facility", "finalized_by")
        .prefetch_related(
            "inspectors",
            Prefetch("findings", queryset=Finding.objects.only("id", "inspection_id")),
        )
    )


def findings_for(user) -> QuerySet[Finding]:
    """Findings ``user`` may see (a business user: those of finalized inspections only)."""
    return restrict_inspection_rows(
        Finding.objects.all(), user, inspection_path="inspection"
    ).select_related("inspection__facility")


def evidence_for(user) -> QuerySet[RemediationEvidence]:
    """Remediation evidence ``user`` may see (that of the findings they may see), with its
    people in the same query and its files' ids in one more."""
    return (
        restrict_inspection_rows(
            RemediationEvidence.objects.all(), user, inspection_path="finding__inspection"
        )
        .select_related("submitted_by", "decided_by")
        .prefetch_related(
            Prefetch("files", queryset=EvidenceFile.objects.only("id", "evidence_id"))
        )
    )


def reinspection_requests_for(user) -> QuerySet[ReinspectionRequest]:
    """Requests for a re-inspection of the facilities ``user`` may see."""
    return restrict_to_visible(ReinspectionRequest.objects.all(), user).select_related(
        "requested_by", "answered_by"
    )
