"""Bodies the API cannot take and paths it does not have: a 4xx in JSON, never a 500
and never Django's HTML page."""

import json

import pytest
from django.test import Client

from facilities.api.parsers import MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def as_admin(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    return api_client


def assert_json_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


@pytest.mark.parametrize("body", [nested(5000), "[" * 5000, '{"a":' * 5000])
def test_deeply_nested_json_without_credentials_is_400(body):
    response = Client().post(TOKEN_URL, body, content_type="application/json")
    assert_json_error(response, 400)


def test_deeply_nested_json_on_every_write_is_400(as_admin, own_facility):
    for method, url in [
        ("POST", "/api/v1/facilities/"),
        ("POST", "/api/v1/inspections/"),
        ("PATCH", f"/api/v1/facilities/{own_facility.pk}/"),
        ("PUT", f"/api/v1/facilities/{own_facility.pk}/"),
    ]:
        response = as_admin.generic(method, url, nested(5000), content_type="application/json")
        assert_json_error(response, 400)


def test_nesting_is_allowed_up_to_the_limit_and_refused_one_deeper(as_admin):
    at_limit = as_admin.generic(
        "POST", "/api/v1/enterprises/", nested(MAX_JSON_DEPTH), content_type="application/json"
    )
    assert at_limit.status_code == 400  # a list is not an enterprise, but it was parsed
    assert "lồng nhau" not in json.dumps(at_limit.json(), ensure_ascii=False)
    deeper = as_admin.generic(
        "POST", "/api/v1/enterprises/", nested(MAX_JSON_DEPTH + 1), content_type="application/json"
    )
    assert_json_error(deeper, 400)
    assert "lồng nhau" in deeper.json()["detail"]


@pytest.mark.parametrize("body", [b'{"name": "\xff\xfe"}', b"\xc3\x28", b'{"name": "L\xe0i"}'])
def test_a_body_that_is_not_utf8_is_400(as_admin, body):
    response = as_admin.generic(
        "POST", "/api/v1/enterprises/", body, content_type="application/json"
    )
    assert_json_error(response, 400)
    assert "UTF-8" in response.json()["detail"]


def test_a_body_over_the_limit_is_413_and_one_at_the_limit_is_read(as_admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    padding = '{"name": "%s"}'
    at_limit = padding % ("x" * (1000 - len(padding % "")))
    assert len(at_limit) == 1000
    response = as_admin.generic(
        "POST", "/api/v1/enterprises/", at_limit, content_type="application/json"
    )
    assert response.status_code == 400 and "tax_code" in response.json()
    over = padding % ("x" * (1001 - len(padding % "")))
    response = as_admin.generic(
        "POST", "/api/v1/enterprises/", over, content_type="application/json"
    )
    assert_json_error(response, 413)


def test_a_declared_size_over_the_limit_is_413_before_the_body_is_read(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post(
        TOKEN_URL, "{}", content_type="application/json", CONTENT_LENGTH="5000000"
    )
    assert_json_error(response, 413)


def test_an_over_large_form_body_is_413_json(as_admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = as_admin.post(
        "/api/v1/enterprises/",
        "name=" + "x" * 2000,
        content_type="application/x-www-form-urlencoded",
    )
    assert_json_error(response, 413)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/no-such-thing/", "/api/v2/facilities/", "/api/", "/api/v1/facilities/1/nope/"],
)
def test_unknown_api_paths_are_404_json(path, as_admin):
    assert_json_error(Client().get(path), 404)
    assert_json_error(as_admin.get(path), 404)


def test_an_unknown_api_path_answers_in_the_client_s_language():
    response = Client().get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"detail": "Not found."}


def test_pages_keep_their_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_token_endpoint_lacks_is_405_json():
    response = Client().get(TOKEN_URL)
    assert_json_error(response, 405)
