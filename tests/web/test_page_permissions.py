"""Every page × every persona: 200 for those who may use it, 403 for a role that may
not, 404 for an object the user may not see (docs/architecture.md, house rule 7)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from compliance.models import AnnualReport
from facilities.history import change_context
from inspections.models import ReinspectionRequest

pytestmark = pytest.mark.django_db

PERSONAS = ["admin_user", "inspector_tam_duong", "inspector_phong_tho", "business_owner", "auditor"]
A, T, P, B, U = PERSONAS  # admin, Tam Đường, Phong Thổ, business, auditor (aUditor)


def a_request(r) -> ReinspectionRequest:
    """A pending request for a re-inspection of the business owner's facility."""
    with change_context(reason="dữ liệu thử"):
        return ReinspectionRequest.objects.create(
            facility=r["own"],
            reason="Đã khắc phục xong",
            # Who asked does not change who may answer; any account of the test will do.
            requested_by=get_user_model().objects.order_by("pk").first(),
        )


def everyone_but(*roles, code=403, others=200):
    return {p: (code if p in roles else others) for p in PERSONAS}


def administrator_only(*, business=403):
    """Office forms: the administrator only; a business that may not even see the
    object gets 404 (``business=404``)."""
    return {A: 200, T: 403, P: 403, B: business, U: 403}


# url builder → expected status per persona
MATRIX = [
    ("dashboard", lambda r: "/dashboard/", everyone_but(B)),
    (
        "facilities behind a figure",
        lambda r: "/indicators/businesses_certified/facilities/?counted=no",
        everyone_but(B),
    ),
    ("unknown indicator", lambda r: "/indicators/nope/facilities/", everyone_but(B, others=404)),
    ("facility list", lambda r: "/facilities/?q=tam duong", everyone_but(B)),
    ("own facility", lambda r: f"/facilities/{r['own'].pk}/", everyone_but()),
    (
        "competitor's facility",
        lambda r: f"/facilities/{r['competitor'].pk}/",
        everyone_but(B, code=404),
    ),
    ("work list", lambda r: "/worklist/", everyone_but(B, U)),
    (
        "record a visit in Tam Đường",
        lambda r: f"/facilities/{r['own'].pk}/inspections/new/",
        everyone_but(P, B, U),
    ),
    (
        "record a visit at the competitor",
        lambda r: f"/facilities/{r['competitor'].pk}/inspections/new/",
        {A: 200, T: 403, P: 200, B: 404, U: 403},
    ),
    ("a finalized visit", lambda r: f"/inspections/{r['visit'].pk}/", everyone_but()),
    (
        "the competitor's visit",
        lambda r: f"/inspections/{r['competitor_visit'].pk}/",
        everyone_but(B, code=404),
    ),
    (
        "continue a draft",
        lambda r: f"/inspections/{r['draft'].pk}/edit/",
        {A: 200, T: 200, P: 403, B: 404, U: 403},
    ),
    (
        "discard a draft (its author or an administrator)",
        lambda r: f"/inspections/{r['draft'].pk}/discard/",
        {A: 200, T: 200, P: 403, B: 404, U: 403},
    ),
    ("resolve a finding", lambda r: f"/findings/{r['finding'].pk}/resolve/", everyone_but(P, B, U)),
    ("verify a measure", lambda r: f"/measures/{r['measure'].pk}/verify/", everyone_but(P, B, U)),
    ("business portal", lambda r: "/portal/", {A: 403, T: 403, P: 403, B: 200, U: 403}),
    (
        "evidence of a corrective action",
        lambda r: f"/findings/{r['finding'].pk}/evidence/",
        everyone_but(),
    ),
    ("evidence waiting for a decision", lambda r: "/evidence/", everyone_but(B, U)),
    (
        "ask for a re-inspection",
        lambda r: f"/facilities/{r['own'].pk}/reinspection/",
        {A: 403, T: 403, P: 403, B: 200, U: 403},
    ),
    (
        "ask for a re-inspection of the competitor",
        lambda r: f"/facilities/{r['competitor'].pk}/reinspection/",
        {A: 403, T: 403, P: 403, B: 404, U: 403},
    ),
    ("re-inspection requests", lambda r: "/reinspections/", everyone_but(B, U)),
    (
        "answer a re-inspection request",
        lambda r: f"/reinspections/{a_request(r).pk}/",
        {A: 200, T: 200, P: 403, B: 403, U: 403},
    ),
    ("change log", lambda r: "/changes/?model=inspection", everyone_but(T, P, B)),
    ("annual reports", lambda r: "/reports/", everyone_but(B)),
    ("a year's report", lambda r: "/reports/2025/", everyone_but(B)),
    ("a year not yet over", lambda r: "/reports/2026/", everyone_but(B, others=404)),
    ("one object's history", lambda r: f"/changes/facility/{r['own'].pk}/", everyone_but(T, P, B)),
    ("own facility's history tab", lambda r: f"/facilities/{r['own'].pk}/history/", everyone_but()),
    (
        "competitor's facility history tab",
        lambda r: f"/facilities/{r['competitor'].pk}/history/",
        everyone_but(B, code=404),
    ),
    ("change log export", lambda r: "/changes/?facility=TD-001&format=xlsx", everyone_but(T, P, B)),
    ("import a workbook", lambda r: "/imports/", {A: 200, T: 403, P: 403, B: 403, U: 403}),
    ("enterprises", lambda r: "/enterprises/?q=tam duong", administrator_only()),
    ("register an enterprise", lambda r: "/enterprises/new/", administrator_only()),
    ("check a tax code", lambda r: "/enterprises/tax-code/?value=0100109106", administrator_only()),
    (
        "edit the own enterprise",
        lambda r: f"/enterprises/{r['own'].enterprise_id}/edit/",
        administrator_only(),
    ),
    (
        "edit the competitor",
        lambda r: f"/enterprises/{r['competitor'].enterprise_id}/edit/",
        administrator_only(business=404),
    ),
    ("register a facility", lambda r: "/facilities/new/", administrator_only()),
    ("edit the own facility", lambda r: f"/facilities/{r['own'].pk}/edit/", administrator_only()),
    (
        "edit the competitor's facility",
        lambda r: f"/facilities/{r['competitor'].pk}/edit/",
        administrator_only(business=404),
    ),
    (
        "add a certificate",
        lambda r: f"/facilities/{r['own'].pk}/certificates/new/",
        administrator_only(),
    ),
    (
        "add a certificate at the competitor",
        lambda r: f"/facilities/{r['competitor'].pk}/certificates/new/",
        administrator_only(business=404),
    ),
    (
        "edit a certificate",
        lambda r: f"/certificates/{r['certificate'].pk}/edit/",
        administrator_only(),
    ),
    (
        "revoke a certificate",
        lambda r: f"/certificates/{r['certificate'].pk}/revoke/",
        administrator_only(),
    ),
    ("add a measure", lambda r: f"/facilities/{r['own'].pk}/measures/new/", administrator_only()),
    (
        "add a measure at the competitor",
        lambda r: f"/facilities/{r['competitor'].pk}/measures/new/",
        administrator_only(business=404),
    ),
    ("edit a measure", lambda r: f"/measures/{r['measure'].pk}/edit/", administrator_only()),
]

