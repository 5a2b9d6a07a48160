"""Query predicates of the inspections app (docs/methodology.md, "Terms"), written once
as ``Q`` objects; ``path`` is the lookup from the queryset's model to the inspection
("" for Inspection itself) or to the finding ("" for Finding)."""

from __future__ import annotations

import datetime

from django.db.models import Q

from inspections.choices import InspectionStatus


def _field(path: str, name: str) -> str:
    return f"{path}__{name}" if path else name


def finalized_on(day: datetime.date, path: str = "") -> Q:
    """Inspections that count on ``day``: finalized and visited on or before it (drafts
    and cancelled visits never count)."""
    return Q(
        **{
            _field(path, "status"): InspectionStatus.FINALIZED,
            f"{_field(path, 'visited_on')}__lte": day,
        }
    )


def overdue_on(day: datetime.date, path: str = "") -> Q:
    """Findings overdue on ``day``: of an inspection that counts on ``day``, with a
    deadline before ``day``, and not resolved by ``day`` (docs/methodology.md,
    "overdue corrective action on D"). A deadline on ``day`` is not yet overdue."""
    resolved_on = _field(path, "resolved_on")
    return (
        finalized_on(day, _field(path, "inspection"))
        & Q(**{f"{_field(path, 'deadline')}__lt": day})
        & (Q(**{f"{resolved_on}__isnull": True}) | Q(**{f"{resolved_on}__gt": day}))
    )
