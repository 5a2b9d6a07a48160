"""Query predicates of the facilities app: each rule of docs/methodology.md, "Terms",
that belongs to a facility, written once as a ``Q`` that any queryset can use.

``path`` is the lookup from the queryset's model to the facility ("" for Facility
itself, "facility" for a certificate, "inspection__facility" for a finding).
Hand-written SQL that mirrors one of these says so (compliance/indicators/series.py),
and tests/compliance/test_predicates.py runs both over generated registries.
"""

from __future__ import annotations

import datetime

from django.db.models import Q


def lookup(path: str, name: str) -> str:
    """``name`` reached through ``path`` ("facility", "inspection__facility"; "" for the
    model itself): the one helper every predicates module uses."""
    return f"{path}__{name}" if path else name


def active_on(day: datetime.date, path: str = "") -> Q:
    """Active on ``day``: operating since then and not closed by then (a facility with
    no ``operating_since`` is never active). docs/methodology.md, "active on D"."""
    closed_on = lookup(path, "closed_on")
    return Q(**{f"{lookup(path, 'operating_since')}__lte": day}) & (
        Q(**{f"{closed_on}__isnull": True}) | Q(**{f"{closed_on}__gt": day})
    )
