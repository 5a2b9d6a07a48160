"""Office forms: the administrator registers and corrects enterprises, facilities,
certificates and measures in the site's own pages, each change with a reason
(docs/web.md, "Office forms"). The Django admin stays for maintenance.

Objects a user may not see are 404 (facilities.access querysets) before anything else;
a user who may see them but not manage the registry gets 403. The writes are the
services', which check the right again and record the user and reason in the history.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance import services as compliance_services
from compliance.forms import (
    CertificateForm,
    EnterpriseForm,
    FacilityForm,
    MeasureForm,
    RevokeForm,
    find_enterprise,
)
from compliance.models import Certificate, CleanTechMeasure
from compliance.views.listing import Column, header_cells, order_queryset, requested_sort
from facilities import services as facility_services
from facilities.access import (
    can_manage_registry,
    enterprises_for,
    facilities_for,
    restrict_to_visible,
)
from facilities.filtersets import EnterpriseFilterSet
from facilities.models import Enterprise, canonical_tax_code, validate_tax_code
from facilities.views import capability_required, paginate, querystring_without

ENTERPRISE_SORTS = {
    "name": ("name",),
    "tax_code": ("tax_code",),
    "representative": ("representative",),
    "facilities": ("n_facilities",),
}
ENTERPRISE_COLUMNS = (
    Column(gettext_lazy("Tên doanh nghiệp"), "name"),
    Column(gettext_lazy("Mã số thuế"), "tax_code"),
    Column(gettext_lazy("Người đại diện"), "representative"),
    Column(gettext_lazy("Địa chỉ")),
    Column(gettext_lazy("Số cơ sở"), "facilities"),
    Column(gettext_lazy("Thao tác")),
)


def _require_manager(user) -> None:
    if not can_manage_registry(user):
        raise PermissionDenied


def _safe_next(request) -> str:
    """The page to go back to (``next``, from the query or the form), if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _errors_to_form(exc: ValidationError, form) -> None:
    """A service's refusal, shown next to the field it names (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _save_form(request, form, save):
    """Run ``save(form)`` (a service call) if the form is valid; its refusal goes back
    onto the form. Returns the saved object, or None when the page must come back."""
    if not form.is_valid():
        return None
    try:
        return save(form)
    except ValidationError as exc:
        _errors_to_form(exc, form)
        return None


# --- enterprises -------------------------------------------------------------------------


@capability_required(can_manage_registry)
def enterprise_list(request):
    """Enterprises, searched without diacritics, sorted by a column, 50 a page."""
    queryset = enterprises_for(request.user).annotate(n_facilities=Count("facilities"))
    filterset = EnterpriseFilterSet(request.GET or None, queryset=queryset)
    filterset.form.fields["q"].label = _("Tìm theo tên, mã số thuế, địa chỉ")
    enterprises = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    sort = requested_sort(request, ENTERPRISE_SORTS, default="name")
    page = paginate(request, order_queryset(enterprises, sort, ENTERPRISE_SORTS))
    return render(
        request,
        "compliance/office/enterprise_list.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "headers": header_cells(request, ENTERPRISE_COLUMNS, sort),
            "querystring_without_page": querystring_without(request, "page"),
        },
    )


@capability_required(can_manage_registry)
def enterprise_create(request):
    """Register an enterprise (tax code checked as typed, static/js/tax-code.js)."""
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST":
        saved = _save_form(
            request,
            form,
            lambda f: facility_services.enterprise_register(
                user=request.user, reason=f.cleaned_data["reason"], **f.values()
            ),
        )
        if saved:
            messages.success(request, _("Đã đăng ký doanh nghiệp %(name)s.") % {"name": saved.name})
            return redirect(f"{reverse('enterprise_list')}?q={saved.tax_code}")
    return render(
        request, "compliance/office/enterprise_form.html", {"form": form, "enterprise": None}
    )


@login_required
def enterprise_edit(request, pk: int):
    """Edit an enterprise; opened from a facility's page, it goes back there (``next``)."""
    enterprise = get_object_or_404(enterprises_for(request.user), pk=pk)
    _require_manager(request.user)
    back = _safe_next(request) or f"{reverse('enterprise_list')}?q={enterprise.tax_code}"
    form = EnterpriseForm(request.POST or None, instance=enterprise)
    if request.method == "POST":
        saved = _save_form(
            request,
            form,
            lambda f: facility_services.enterprise_update(
                enterprise=enterprise,
                user=request.user,
                reason=f.cleaned_data["reason"],
                version=f.cleaned_data["version"],
                **f.values(),
            ),
        )
        if saved:
            messages.success(request, _("Đã lưu doanh nghiệp %(name)s.") % {"name": saved.name})
            return redirect(back)
    return render(
        request,
        "compliance/office/enterprise_form.html",
        {"form": form, "enterprise": enterprise, "next": _safe_next(request), "back": back},
    )


