"""Hostile or careless input: always a 4xx with a message, never a 500."""

import pytest

from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/districts/",
    "/api/v1/sectors/",
    "/api/v1/enterprises/",
    "/api/v1/facilities/",
    "/api/v1/certificates/",
    "/api/v1/clean-tech-measures/",
    "/api/v1/inspections/",
    "/api/v1/findings/",
    "/api/v1/history/",
]


@pytest.fixture
def as_admin(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    return api_client


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "query",
    [
        "page_size=100000",
        "page_size=-5",
        "page_size=abc",
        "page=0",
        "page=-1",
        "page=99999999999999999999999999",
        "page=1e9",
        "ordering=owner__password",
        "ordering=enterprise__user_profiles__user__password",
        "owner__password__startswith=pbkdf2",
        "district=105&district=106&district=999",
        "facility=99999999999999999999999",
        "facility=-1",
        "q=%00",
        "q=" + "a" * 5000,
        "since=yesterday&until=2026-02-30",
        "active_on=2026-13-01",
        "model=user&object_id=abc",
    ],
)
def test_odd_queries_are_never_a_server_error(as_admin, url, query):
    response = as_admin.get(f"{url}?{query}")
    assert response.status_code in (200, 400, 404), response.content[:500]


def test_a_huge_page_size_is_capped_not_refused(as_admin, own_enterprise):
    FacilityFactory.create_batch(3, enterprise=own_enterprise)
    response = as_admin.get("/api/v1/facilities/?page_size=100000")
    assert response.status_code == 200
    assert response.data["count"] == 3


def test_a_page_beyond_the_last_is_404(as_admin):
    assert as_admin.get("/api/v1/facilities/?page=7").status_code == 404


def test_ordering_on_an_unlisted_field_is_ignored(as_admin, own_enterprise):
    FacilityFactory(enterprise=own_enterprise, code="B")
    FacilityFactory(enterprise=own_enterprise, code="A")
    response = as_admin.get(
        "/api/v1/facilities/?ordering=enterprise__user_profiles__user__password"
    )
    assert response.status_code == 200
    assert [row["code"] for row in response.data["results"]] == ["A", "B"]


def test_filtering_on_a_password_is_ignored(as_admin, own_enterprise, admin_user):
    FacilityFactory(enterprise=own_enterprise)
    everything = as_admin.get("/api/v1/facilities/").data["count"]
    probing = as_admin.get(
        "/api/v1/facilities/?enterprise__user_profiles__user__password__startswith=md5"
    )
    assert probing.data["count"] == everything


def test_an_unknown_district_filter_is_400(as_admin):
    response = as_admin.get("/api/v1/facilities/?district=999")
    assert response.status_code == 400
    assert "district" in response.data


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/facilities/99999999999999999999999999/", 404),
        ("/api/v1/facilities/abc/", 404),
        ("/api/v1/facilities/-1/", 404),
        ("/api/v1/districts/1%00/", 404),
        ("/api/v1/sectors/../", 404),
    ],
)
def test_odd_ids_in_paths_are_404(as_admin, path, status):
    assert as_admin.get(path).status_code == status


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("--xx\r\nnot a part", "multipart/form-data; boundary=xx"),
        ("name=x", "application/x-www-form-urlencoded; charset=no-such-charset"),
        ("<facility/>", "application/xml"),
        ("not json", "text/plain"),
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"a string"', "application/json"),
        ("null", "application/json"),
        ('{"name": "\\u0000"}', "application/json"),
        ('{"enterprise": 1e400}', "application/json"),
        ('{"enterprise": true, "latitude": NaN}', "application/json"),
    ],
)
def test_odd_bodies_are_4xx(as_admin, body, content_type, own_facility):
    for url in ("/api/v1/facilities/", "/api/v1/inspections/", "/api/v1/enterprises/"):
        response = as_admin.generic("POST", url, body, content_type=content_type)
        assert 400 <= response.status_code < 500, (url, response.content[:300])
    detail = f"/api/v1/facilities/{own_facility.pk}/"
    response = as_admin.generic("PATCH", detail, body, content_type=content_type)
    # A body that parses to no field is a valid empty PATCH.
    assert response.status_code < 500


def test_a_nul_in_the_change_reason_header_is_400(as_admin, own_facility):
    response = as_admin.patch(
        f"/api/v1/facilities/{own_facility.pk}/",
        {"name": "x"},
        format="json",
        HTTP_X_CHANGE_REASON="lý do\x00",
    )
    assert response.status_code == 400


@pytest.mark.parametrize("if_match", ["garbage", 'W/"abc"', '"99999999999999999999999"', ""])
def test_an_if_match_that_names_no_version_is_412(as_admin, own_facility, if_match):
    response = as_admin.patch(
        f"/api/v1/facilities/{own_facility.pk}/",
        {"name": "x"},
        format="json",
        HTTP_IF_MATCH=if_match,
    )
    assert response.status_code == 412


def test_unknown_ids_in_bodies_are_field_errors(as_admin, own_facility):
    for value in (2**70, -3, 0, 1.5, "1; DROP TABLE", None, [1], {"id": 1}):
        response = as_admin.post(
            "/api/v1/inspections/",
            {"facility": value, "visited_on": "2026-05-01"},
            format="json",
        )
        assert response.status_code == 400, value
        assert "facility" in response.data
