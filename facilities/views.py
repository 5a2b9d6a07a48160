"""Pages of the facilities app: the entry point that sends each role to its own page."""

from functools import wraps
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from facilities.access import role_of
from facilities.choices import Role

# The first page of each role: what they open the registry for.
HOME_BY_ROLE = {
    Role.ADMIN: "dashboard",
    Role.AUDITOR: "dashboard",
    Role.INSPECTOR: "worklist",
    Role.BUSINESS: "portal",
}


@login_required
def home(request):
    """Send the user to their role's first page; an account without a role sees nothing."""
    role = role_of(request.user)
    if role is None:
        raise PermissionDenied
    return redirect(HOME_BY_ROLE[role])


def capability_required(capability):
    """Pages for users with a capability of facilities/access.py only: anonymous →
    login, anyone else without it → 403.

    Which *objects* a user sees is still decided by facilities.access querysets (404).
    The capability is kept on the view (``view.capability``) for the navigation and the
    permission-matrix test.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not capability(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.capability = capability
        return wrapped

    return decorator


def querystring_without(request, *names: str) -> str:
    """The request's query string minus ``names``, ending in "&" when not empty (pagination)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def safe_next(request) -> str:
    """The ``next`` page sent with the request (form field, else query string) when it
    is a page of this site, else "": an action returns to the list it was opened from
    (docs/web.md, "Field workflow") and never to another site."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def redirect_next(request, to, *args, **kwargs):
    """Redirect to the safe ``next`` page when there is one, else to ``to``."""
    return redirect(safe_next(request) or resolve_url(to, *args, **kwargs))


def with_next(url: str, next_url: str) -> str:
    """``url`` carrying ``next_url`` on to the following page of a multi-step action."""
    return f"{url}?next={quote(next_url, safe='')}" if next_url else url


def paginate(request, queryset, per_page: int = 50):
    """The requested page (an out-of-range or malformed number gives the nearest page)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