@capability_required(can_manage_registry)
def enterprise_tax_code(request):
    """Check a tax code as it is typed: valid? its stored form? already registered?

    JSON for static/js/tax-code.js; the form itself checks the same on submit (the
    model's validate_tax_code), so the page works without it.
    """
    value = (request.GET.get("value") or "").strip()
    if not value:
        return JsonResponse({"valid": False, "normalized": "", "message": "", "existing": None})
    try:
        validate_tax_code(value)
    except ValidationError as exc:
        return JsonResponse(
            {"valid": False, "normalized": "", "message": exc.messages[0], "existing": None}
        )
    normalized = canonical_tax_code(value)
    found = Enterprise.objects.filter(tax_code=normalized).first()
    exclude = request.GET.get("exclude")
    if found and exclude and exclude == str(found.pk):
        found = None  # the enterprise being edited has it
    return JsonResponse(
        {
            "valid": True,
            "normalized": normalized,
            "message": _("Đã có doanh nghiệp với mã số thuế này.") if found else "",
            "existing": {"name": found.name, "url": reverse("enterprise_edit", args=[found.pk])}
            if found
            else None,
        }
    )


# --- facilities ----------------------------------------------------------------------------


@capability_required(can_manage_registry)
def facility_create(request):
    """Register a facility: enterprise found by search, code proposed by the registry."""
    initial = {}
    if request.GET.get("enterprise"):
        # From an enterprise's row in the list: its tax code, shown as "Tên (MST)".
        found = find_enterprise(request.GET["enterprise"])
        initial["enterprise"] = (
            found if isinstance(found, Enterprise) else request.GET["enterprise"]
        )
    form = FacilityForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = _save_form(
            request,
            form,
            lambda f: facility_services.facility_create(
                user=request.user, reason=f.cleaned_data["reason"], **f.values()
            ),
        )
        if saved:
            messages.success(request, _("Đã đăng ký cơ sở %(code)s.") % {"code": saved.code})
            return redirect("facility_detail", pk=saved.pk)
    return render(request, "compliance/office/facility_form.html", {"form": form, "facility": None})


@login_required
def facility_edit(request, pk: int):
    facility = get_object_or_404(facilities_for(request.user), pk=pk)
    _require_manager(request.user)
    form = FacilityForm(request.POST or None, instance=facility)
    if request.method == "POST":
        saved = _save_form(
            request,
            form,
            lambda f: facility_services.facility_update(
                facility=facility,
                user=request.user,
                reason=f.cleaned_data["reason"],
                version=f.cleaned_data["version"],
                **f.values(),
            ),
        )
        if saved:
            messages.success(request, _("Đã lưu cơ sở %(code)s.") % {"code": saved.code})
            return redirect("facility_detail", pk=saved.pk)
    return render(
        request, "compliance/office/facility_form.html", {"form": form, "facility": facility}
    )


# --- certificates and measures -----------------------------------------------------------


def _visible(model, user, pk: int):
    return get_object_or_404(
        restrict_to_visible(model.objects.select_related("facility"), user), pk=pk
    )


@login_required
def certificate_create(request, facility_pk: int):
    facility = get_object_or_404(facilities_for(request.user), pk=facility_pk)
    _require_manager(request.user)
    form = CertificateForm(request.POST or None, facility=facility)
    if request.method == "POST":
        saved = _save_form(
            request,
            form,
            lambda f: compliance_services.certificate_create(
                facility=facility, user=request.user, reason=f.cleaned_data["reason"], **f.values()
            ),
        )
        if saved:
            messages.success(request, _("Đã thêm giấy chứng nhận %(n)s.") % {"n": saved.number})
            return redirect("facility_detail", pk=facility.pk)
    return render(
        request,
        "compliance/office/certificate_form.html",
        {"form": form, "facility": facility, "certificate": None},
    )


