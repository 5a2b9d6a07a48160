"""Query predicates of the inspections app (docs/methodology.md, "Terms"), written once
as ``Q`` objects; ``path`` is the lookup from the queryset's model to the inspection
("" for Inspection itself) or to the finding ("" for Finding)."""

from __future__ import annotations

import datetime

from django.db.models import Q

from facilities.predicates import lookup
from inspections.choices import InspectionStatus


def finalized_on(day: datetime.date, path: str = "") -> Q:
    """Inspections that count on ``day``: finalized and visited on or before it (drafts
    and cancelled visits never count)."""
    return Q(
        **{
            lookup(path, "status"): InspectionStatus.FINALIZED,
            f"{lookup(path, 'visited_on')}__lte": day,
        }
    )


def overdue_on(day: datetime.date, path: str = "") -> Q:
    """Findings overdue on ``day``: of an inspection that counts on ``day``, with a
    deadline before ``day``, and not resolved by ``day`` (docs/methodology.md,
    "overdue corrective action on D"). A deadline on ``day`` is not yet overdue."""
    resolved_on = lookup(path, "resolved_on")
    return (
        finalized_on(day, lookup(path, "inspection"))
        & Q(**{f"{lookup(path, 'deadline')}__lt": day})
        & (Q(**{f"{resolved_on}__isnull": True}) | Q(**{f"{resolved_on}__gt": day}))
    )
