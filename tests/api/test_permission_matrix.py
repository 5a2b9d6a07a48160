"""The authorization matrix: every API endpoint × method × role, with the expected status.

The rows are generated from the URL resolver, so an endpoint added without a row here
fails ``test_every_api_endpoint_is_in_the_matrix`` — permissions cannot be forgotten.

Roles: anonymous, administrator, inspector of Tam Đường (the rows' district) and of
Phong Thổ, the business owner (the rows' enterprise) and a competitor, an auditor. Each
request runs in a savepoint rolled back afterwards, so every cell sees the same rows.
"""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.factories import valid_tax_code

ROLES = [
    "anonymous",
    "admin",
    "inspector_own",
    "inspector_other",
    "business_own",
    "business_other",
    "auditor",
]

# Endpoints outside the matrix, each with the reason.
EXEMPT = {
    "api-schema": "public API description, no registry data (tested in test_schema)",
    "api-docs": "public docs page, no registry data (tested in test_schema)",
}


def expect(anonymous=401, default=None, **cells):
    """A row of expected statuses: ``default`` for every role not named."""
    row = {role: default for role in ROLES}
    row["anonymous"] = anonymous
    row.update(cells)
    return row


READ_ALL = expect(default=200)
READ_OWN = expect(default=200, business_other=404)  # rows of one enterprise
ADMIN_ONLY = lambda ok: expect(default=403, admin=ok)  # noqa: E731
INSPECTORS = lambda ok: expect(default=403, admin=ok, inspector_own=ok)  # noqa: E731
NOT_ALLOWED = expect(default=405)
STAFF_FIGURES = expect(default=200, business_own=403, business_other=403)


NO_JOB = "00000000-0000-4000-8000-000000000000"


class MULTIPART(dict):
    """A payload sent as multipart/form-data (uploads) rather than JSON."""

    def __call__(self, w):
        return self


def _facility_payload(w):
    return {
        "code": "TD-NEW",
        "name": "Xưởng mới",
        "enterprise": w.enterprise.pk,
        "activity": "production",
        "sector": "mining",
        "district": "106",
        "operating_since": "2020-01-01",
    }


