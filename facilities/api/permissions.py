"""API permission: every role reads (querysets scope what), writes per viewset and object.

Objects a user may not see are filtered out of the viewset's queryset (404); this class
only answers whether the user may *act*: 401 for anonymous, 403 otherwise.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from facilities.access import has_registry_role


class RegistryPermission(BasePermission):
    """Reads: any registry role. Writes: ``view.may_write(user)`` and, per object,
    ``view.may_write_object(user, obj)``."""

    def has_permission(self, request, view):
        if not has_registry_role(request.user):
            return False
        if getattr(view, "action", "") is None:
            return True  # a method the endpoint does not have: 405 for everyone alike
        if request.method in SAFE_METHODS:
            return view.may_read(request.user)
        return view.may_write(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return view.may_write_object(request.user, obj)


class HasRegistryRole(BasePermission):
    """Any registry role (anonymous: 401; a login without a role: 403)."""

    message = _("Tài khoản chưa được gán vai trò trong sổ đăng ký.")

    def has_permission(self, request, view):
        return has_registry_role(request.user)