# Pages not in the matrix, each with the reason and where it is tested instead.
EXEMPT = {
    "home": "redirects each role to its first page (test_it_opens_on_the_first_page_…)",
    "login": "open to everyone by design",
    "logout": "open to everyone by design",
    "set_language": "open to everyone by design (the language switch)",
    "annual_report_publish": "confirmation then POST, per role: tests/web/test_confirmations.py and test_only_an_administrator_publishes_…",
    "excel:job": "a job belongs to its creator: tests/excel/test_views.py, per role",
    "excel:commit": "POST only, on a job of one's own: tests/excel/test_views.py",
    "inspection_finalize": "a draft's confirmation, per role: tests/web/test_confirmations.py",
    "excel:again": "POST only, on a failed job of one's own: tests/excel/test_job_liveness.py",
    "attachment_download": "needs a stored file: tests/web/test_pages.py, per visibility",
    "evidence_file_download": "needs a stored file: tests/web/test_remediation_pages.py, per visibility",
    "service_worker": "a script, not a page, the same for everyone: tests/web/test_field_visit.py",
}


def _page_routes(patterns, prefix=""):
    """(route, url name) of every page: the resolver minus the admin and the API."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            route = prefix + str(entry.pattern)
            if route.startswith(("admin/", "api/")):
                continue
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            for inner_route, name in _page_routes(entry.url_patterns, route):
                yield inner_route, (namespace + name) if name else None
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


def test_every_page_is_in_the_matrix(registry):
    covered = set()
    for _page, url, _expected in MATRIX:
        match = resolve(url(registry).split("?")[0])
        covered.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    pages = {name for _route, name in _page_routes(get_resolver().url_patterns)}
    assert None not in pages, "every page route needs a name"
    missing = pages - covered - set(EXEMPT)
    assert not missing, f"pages without a row in MATRIX (or an EXEMPT reason): {missing}"
    assert not set(EXEMPT) & covered, "an exempt page is in the matrix: drop the exemption"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("page", "url", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_each_page_answers_each_role_as_its_rules_say(
    client, request, registry, persona, page, url, expected
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url(registry))
    assert response.status_code == expected[persona], page


@pytest.mark.parametrize(
    "url", ["/", "/dashboard/", "/facilities/", "/worklist/", "/portal/", "/changes/"]
)
def test_it_sends_an_anonymous_visitor_to_the_login_page(client, registry, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("admin_user", "/dashboard/"),
        ("auditor", "/dashboard/"),
        ("inspector_tam_duong", "/worklist/"),
        ("business_owner", "/portal/"),
    ],
)
def test_it_opens_on_the_first_page_of_each_role(client, request, persona, page):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/")["Location"] == page


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_an_administrator_publishes_an_annual_report(client, request, registry, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/reports/2025/publish/").status_code == (200 if persona == A else 403)
    response = client.post("/reports/2025/publish/", {"confirm": "yes"})
    expected = {A: 302, T: 403, P: 403, B: 403, U: 403}[persona]
    assert response.status_code == expected
    assert AnnualReport.objects.filter(year=2025).exists() == (persona == A)


NAVIGATION = {
    "dashboard": "/dashboard/",
    "registry": "/facilities/",
    "enterprises": "/enterprises/",
    "worklist": "/worklist/",
    "evidence": "/evidence/",
    "portal": "/portal/",
    "changelog": "/changes/",
    "reports": "/reports/",
    "imports": "/imports/",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_offers_exactly_the_pages_a_role_may_open(client, request, registry, persona):
    from django.test import RequestFactory

    from facilities.context_processors import registry as navigation

    user = request.getfixturevalue(persona)
    fake = RequestFactory().get("/")
    fake.user = user
    nav = navigation(fake)["nav"]
    client.force_login(user)
    for entry, url in NAVIGATION.items():
        assert nav[entry] == (client.get(url).status_code == 200), (persona, entry)