# (url name, method) → (url builder, payload builder, expected row)
MATRIX = {
    # Public by design: a password for a token (tests/api/test_auth.py). An empty body is
    # refused before any password is checked, for everyone alike.
    ("api-token", "post"): (lambda w: "/api/v1/auth/token/", lambda w: {}, expect(400, 400)),
    # Revokes the token the request carries; these requests are authenticated without
    # one (a session), so there is nothing to revoke (the token case: test_auth.py).
    ("api-token", "delete"): (lambda w: "/api/v1/auth/token/", None, expect(default=400)),
    ("district-list", "get"): (lambda w: "/api/v1/districts/", None, READ_ALL),
    ("district-detail", "get"): (lambda w: "/api/v1/districts/106/", None, READ_ALL),
    ("commune-list", "get"): (lambda w: "/api/v1/communes/", None, READ_ALL),
    ("commune-detail", "get"): (lambda w: "/api/v1/communes/03390/", None, READ_ALL),
    ("sector-list", "get"): (lambda w: "/api/v1/sectors/", None, READ_ALL),
    ("sector-detail", "get"): (lambda w: "/api/v1/sectors/mining/", None, READ_ALL),
    # Enterprises: a business user sees only its own.
    ("enterprise-list", "get"): (lambda w: "/api/v1/enterprises/", None, READ_ALL),
    ("enterprise-list", "post"): (
        lambda w: "/api/v1/enterprises/",
        lambda w: {"name": "Công ty mới", "tax_code": valid_tax_code(900)},
        ADMIN_ONLY(201),
    ),
    ("enterprise-detail", "get"): (
        lambda w: f"/api/v1/enterprises/{w.enterprise.pk}/",
        None,
        READ_OWN,
    ),
    ("enterprise-detail", "put"): (
        lambda w: f"/api/v1/enterprises/{w.enterprise.pk}/",
        lambda w: {"name": "Tên mới", "tax_code": w.enterprise.tax_code},
        ADMIN_ONLY(200),
    ),
    ("enterprise-detail", "patch"): (
        lambda w: f"/api/v1/enterprises/{w.enterprise.pk}/",
        lambda w: {"phone": "0213 3876 543"},
        ADMIN_ONLY(200),
    ),
    # Its facility and its business account point to it: protected, so 409 once allowed.
    ("enterprise-detail", "delete"): (
        lambda w: f"/api/v1/enterprises/{w.enterprise.pk}/",
        None,
        ADMIN_ONLY(409),
    ),
    ("facility-list", "get"): (lambda w: "/api/v1/facilities/", None, READ_ALL),
    ("facility-list", "post"): (
        lambda w: "/api/v1/facilities/",
        _facility_payload,
        ADMIN_ONLY(201),
    ),
    ("facility-detail", "get"): (lambda w: f"/api/v1/facilities/{w.facility.pk}/", None, READ_OWN),
    ("facility-detail", "put"): (
        lambda w: f"/api/v1/facilities/{w.facility.pk}/",
        lambda w: {**_facility_payload(w), "code": w.facility.code},
        ADMIN_ONLY(200),
    ),
    ("facility-detail", "patch"): (
        lambda w: f"/api/v1/facilities/{w.facility.pk}/",
        lambda w: {"name": "Tên mới"},
        ADMIN_ONLY(200),
    ),
    ("facility-detail", "delete"): (
        lambda w: f"/api/v1/facilities/{w.facility.pk}/",
        None,
        ADMIN_ONLY(204),
    ),
    ("certificate-list", "get"): (lambda w: "/api/v1/certificates/", None, READ_ALL),
    ("certificate-list", "post"): (
        lambda w: "/api/v1/certificates/",
        lambda w: {
            "facility": w.facility.pk,
            "number": "GCN-MOI/2026",
            "issuer": "Sở Nông nghiệp và Môi trường",
            "issued_on": "2026-01-05",
            "valid_until": "2029-01-04",
        },
        ADMIN_ONLY(201),
    ),
    ("certificate-detail", "get"): (
        lambda w: f"/api/v1/certificates/{w.certificate.pk}/",
        None,
        READ_OWN,
    ),
    ("certificate-detail", "put"): (
        lambda w: f"/api/v1/certificates/{w.certificate.pk}/",
        lambda w: {
            "facility": w.facility.pk,
            "number": w.certificate.number,
            "issuer": "Sở Nông nghiệp và Môi trường",
            "issued_on": "2018-01-01",
            "valid_until": "2022-12-31",
        },
        ADMIN_ONLY(200),
    ),
    ("certificate-detail", "patch"): (
        lambda w: f"/api/v1/certificates/{w.certificate.pk}/",
        lambda w: {"issuer": "UBND tỉnh Lai Châu"},
        ADMIN_ONLY(200),
    ),
    ("certificate-detail", "delete"): (
        lambda w: f"/api/v1/certificates/{w.certificate.pk}/",
        None,
        ADMIN_ONLY(204),
    ),
    ("cleantechmeasure-list", "get"): (lambda w: "/api/v1/clean-tech-measures/", None, READ_ALL),
    ("cleantechmeasure-list", "post"): (
        lambda w: "/api/v1/clean-tech-measures/",
        lambda w: {
            "facility": w.facility.pk,
            "kind": "clean_technology",
            "category": "energy_efficiency",
            "installed_on": "2020-01-01",
        },
        ADMIN_ONLY(201),
    ),
    ("cleantechmeasure-detail", "get"): (
        lambda w: f"/api/v1/clean-tech-measures/{w.measure.pk}/",
        None,
        READ_OWN,
    ),
    ("cleantechmeasure-detail", "put"): (
        lambda w: f"/api/v1/clean-tech-measures/{w.measure.pk}/",
        lambda w: {
            "facility": w.facility.pk,
            "kind": "pollution_control",
            "category": "wastewater",
            "installed_on": "2016-04-01",
        },
        ADMIN_ONLY(200),
    ),
    ("cleantechmeasure-detail", "patch"): (
        lambda w: f"/api/v1/clean-tech-measures/{w.measure.pk}/",
        lambda w: {"description": "Bể lắng ba ngăn"},
        ADMIN_ONLY(200),
    ),
    ("cleantechmeasure-detail", "delete"): (
        lambda w: f"/api/v1/clean-tech-measures/{w.measure.pk}/",
        None,
        ADMIN_ONLY(204),
    ),
    ("cleantechmeasure-verify", "post"): (
        lambda w: f"/api/v1/clean-tech-measures/{w.measure.pk}/verify/",
        lambda w: {"verified_on": "2026-05-01"},
        INSPECTORS(200),
    ),
    # Inspections: business users see finalized ones of their own facilities only.
    ("inspection-list", "get"): (lambda w: "/api/v1/inspections/", None, READ_ALL),
    ("inspection-list", "post"): (
        lambda w: "/api/v1/inspections/",
        lambda w: {"facility": w.facility.pk, "visited_on": "2026-05-30", "kind": "complaint"},
        # The Phong Thổ inspector may record inspections, but not at this facility.
        {**INSPECTORS(201), "inspector_other": 400},
    ),
    ("inspection-detail", "get"): (
        lambda w: f"/api/v1/inspections/{w.finalized.pk}/",
        None,
        READ_OWN,
    ),
    ("inspection-detail", "put"): (
        lambda w: f"/api/v1/inspections/{w.draft.pk}/",
        lambda w: {"facility": w.facility.pk, "visited_on": "2026-05-21", "kind": "periodic"},
        INSPECTORS(200),
    ),
    ("inspection-detail", "patch"): (
        lambda w: f"/api/v1/inspections/{w.draft.pk}/",
        lambda w: {"summary": "Đã lấy mẫu nước thải"},
        INSPECTORS(200),
    ),
    ("inspection-detail", "delete"): (
        lambda w: f"/api/v1/inspections/{w.draft.pk}/",
        None,
        INSPECTORS(204),
    ),
    ("inspection-finalize", "post"): (
        lambda w: f"/api/v1/inspections/{w.draft.pk}/finalize/",
        lambda w: {"outcome": "compliant_with_remarks"},
        INSPECTORS(200),
    ),
    ("inspection-cancel", "post"): (
        lambda w: f"/api/v1/inspections/{w.draft.pk}/cancel/",
        lambda w: {},
        INSPECTORS(200),
    ),
    ("finding-list", "get"): (lambda w: "/api/v1/findings/", None, READ_ALL),
    ("finding-list", "post"): (
        lambda w: "/api/v1/findings/",
        lambda w: {"inspection": w.draft.pk, "category": "noise", "description": "Ồn"},
        {**INSPECTORS(201), "inspector_other": 400},
    ),
    ("remediation-evidence-list", "get"): (
        lambda w: "/api/v1/remediation-evidence/",
        None,
        READ_ALL,
    ),
    ("remediation-evidence-detail", "get"): (
        lambda w: f"/api/v1/remediation-evidence/{w.evidence.pk}/",
        None,
        READ_OWN,
    ),
    ("reinspection-request-list", "get"): (
        lambda w: "/api/v1/reinspection-requests/",
        None,
        READ_ALL,
    ),
    ("reinspection-request-detail", "get"): (
        lambda w: f"/api/v1/reinspection-requests/{w.reinspection_request.pk}/",
        None,
        READ_OWN,
    ),
    ("finding-detail", "get"): (
        lambda w: f"/api/v1/findings/{w.finalized_finding.pk}/",
        None,
        READ_OWN,
    ),
    ("finding-detail", "put"): (
        lambda w: f"/api/v1/findings/{w.draft_finding.pk}/",
        lambda w: {
            "inspection": w.draft.pk,
            "category": "solid_waste",
            "description": "Rác thải để lẫn",
            "severity": "major",
        },
        INSPECTORS(200),
    ),
    ("finding-detail", "patch"): (
        lambda w: f"/api/v1/findings/{w.draft_finding.pk}/",
        lambda w: {"severity": "critical"},
        INSPECTORS(200),
    ),
    ("finding-detail", "delete"): (
        lambda w: f"/api/v1/findings/{w.draft_finding.pk}/",
        None,
        INSPECTORS(204),
    ),
    ("finding-resolve", "post"): (
        lambda w: f"/api/v1/findings/{w.finalized_finding.pk}/resolve/",
        lambda w: {"resolved_on": "2025-05-15"},
        INSPECTORS(200),
    ),
    ("history-list", "get"): (lambda w: "/api/v1/history/", None, READ_ALL),
    # Excel (compliance.excel): exports start from the same access scopes as the lists.
    ("excel-api:template", "get"): (lambda w: "/api/v1/imports/template.xlsx", None, READ_ALL),
    ("excel-api:import", "post"): (
        lambda w: "/api/v1/imports/",
        MULTIPART({"dry_run": "true"}),  # no file: an administrator is told to choose one
        ADMIN_ONLY(400),
    ),
    # A job belongs to the user who started it: anyone else's (or none) is 404.
    ("excel-api:job", "get"): (lambda w: f"/api/v1/jobs/{NO_JOB}/", None, expect(default=404)),
    ("excel-api:job-again", "post"): (
        lambda w: f"/api/v1/jobs/{NO_JOB}/again/",
        None,
        expect(default=404),
    ),
    ("excel-api:job-download", "get"): (
        lambda w: f"/api/v1/jobs/{NO_JOB}/download/",
        None,
        expect(default=404),
    ),
    ("excel-api:facility-export", "get"): (
        lambda w: "/api/v1/facilities/export.xlsx",
        None,
        READ_ALL,
    ),
    ("excel-api:facility-csv", "get"): (lambda w: "/api/v1/facilities/export.csv", None, READ_ALL),
    ("excel-api:inspection-export", "get"): (
        lambda w: "/api/v1/inspections/export.xlsx",
        None,
        READ_ALL,
    ),
    ("excel-api:report", "get"): (
        lambda w: "/api/v1/indicators/report.xlsx?year=2025",
        None,
        STAFF_FIGURES,
    ),
    # Indicators (compliance.indicators): province figures for staff roles only, since a
    # district × sector cell can hold a single competitor; a business user reads its own
    # facilities' standing.
    ("indicators", "get"): (lambda w: "/api/v1/indicators/?as_of=2025-12-31", None, STAFF_FIGURES),
    ("indicators-facilities", "get"): (
        lambda w: "/api/v1/indicators/facilities/?code=establishments_meeting_standards",
        None,
        READ_ALL,
    ),
    ("indicators-series", "get"): (
        lambda w: "/api/v1/indicators/series/?from=2024&to=2025",
        None,
        STAFF_FIGURES,
    ),
    ("indicators-reports", "get"): (lambda w: "/api/v1/indicators/reports/", None, STAFF_FIGURES),
    ("indicators-report", "get"): (
        lambda w: "/api/v1/indicators/reports/2025/",
        None,
        STAFF_FIGURES,
    ),
    ("indicators-report-facilities", "get"): (
        lambda w: "/api/v1/indicators/reports/2025/facilities/?code=businesses_certified",
        None,
        STAFF_FIGURES,
    ),
    ("indicators-report-publish", "post"): (
        lambda w: "/api/v1/indicators/reports/2025/publish/",
        lambda w: {},
        ADMIN_ONLY(201),
    ),
    # Not published yet: nothing to compare with.
    ("indicators-report-diff", "get"): (
        lambda w: "/api/v1/indicators/reports/2025/diff/",
        None,
        expect(default=404, business_own=403, business_other=403),
    ),
    ("excel-api:history-export", "get"): (
        lambda w: "/api/v1/history/export.xlsx",
        None,
        expect(default=403, admin=200, auditor=200),
    ),
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}", entry