@login_required
def certificate_edit(request, pk: int):
    certificate = _visible(Certificate, request.user, pk)
    _require_manager(request.user)
    if certificate.revoked_on:
        messages.warning(request, _("Giấy chứng nhận đã bị thu hồi, không sửa được nữa."))
        return redirect("facility_detail", pk=certificate.facility_id)
    form = CertificateForm(request.POST or None, instance=certificate)
    if request.method == "POST":
        saved = _save_form(
            request,
            form,
            lambda f: compliance_services.certificate_update(
                certificate=certificate,
                user=request.user,
                reason=f.cleaned_data["reason"],
                version=f.cleaned_data["version"],
                **f.values(),
            ),
        )
        if saved:
            messages.success(request, _("Đã lưu giấy chứng nhận %(n)s.") % {"n": saved.number})
            return redirect("facility_detail", pk=certificate.facility_id)
    return render(
        request,
        "compliance/office/certificate_form.html",
        {"form": form, "facility": certificate.facility, "certificate": certificate},
    )


@login_required
def certificate_revoke(request, pk: int):
    """Revoke a certificate: the form (day, reason), then the confirmation page that says
    what will be frozen; only that page's confirm button (``confirm=yes``) revokes.

    A POST without the confirmation (an old one-click form, a replayed request) shows
    the confirmation and changes nothing (docs/web.md, "Confirmation before what cannot
    be undone")."""
    certificate = _visible(Certificate, request.user, pk)
    _require_manager(request.user)
    if certificate.revoked_on:
        messages.warning(request, _("Giấy chứng nhận đã bị thu hồi, không sửa được nữa."))
        return redirect("facility_detail", pk=certificate.facility_id)
    context = {"certificate": certificate, "facility": certificate.facility}
    if request.method != "POST":
        form = RevokeForm(initial={"version": certificate.version})
        return render(
            request, "compliance/office/certificate_revoke.html", {**context, "form": form}
        )
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return render(
            request, "compliance/office/certificate_revoke.html", {**context, "form": form}
        )
    if request.POST.get("confirm") != "yes":
        return render(
            request, "compliance/office/certificate_revoke_confirm.html", {**context, "form": form}
        )
    try:
        compliance_services.certificate_revoke(
            certificate=certificate,
            user=request.user,
            revoked_on=form.cleaned_data["revoked_on"],
            revocation_reason=form.cleaned_data["revocation_reason"],
            version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        _errors_to_form(exc, form)
        return render(
            request, "compliance/office/certificate_revoke.html", {**context, "form": form}
        )
    messages.success(request, _("Đã thu hồi giấy chứng nhận %(n)s.") % {"n": certificate.number})
    return redirect("facility_detail", pk=certificate.facility_id)


@login_required
def measure_create(request, facility_pk: int):
    facility = get_object_or_404(facilities_for(request.user), pk=facility_pk)
    _require_manager(request.user)
    form = MeasureForm(request.POST or None, facility=facility)
    if request.method == "POST":
        saved = _save_form(
            request,
            form,
            lambda f: compliance_services.measure_create(
                facility=facility, user=request.user, reason=f.cleaned_data["reason"], **f.values()
            ),
        )
        if saved:
            messages.success(request, _("Đã thêm biện pháp: %(m)s.") % {"m": saved})
            return redirect("facility_detail", pk=facility.pk)
    return render(
        request,
        "compliance/office/measure_form.html",
        {"form": form, "facility": facility, "measure": None},
    )


@login_required
def measure_edit(request, pk: int):
    measure = _visible(CleanTechMeasure, request.user, pk)
    _require_manager(request.user)
    form = MeasureForm(request.POST or None, instance=measure)
    if request.method == "POST":
        saved = _save_form(
            request,
            form,
            lambda f: compliance_services.measure_update(
                measure=measure,
                user=request.user,
                reason=f.cleaned_data["reason"],
                version=f.cleaned_data["version"],
                **f.values(),
            ),
        )
        if saved:
            messages.success(request, _("Đã lưu biện pháp: %(m)s.") % {"m": saved})
            return redirect("facility_detail", pk=measure.facility_id)
    return render(
        request,
        "compliance/office/measure_form.html",
        {"form": form, "facility": measure.facility, "measure": measure},
    )
