"""Who may see and change what — the one place these rules live.

Every list, detail, export, report and history view (HTML and API) starts from these
querysets, so that an object a user may not see simply does not exist for them (404).

* administrator: everything; auditor: reads everything, writes nothing;
* inspector: reads the registry; records inspections, findings and verifications only
  for facilities in the districts or communes assigned to them (a district by the
  district of a facility: recorded, or derived from its commune — docs/geography.md);
* business user: only the facilities (and their records) of their own enterprise.
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from facilities.choices import Role
from facilities.models import Commune, District, Enterprise, Facility, Profile, in_districts_q


def role_of(user) -> str | None:
    """The registry role of ``user``; superusers are administrators; anonymous is None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = profile_of(user)
    return profile.role if profile else None


def profile_of(user) -> Profile | None:
    """The user's registry profile, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_registry_profile_cache"):
        user._registry_profile_cache = (
            Profile.objects.filter(user=user).select_related("enterprise").first()
        )
    return user._registry_profile_cache


def inspector_district_codes(user) -> set[str]:
    """Codes of the districts an inspector is assigned to (empty for other roles)."""
    if role_of(user) != Role.INSPECTOR:
        return set()
    if not hasattr(user, "_registry_district_cache"):
        user._registry_district_cache = set(
            profile_of(user).districts.values_list("code", flat=True)
        )
    return user._registry_district_cache


def inspector_commune_codes(user) -> set[str]:
    """Codes of the communes an inspector is assigned to (empty for other roles)."""
    if role_of(user) != Role.INSPECTOR:
        return set()
    if not hasattr(user, "_registry_commune_cache"):
        user._registry_commune_cache = set(profile_of(user).communes.values_list("code", flat=True))
    return user._registry_commune_cache


def inspector_area_q(user, *, prefix: str = "") -> Q:
    """Rows (via ``prefix``, e.g. "facility__") of facilities in an inspector's area:
    in one of their districts, or in one of their communes."""
    return in_districts_q(inspector_district_codes(user), prefix=prefix) | Q(
        **{f"{prefix}commune_id__in": inspector_commune_codes(user)}
    )


def business_enterprise_id(user) -> int | None:
    """The enterprise a business user belongs to (None for other roles)."""
    if role_of(user) != Role.BUSINESS:
        return None
    return profile_of(user).enterprise_id


def facilities_for(user) -> QuerySet[Facility]:
    """Facilities ``user`` may see."""
    return restrict_to_visible(Facility.objects.all(), user, facility_path="")


def enterprises_for(user) -> QuerySet[Enterprise]:
    """Enterprises ``user`` may see: all for staff roles, their own for a business."""
    role = role_of(user)
    if role in (Role.ADMIN, Role.AUDITOR, Role.INSPECTOR):
        return Enterprise.objects.all()
    if role == Role.BUSINESS:
        return Enterprise.objects.filter(pk=business_enterprise_id(user))
    return Enterprise.objects.none()


def restrict_to_visible(queryset: QuerySet, user, *, facility_path: str = "facility") -> QuerySet:
    """Narrow any queryset of facility-owned rows to those ``user`` may see.

    ``facility_path`` is the lookup from the queryset's model to its Facility
    ("facility", "inspection__facility"; "" for Facility itself).
    """
    role = role_of(user)
    if role in (Role.ADMIN, Role.AUDITOR, Role.INSPECTOR):
        return queryset
    if role == Role.BUSINESS:
        prefix = f"{facility_path}__" if facility_path else ""
        return queryset.filter(**{f"{prefix}enterprise_id": business_enterprise_id(user)})
    return queryset.none()


def restrict_to_inspectable(
    queryset: QuerySet, user, *, facility_path: str = "facility"
) -> QuerySet:
    """Narrow a queryset to rows whose facility ``user`` may inspect (write scope)."""
    role = role_of(user)
    if role == Role.ADMIN:
        return queryset
    if role == Role.INSPECTOR:
        prefix = f"{facility_path}__" if facility_path else ""
        return queryset.filter(inspector_area_q(user, prefix=prefix))
    return queryset.none()


def inspectable_place(user):
    """``restrict_to_inspectable`` for a facility known by its place only: a function of
    (district of the facility — recorded, or derived from its commune, docs/geography.md
    —, commune code) saying whether ``user`` may inspect there. For counts stored per
    place (compliance/worklist.py)."""
    role = role_of(user)
    if role == Role.ADMIN:
        return lambda district, commune: True
    if role == Role.INSPECTOR:
        districts, communes = inspector_district_codes(user), inspector_commune_codes(user)
        return lambda district, commune: district in districts or commune in communes
    return lambda district, commune: False


# --- named capabilities: what a user may do, for pages, API, navigation and admin ------


def has_registry_role(user) -> bool:
    """Is ``user`` a registry user at all (any role)?"""
    return role_of(user) is not None


def can_read_province_figures(user) -> bool:
    """May ``user`` read the province's figures, the whole registry list and the annual
    reports? Administrators, auditors and inspectors; a business sees only its own."""
    return role_of(user) in (Role.ADMIN, Role.AUDITOR, Role.INSPECTOR)


def can_use_portal(user) -> bool:
    """Is the business portal (one enterprise's own records) ``user``'s page?"""
    return role_of(user) == Role.BUSINESS


def can_publish_reports(user) -> bool:
    """May ``user`` publish (freeze) an annual report?"""
    return can_manage_registry(user)


def can_inspect(user, facility: Facility) -> bool:
    """May ``user`` record inspections, findings and verifications at ``facility``?"""
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    if role != Role.INSPECTOR:
        return False
    if facility.commune_id is not None and facility.commune_id in inspector_commune_codes(user):
        return True
    return facility.place_district_code() in inspector_district_codes(user)


def can_answer_for(user, facility: Facility) -> bool:
    """May ``user`` answer for ``facility`` to the department: send evidence of its
    corrective actions and ask for a re-inspection? Only a business user of the
    facility's own enterprise (docs/web.md, "Business portal")."""
    return role_of(user) == Role.BUSINESS and facility.enterprise_id == business_enterprise_id(user)


def can_decide_evidence(user, facility: Facility) -> bool:
    """May ``user`` accept or return a business's evidence, and answer its requests for a
    re-inspection, at ``facility``? Whoever may inspect it."""
    return can_inspect(user, facility)


# The code of a draft inspection (inspections.choices.InspectionStatus.DRAFT), spelt out
# for the same reason as FINALIZED_INSPECTION below.
DRAFT_INSPECTION = "draft"


def draft_author(model) -> Subquery:
    """The user of an inspection's creation row in its history (whoever started it), as
    an expression of the row's ``pk``."""
    return Subquery(
        model.history.model.objects.filter(id=OuterRef("pk"), history_type="+")
        .order_by("history_date")
        .values("history_user_id")[:1]
    )


def may_discard_draft_started_by(user, author_id) -> bool:
    """May ``user`` throw away a draft (of their area) started by ``author_id``?"""
    return role_of(user) == Role.ADMIN or (author_id is not None and author_id == user.pk)


def _started_by(user, inspection) -> bool:
    if role_of(user) == Role.ADMIN:
        return True
    author_id = (
        inspection.history.filter(history_type="+")
        .order_by("history_date")
        .values_list("history_user_id", flat=True)
        .first()
    )
    return may_discard_draft_started_by(user, author_id)


def can_discard_draft(user, inspection) -> bool:
    """May ``user`` throw away ``inspection``? Only a draft (a finalized visit is evidence),
    only by whoever started it or an administrator, and only where they may inspect."""
    if inspection.status != DRAFT_INSPECTION or not can_inspect(user, inspection.facility):
        return False
    return _started_by(user, inspection)


def can_manage_registry(user) -> bool:
    """May ``user`` create and edit enterprises, facilities, certificates and measures?"""
    return role_of(user) == Role.ADMIN


def can_read_history(user) -> bool:
    """May ``user`` read the change log across the registry?"""
    return role_of(user) in (Role.ADMIN, Role.AUDITOR)


def can_read_own_history(user) -> bool:
    """May ``user`` read the change log of the objects they may see (see history_models_for)?"""
    return role_of(user) in (Role.ADMIN, Role.AUDITOR, Role.INSPECTOR, Role.BUSINESS)


def history_hides_inspections(user) -> bool:
    """Business users read no inspection or finding history.

    Their inspections are visible only once finalized, but the history of one holds its
    draft states (and findings written before finalization), which are not theirs to see.
    """
    return role_of(user) == Role.BUSINESS


# The code of a finalized inspection (inspections.choices.InspectionStatus.FINALIZED),
# spelled out because facilities must not import inspections. A test pins the two equal.
FINALIZED_INSPECTION = "finalized"


def restrict_inspection_rows(queryset: QuerySet, user, *, inspection_path: str = "") -> QuerySet:
    """Narrow inspections (or rows of one, e.g. findings) to those ``user`` may see.

    ``inspection_path`` is the lookup from the queryset's model to its Inspection
    ("" for Inspection itself, "inspection" for Finding). Staff roles see every
    inspection; a business user only finalized inspections of its own facilities, and
    their findings — drafts and cancelled visits are the inspectors' working papers.
    """
    prefix = f"{inspection_path}__" if inspection_path else ""
    queryset = restrict_to_visible(queryset, user, facility_path=f"{prefix}facility")
    if role_of(user) == Role.BUSINESS:
        queryset = queryset.filter(**{f"{prefix}status": FINALIZED_INSPECTION})
    return queryset


def can_record_inspections(user) -> bool:
    """May ``user`` record inspections and findings at all (for some facilities)?"""
    return role_of(user) in (Role.ADMIN, Role.INSPECTOR)


def districts_for(user) -> QuerySet[District]:
    """Districts offered to ``user`` in pickers: an inspector's own, everyone else all."""
    if role_of(user) == Role.INSPECTOR:
        return District.objects.filter(code__in=inspector_district_codes(user))
    return District.objects.all()


def communes_for(user) -> QuerySet[Commune]:
    """Communes offered to ``user`` in pickers: an inspector's own communes and those of
    their districts; everyone else all."""
    if role_of(user) == Role.INSPECTOR:
        return Commune.objects.filter(
            Q(code__in=inspector_commune_codes(user))
            | Q(former_districts__in=inspector_district_codes(user))
        ).distinct()
    return Commune.objects.all()
