"""The registry pages: the facility list (filters, search, pages) and one facility's page
with its standing, certificates, measures, inspections and findings, and its history."""

from __future__ import annotations

import datetime

import django_filters
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.choices import CertificateStatus, ComplianceStatus, Reason, label_of
from compliance.filtersets import FacilityStatusFilterSet
from compliance.selectors import (
    facilities_with_status,
    facility_certificate_status_q,
    page_rows,
    with_certificate_status,
    with_standing,
)
from compliance.views.labels import status_css
from compliance.views.listing import (
    Column,
    header_cells,
    label_filters,
    order_queryset,
    requested_sort,
)
from facilities.access import (
    can_inspect,
    can_manage_registry,
    can_read_history,
    can_read_own_history,
    can_read_province_figures,
    facilities_for,
    restrict_inspection_rows,
)
from facilities.models import District
from facilities.views import capability_required, paginate, querystring_without
from inspections.models import Finding, Inspection

# The certificate standing of a facility that never had one (certificate_status is None).
NO_CERTIFICATE = "none"


class FacilityPageFilterSet(FacilityStatusFilterSet):
    """The shared facility FilterSet plus the certificate standing the list shows.

    Every filter but ``certificate_status`` is FacilityStatusFilterSet's own; this one
    filters on the facility standing, as a semi-join.
    """

    certificate_status = django_filters.ChoiceFilter(
        choices=[*CertificateStatus.choices, (NO_CERTIFICATE, _("Chưa có giấy chứng nhận"))],
        method="filter_certificate_status",
        label=_("Giấy chứng nhận (hôm nay)"),
    )

    class Meta(FacilityStatusFilterSet.Meta):
        fields = [*FacilityStatusFilterSet.Meta.fields, "certificate_status"]

    def filter_certificate_status(self, queryset, name, value):
        status = None if value == NO_CERTIFICATE else value
        return queryset.filter(facility_certificate_status_q(status, timezone.localdate()))


# Filters the page offers (the FilterSet also has enterprise / active_on for the API).
LIST_FILTERS = (
    "q",
    "district",
    "commune",
    "sector",
    "activity",
    "compliance_status",
    "certificate_status",
    "unit_gap",
)


# The filters' page labels: the pickers list names, so their titles say what they list
# (the shared FilterSet's labels, "Mã huyện"..., describe the API's code parameters).
LIST_FILTER_LABELS = {
    "district": _("Huyện / Thành phố"),
    "commune": _("Xã / Phường"),
    "sector": _("Ngành, lĩnh vực"),
}
# Sortable columns → the fields they order by (then by pk, so pages never overlap).
LIST_SORTS = {
    "code": ("code",),
    "name": ("name",),
    "enterprise": ("enterprise__name",),
    "district": ("district__name",),
    "commune": ("commune__name",),
    "sector": ("sector__name",),
    "activity": ("activity",),
    "compliance": ("compliance_status",),
    "certificate": ("certificate_status",),
}
# The sorts by a column of the standing (read for every row: the order needs it).
STANDING_SORTS = ("compliance", "certificate")
LIST_COLUMNS = (
    Column(_("Mã cơ sở"), "code"),
    Column(_("Tên cơ sở"), "name"),
    Column(_("Doanh nghiệp"), "enterprise"),
    Column(_("Huyện / Thành phố"), "district"),
    Column(_("Xã / Phường"), "commune"),
    Column(_("Ngành, lĩnh vực"), "sector"),
    Column(_("Loại hình"), "activity"),
    Column(_("Tình trạng tuân thủ"), "compliance"),
    Column(_("Giấy chứng nhận"), "certificate"),
)


@capability_required(can_read_province_figures)
def facility_list(request):
    """Facilities the user may see, filtered, searched without diacritics, sorted by a
    column, 50 a page.

    The page's ids first (filters and sorts on plain columns, the standing as semi-joins),
    then the standing of those 50 only: a deep page costs what the first does.
    """
    today = timezone.localdate()
    queryset = facilities_for(request.user)
    filterset = FacilityPageFilterSet(request.GET or None, queryset=queryset)
    for name in list(filterset.form.fields):
        if name not in LIST_FILTERS:
            del filterset.form.fields[name]
    label_filters(filterset.form, LIST_FILTER_LABELS)
    facilities = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    sort = requested_sort(request, LIST_SORTS, default="code")
    if sort.key in STANDING_SORTS:
        facilities = with_standing(facilities, today)
    ids = order_queryset(facilities, sort, LIST_SORTS).values_list("pk", flat=True)
    page = paginate(request, ids)
    page.object_list = page_rows(
        page,
        today,
        facilities_for(request.user).select_related("district", "commune", "sector", "enterprise"),
    )
    for facility in page:
        _decorate(facility)
    return render(
        request,
        "compliance/facility_list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "page_obj": page,
            "headers": header_cells(request, LIST_COLUMNS, sort),
            "querystring_without_page": querystring_without(request, "page"),
            "today": today,
        },
    )


