"""The 400, 403, 404 and 500 pages are in the site's layout, in the user's language,
fit a phone, and the 500 page renders without a database or a request."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation
from django.views import defaults

import config.urls


def boom(request):
    raise RuntimeError("boom")


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("bad")


urlpatterns = [
    path("boom/", boom),
    path("forbidden/", forbidden),
    path("suspicious/", suspicious),
    *config.urls.urlpatterns,
]

LAYOUT = ('<meta name="viewport" content="width=device-width, initial-scale=1">', "site-header")


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return settings


def page(response) -> str:
    text = response.content.decode()
    for marker in LAYOUT:
        assert marker in text
    return text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "vi", "en"),
    [
        ("/no-such-page/", 404, "Không tìm thấy trang", "Page not found"),
        ("/forbidden/", 403, "Không có quyền truy cập", "Access denied"),
        ("/suspicious/", 400, "Yêu cầu không hợp lệ", "Bad request"),
        ("/boom/", 500, "Lỗi hệ thống", "Server error"),
    ],
)
def test_error_pages_use_the_layout_in_the_chosen_language(production, url, status, vi, en):
    client = Client(raise_request_exception=False)
    response = client.get(url)
    assert response.status_code == status
    text = page(response)
    assert '<html lang="vi">' in text and vi in text
    client.cookies["django_language"] = "en"
    text = page(client.get(url))
    assert '<html lang="en">' in text and en in text and vi not in text


def test_the_500_page_needs_no_database_and_no_request_context(production):
    """No django_db mark: any query here fails the test."""
    request = RequestFactory().get("/boom/")
    with translation.override("vi"):
        response = defaults.server_error(request)
    assert response.status_code == 500
    text = page(response)
    assert "Lỗi hệ thống" in text and 'href="/"' in text


@pytest.mark.django_db
def test_a_bad_host_header_gets_the_400_page(production):
    response = Client().get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in page(response)


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_gets_the_layout_page(production, admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/imports/", {})
    assert response.status_code == 403
    text = page(response)
    assert "Biểu mẫu đã hết hạn" in text and "chưa có gì được lưu" in text