def api_routes() -> dict[tuple[str, str], str]:
    """Every (url name, method) the API serves, from the resolver (HEAD/OPTIONS aside)."""
    routes = {}
    for route, name, entry in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/"):
            continue
        actions = getattr(entry.callback, "actions", None)
        if actions is None:
            view_class = getattr(entry.callback, "view_class", None)
            if name in EXEMPT or view_class is None:
                routes[(name, "*")] = route
                continue
            actions = {m: m for m in ("get", "post", "put", "patch", "delete")}
            actions = {m: m for m in actions if hasattr(view_class, m)}
        for method in actions:
            if method in ("head", "options"):
                continue  # answered like GET / by DRF's metadata, for the same users
            routes[(name, method)] = route
    return routes


def test_every_api_endpoint_is_in_the_matrix():
    routes = api_routes()
    missing = sorted(
        key for key in routes if key not in MATRIX and not (key[1] == "*" and key[0] in EXEMPT)
    )
    assert missing == [], f"add these endpoints to the permission matrix: {missing}"
    stale = sorted(key for key in MATRIX if key not in routes)
    assert stale == [], f"the matrix names endpoints that no longer exist: {stale}"


# Cells where the code disagrees with the rule, each with the reason; strict, so the
# fix turns them into failures that ask for this entry to go.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(key, marks=pytest.mark.xfail(reason=KNOWN_GAPS[key], strict=True))
        if key in KNOWN_GAPS
        else key
        for key in sorted(MATRIX)
    ],
    ids=lambda k: f"{k[0]}:{k[1]}",
)
def test_each_role_gets_the_expected_status(key, personas, world):
    url_for, payload_for, expected = MATRIX[key]
    method = key[1]
    actual = {}
    for role in ROLES:
        client = APIClient()
        if personas[role] is not None:
            client.force_authenticate(personas[role])
        with transaction.atomic():
            url = url_for(world)
            payload = payload_for(world) if payload_for else None
            kind = "multipart" if isinstance(payload, MULTIPART) else "json"
            response = getattr(client, method)(url, payload, format=kind)
            actual[role] = response.status_code
            transaction.set_rollback(True)
        world._cache.clear()
    assert actual == expected


