"""axe-core on every page for every role, on a desktop and on a phone: no violation.

The pages are listed here (``PAGES``); a convention test keeps the list complete against
the site's URL patterns, so a new page is checked or excused with a reason.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

from facilities.history import change_context
from inspections.models import ReinspectionRequest
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import PHONE
from tests.web.conftest import registry  # noqa: F401  (the page tests' small registry)

DESKTOP = {"width": 1366, "height": 768}


def waiting_request(r):
    """A request for a re-inspection of the own facility, waiting for its answer (the
    page that answers it is checked with its form)."""
    with change_context(reason="dữ liệu thử"):
        item, _ = ReinspectionRequest.objects.get_or_create(
            facility=r["own"],
            status="pending",
            defaults={
                "reason": "Đã khắc phục xong",
                "requested_by": get_user_model().objects.order_by("pk").first(),
            },
        )
    return item


# url name → url builder (from the registry fixture). Each role opens every page; those
# it may not see (403/404) are not checked here.
PAGES = {
    "home": lambda r: "/",
    "dashboard": lambda r: "/dashboard/",
    "indicator_facilities": lambda r: "/indicators/businesses_certified/facilities/?counted=no",
    "facility_list": lambda r: "/facilities/",
    "facility_detail": lambda r: f"/facilities/{r['own'].pk}/",
    "worklist": lambda r: "/worklist/",
    "measure_verify": lambda r: f"/measures/{r['measure'].pk}/verify/",
    "portal": lambda r: "/portal/",
    "changelog": lambda r: "/changes/",
    "object_history": lambda r: f"/changes/facility/{r['own'].pk}/",
    "facility_history": lambda r: f"/facilities/{r['own'].pk}/history/",
    "annual_reports": lambda r: "/reports/",
    "annual_report": lambda r: "/reports/2025/",
    "annual_report_publish": lambda r: "/reports/2025/publish/",
    "inspection_create": lambda r: f"/facilities/{r['own'].pk}/inspections/new/",
    "inspection_detail": lambda r: f"/inspections/{r['visit'].pk}/",
    "inspection_edit": lambda r: f"/inspections/{r['draft'].pk}/edit/",
    "inspection_finalize": lambda r: f"/inspections/{r['draft'].pk}/finalize/",
    "inspection_discard": lambda r: f"/inspections/{r['draft'].pk}/discard/",
    "finding_resolve": lambda r: f"/findings/{r['finding'].pk}/resolve/",
    "finding_evidence": lambda r: f"/findings/{r['finding'].pk}/evidence/",
    "evidence_list": lambda r: "/evidence/",
    "reinspection_request": lambda r: f"/facilities/{r['own'].pk}/reinspection/",
    "reinspection_list": lambda r: "/reinspections/",
    "reinspection_answer": lambda r: f"/reinspections/{waiting_request(r).pk}/",
    "excel:import": lambda r: "/imports/",
    "enterprise_list": lambda r: "/enterprises/",
    "enterprise_create": lambda r: "/enterprises/new/",
    "enterprise_edit": lambda r: f"/enterprises/{r['own'].enterprise_id}/edit/",
    "facility_create": lambda r: "/facilities/new/",
    "facility_edit": lambda r: f"/facilities/{r['own'].pk}/edit/",
    "certificate_create": lambda r: f"/facilities/{r['own'].pk}/certificates/new/",
    "certificate_edit": lambda r: f"/certificates/{r['certificate'].pk}/edit/",
    "certificate_revoke": lambda r: f"/certificates/{r['certificate'].pk}/revoke/",
    "measure_create": lambda r: f"/facilities/{r['own'].pk}/measures/new/",
    "measure_edit": lambda r: f"/measures/{r['measure'].pk}/edit/",
    "login": lambda r: "/login/",
}
# Named routes that are not pages of their own, with the reason.
NOT_PAGES = {
    "logout": "a POST that redirects",
    "set_language": "a POST that redirects",
    "attachment_download": "a file download",
    "evidence_file_download": "a file download",
    "service_worker": "the service worker's script (/sw.js)",
    "excel:job": "an import job's page needs an uploaded workbook (tests/excel)",
    "excel:commit": "a POST that redirects",
    "excel:again": "a POST that redirects",
    "enterprise_tax_code": "JSON for static/js/tax-code.js (tests/web/test_office.py)",
}
ROLES = ["admin_user", "inspector_tam_duong", "business_owner", "auditor"]


def site_url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in {"admin"} or str(entry.pattern).startswith("api/"):
                continue  # the Django admin and the REST API are not the site's pages
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= site_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def test_every_page_of_the_site_is_checked_or_excused():
    assert site_url_names() == set(PAGES) | set(NOT_PAGES)


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("persona", ROLES)
def test_no_page_has_an_accessibility_violation(open_as, request, registry, persona, viewport):  # noqa: F811
    page = open_as(request.getfixturevalue(persona), viewport=viewport)
    checked, failures = [], []
    for name, url in PAGES.items():
        response = page.goto(url(registry))
        if response.status != 200 or (name == "login" and "/login/" not in page.url):
            continue
        checked.append(name)
        if violations := axe_violations(page):
            failures.append(f"{page.url} ({name}):\n{describe(violations)}")
    assert len(checked) >= 4, checked
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_chart_labels_are_readable_on_screen(open_as, registry, admin_user, viewport):  # noqa: F811
    page = open_as(admin_user, viewport=viewport)
    page.goto("/dashboard/")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.chart svg text')].map((text) => {
            const svg = text.ownerSVGElement;
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return scale * parseFloat(getComputedStyle(text).fontSize);
        })"""
    )
    assert sizes, "no chart label on the dashboard"
    assert min(sizes) >= 11, f"chart labels as small as {min(sizes):.1f} px on screen"


# The work list's states beyond its first page: a kind chosen, a refused district (the
# error summary), and the action pages opened from it (with the way back).
WORKLIST_STATES = [
    lambda r: "/worklist/?kind=overdue&q=td",
    lambda r: "/worklist/?district=109",
    lambda r: f"/findings/{r['finding'].pk}/resolve/?next=%2Fworklist%2F%3Fkind%3Doverdue",
    lambda r: f"/measures/{r['measure'].pk}/verify/?next=%2Fworklist%2F",
    lambda r: f"/inspections/{r['draft'].pk}/edit/?next=%2Fworklist%2F",
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_work_list_states_have_no_accessibility_violation(
    open_as,
    registry,  # noqa: F811
    inspector_tam_duong,
    viewport,
):
    page = open_as(inspector_tam_duong, viewport=viewport)
    failures = []
    for url in WORKLIST_STATES:
        response = page.goto(url(registry))
        assert response.status == 200, page.url
        if violations := axe_violations(page):
            failures.append(f"{page.url}:\n{describe(violations)}")
    assert not failures, "\n".join(failures)
