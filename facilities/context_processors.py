"""What every page's header and navigation need: the department's name in force today,
the user's registry role and the menu entries their capabilities open (the rules
themselves live in access.py)."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from facilities.access import (
    can_manage_registry,
    can_read_history,
    can_read_province_figures,
    can_record_inspections,
    can_use_portal,
    role_of,
)
from facilities.choices import Role
from facilities.models import DepartmentName


def department(request) -> dict:
    """The department's name in force today (one query, only when a page shows it)."""
    return {
        "department": SimpleLazyObject(
            lambda: (
                DepartmentName.objects.in_force_on(timezone.localdate())
                or DepartmentName(name_vi="", name_en="")
            )
        )
    }


def registry(request) -> dict:
    """The role and the menu entries it may use."""
    user = getattr(request, "user", None)
    role = role_of(user)
    return {
        "registry_role": role,
        "registry_role_label": Role(role).label if role else "",
        "nav": {
            "dashboard": can_read_province_figures(user),
            "registry": can_read_province_figures(user),
            "enterprises": can_manage_registry(user),
            "worklist": can_record_inspections(user),
            "evidence": can_record_inspections(user),
            "portal": can_use_portal(user),
            "changelog": can_read_history(user),
            "reports": can_read_province_figures(user),
            "imports": can_manage_registry(user),
            "admin": can_manage_registry(user),
        },
    }