def _decorate(facility) -> None:
    """Labels and badge colours of the annotated standing (display only)."""
    facility.compliance_label = label_of(ComplianceStatus, facility.compliance_status)
    facility.compliance_css = status_css(facility.compliance_status)
    facility.certificate_label = (
        CertificateStatus(facility.certificate_status).label
        if facility.certificate_status
        else _("Chưa có giấy chứng nhận")
    )
    facility.certificate_css = status_css(facility.certificate_status)


@login_required
def facility_detail(request, pk: int):
    """One facility: standing and reason, certificates, measures, a timeline, history.

    Open to every role; facilities_for decides which facilities exist for the user (404).
    """
    today = timezone.localdate()
    facility = get_object_or_404(
        facilities_with_status(
            facilities_for(request.user).select_related(
                "district", "commune", "sector", "enterprise"
            ),
            today,
        ),
        pk=pk,
    )
    _decorate(facility)
    certificates = list(with_certificate_status(facility.certificates.all(), today))
    for certificate in certificates:
        certificate.status_label = CertificateStatus(certificate.status).label
        certificate.status_css = status_css(certificate.status)
    measures = list(facility.measures.select_related("verified_by"))
    inspections = list(
        restrict_inspection_rows(
            Inspection.objects.filter(facility=facility), request.user
        ).prefetch_related(
            "inspectors",
            Prefetch("findings", queryset=Finding.objects.order_by("id")),
        )
    )
    reason_code = (
        None
        if facility.compliance_status == ComplianceStatus.COMPLIANT
        else facility.compliance_status
    )
    return render(
        request,
        "compliance/facility_detail.html",
        {
            "facility": facility,
            "reason_label": label_of(Reason, reason_code),
            "certificate_reason_label": label_of(Reason, facility.certificate_reason),
            "certificates": certificates,
            "measures": measures,
            "inspections": inspections,
            "timeline": timeline(certificates, measures, inspections),
            "can_inspect": can_inspect(request.user, facility),
            "can_manage": can_manage_registry(request.user),
            "history": facility_history(facility) if can_read_history(request.user) else None,
            "can_read_history_tab": can_read_own_history(request.user),
            # The district derived from the commune, when none is recorded.
            "place_district": District.objects.filter(code=facility.place_district).first()
            if facility.district_id is None and facility.place_district
            else None,
            "today": today,
        },
    )


def timeline(certificates, measures, inspections) -> list[dict]:
    """Everything that happened at a facility, newest first, from rows already loaded."""
    events: list[tuple[datetime.date, int, dict]] = []

    def add(day, order, kind, text, obj=None):
        if day:
            events.append((day, order, {"day": day, "kind": kind, "text": text, "obj": obj}))

    for c in certificates:
        add(c.issued_on, 1, "certificate", _("Cấp giấy chứng nhận số %(n)s") % {"n": c.number}, c)
        add(
            c.valid_until,
            0,
            "certificate",
            _("Giấy chứng nhận %(n)s hết hiệu lực") % {"n": c.number},
        )
        add(c.revoked_on, 2, "certificate", _("Thu hồi giấy chứng nhận %(n)s") % {"n": c.number})
    for m in measures:
        add(m.installed_on, 1, "measure", _("Lắp đặt: %(m)s") % {"m": m}, m)
        add(m.verified_on, 2, "measure", _("Cán bộ kiểm tra xác nhận: %(m)s") % {"m": m}, m)
        add(m.removed_on, 3, "measure", _("Tháo dỡ: %(m)s") % {"m": m}, m)
    for i in inspections:
        add(
            i.visited_on,
            4,
            "inspection",
            _("Kiểm tra (%(kind)s) — %(status)s")
            % {"kind": i.get_kind_display(), "status": i.get_status_display()},
            i,
        )
        for f in i.findings.all():
            add(f.deadline, 5, "deadline", _("Thời hạn khắc phục: %(f)s") % {"f": f}, f)
            add(f.resolved_on, 6, "resolved", _("Đã khắc phục: %(f)s") % {"f": f}, f)
    events.sort(key=lambda e: (e[0], e[1]), reverse=True)
    return [e[2] for e in events]


def facility_history(facility) -> list:
    """The facility's own history rows, newest first, with the user who made each."""
    return list(facility.history.select_related("history_user").order_by("-history_date")[:50])
