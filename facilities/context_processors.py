"""What every page's header and navigation need: the department's name in force today
and the user's registry role."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from facilities.access import can_manage_registry, can_read_history, role_of
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
    """The role and the menu entries it may use (the rules themselves live in access.py)."""
    user = getattr(request, "user", None)
    role = role_of(user)
    return {
        "registry_role": role,
        "registry_role_label": Role(role).label if role else "",
        "nav": {
            "dashboard": role in (Role.ADMIN, Role.INSPECTOR, Role.AUDITOR),
            "registry": role in (Role.ADMIN, Role.INSPECTOR, Role.AUDITOR),
            "worklist": role in (Role.ADMIN, Role.INSPECTOR),
            "portal": role == Role.BUSINESS,
            "changelog": can_read_history(user),
            "reports": role in (Role.ADMIN, Role.INSPECTOR, Role.AUDITOR),
            "imports": can_manage_registry(user),
            "admin": can_manage_registry(user),
        },
    }
