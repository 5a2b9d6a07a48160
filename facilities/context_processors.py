"""What every page's navigation needs to know about the user: their registry role."""

from facilities.access import can_manage_registry, can_read_history, role_of
from facilities.choices import Role


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
