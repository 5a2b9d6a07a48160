"""Query predicates of the compliance app (docs/methodology.md, "Terms"), written once
as ``Q`` objects; ``path`` is the lookup from the queryset's model to the certificate
or measure ("" for the model itself)."""

from __future__ import annotations

import datetime

from django.db.models import Q

from compliance.choices import MeasureKind
from facilities.predicates import lookup


def not_revoked_on(day: datetime.date, path: str = "") -> Q:
    revoked_on = lookup(path, "revoked_on")
    return Q(**{f"{revoked_on}__isnull": True}) | Q(**{f"{revoked_on}__gt": day})


def certificate_valid_on(day: datetime.date, path: str = "") -> Q:
    """Certificates of any kind valid on ``day``: issued on or before it, valid until it
    or later (both ends inclusive; a registration, with no ``valid_until``, never
    expires), not revoked by it (docs/methodology.md, "certificate valid on D")."""
    valid_until = lookup(path, "valid_until")
    return (
        Q(**{f"{lookup(path, 'issued_on')}__lte": day})
        & (Q(**{f"{valid_until}__isnull": True}) | Q(**{f"{valid_until}__gte": day}))
        & not_revoked_on(day, path)
    )


# The measures that count for the new-build indicator.
COUNTED_MEASURE_KINDS = (MeasureKind.CLEAN_TECHNOLOGY, MeasureKind.POLLUTION_CONTROL)


def measure_in_place_on(day: datetime.date, path: str = "") -> Q:
    """Measures in place on ``day``: a counted kind, installed and verified by an
    inspector on or before it, not removed by it (docs/methodology.md, "measure in place
    on D"). Unverified measures never count."""
    removed_on = lookup(path, "removed_on")
    return Q(
        **{
            f"{lookup(path, 'kind')}__in": COUNTED_MEASURE_KINDS,
            f"{lookup(path, 'installed_on')}__lte": day,
            f"{lookup(path, 'verified_on')}__lte": day,
        }
    ) & (Q(**{f"{removed_on}__isnull": True}) | Q(**{f"{removed_on}__gt": day}))
