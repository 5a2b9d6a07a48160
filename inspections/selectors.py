"""Reads of inspections and findings scoped to a user (facilities.access rules)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from facilities.access import restrict_inspection_rows
from inspections.models import Finding, Inspection


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