def test_a_business_user_does_not_see_draft_inspections_or_their_findings(
    api_client, business_owner, world
):
    finalized = world.finalized
    api_client.force_authenticate(business_owner)
    assert api_client.get(f"/api/v1/inspections/{world.draft.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/findings/{world.draft_finding.pk}/").status_code == 404
    listed = api_client.get("/api/v1/inspections/").data["results"]
    assert [row["id"] for row in listed] == [finalized.pk]


def test_unknown_ids_are_404_like_invisible_ones(api_client, competitor, world):
    api_client.force_authenticate(competitor)
    invisible = api_client.get(f"/api/v1/facilities/{world.facility.pk}/")
    unknown = api_client.get("/api/v1/facilities/987654/")
    assert invisible.status_code == unknown.status_code == 404
    assert invisible.data == unknown.data


def test_a_competitor_filtering_on_a_foreign_facility_gets_nothing(api_client, competitor, world):
    world.certificate  # noqa: B018 (created for the filter to find, if it leaked)
    api_client.force_authenticate(competitor)
    response = api_client.get(f"/api/v1/certificates/?facility={world.facility.pk}")
    assert response.status_code == 200
    assert response.data["count"] == 0


def test_methods_an_endpoint_lacks_are_405_for_every_role(api_client, admin_user, auditor):
    for user in (admin_user, auditor):
        api_client.force_authenticate(user)
        assert api_client.post("/api/v1/districts/", {}, format="json").status_code == 405
        assert api_client.delete("/api/v1/history/").status_code == 405
