"""The OpenAPI schema, the offline docs page, token login, and the browsable API."""

import pytest
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.test import APIClient

from facilities.api.views import RegistryViewSet
from tests.conftest import PASSWORD
from tests.factories import EnterpriseFactory, FacilityFactory

pytestmark = pytest.mark.django_db


def test_the_schema_describes_every_endpoint_with_its_errors_and_enums(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in [
        "/api/v1/facilities/",
        "/api/v1/facilities/{id}/",
        "/api/v1/inspections/{id}/finalize/",
        "/api/v1/clean-tech-measures/{id}/verify/",
        "/api/v1/findings/{id}/resolve/",
        "/api/v1/history/",
        "/api/v1/auth/token/",
    ]:
        assert path in paths, path
    patch = paths["/api/v1/facilities/{id}/"]["patch"]
    assert {"400", "401", "403", "404", "409", "412"} <= set(patch["responses"])
    assert {"If-Match", "X-Change-Reason"} <= {p["name"] for p in patch["parameters"]}
    facility_filters = {p["name"] for p in paths["/api/v1/facilities/"]["get"]["parameters"]}
    assert {
        "q",
        "district",
        "sector",
        "activity",
        "enterprise",
        "compliance_status",
        "active_on",
        "page",
        "page_size",
        "ordering",
    } <= facility_filters
    enums = schema["components"]["schemas"]
    assert enums["InspectionStatusEnum"]["enum"] == ["draft", "finalized", "cancelled"]
    assert set(enums["ComplianceStatusEnum"]["enum"]) == {
        "compliant",
        "not_assessed",
        "assessment_expired",
        "non_compliant",
        "overdue_remediation",
    }


def test_the_docs_page_loads_its_assets_from_this_server(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "https://" not in page


def test_a_token_is_given_for_a_username_and_password(inspector_tam_duong):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "kiemtra106", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires"}
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/facilities/").status_code == 200


def test_a_wrong_password_is_400_and_no_token_is_401(inspector_tam_duong):
    client = APIClient()
    wrong = client.post(
        "/api/v1/auth/token/", {"username": "kiemtra106", "password": "sai"}, format="json"
    )
    assert wrong.status_code == 400
    assert client.get("/api/v1/facilities/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token 0000")
    assert client.get("/api/v1/facilities/").status_code == 401


def test_the_browsable_api_never_lists_a_related_table_in_a_select(client, admin_user, monkeypatch):
    # The browsable renderer is on only in DEBUG; turn it on here whatever DEBUG is.
    monkeypatch.setattr(RegistryViewSet, "renderer_classes", [JSONRenderer, BrowsableAPIRenderer])
    canary = "Tên chỉ có trong danh sách chọn"
    for enterprise in EnterpriseFactory.create_batch(3, name=canary):
        FacilityFactory(enterprise=enterprise, name=canary)
    client.force_login(admin_user)
    for url in ["/api/v1/facilities/", "/api/v1/certificates/", "/api/v1/inspections/"]:
        response = client.get(url + "?page_size=1", HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert "<form" in page  # the create form is there, with ids typed in:
        # The one listed row's name in the JSON, never an <option> per enterprise/facility.
        assert page.count(canary) <= 1
