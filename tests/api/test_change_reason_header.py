"""The X-Change-Reason header is UTF-8 text, sent raw (curl, browsers) or percent-encoded
(``encodeURIComponent``); both store the same NFC text, and bytes that are not UTF-8
are refused rather than stored garbled."""

import unicodedata
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.django_db

REASON = "Sửa số điện thoại"


def as_wsgi(text: str) -> str:
    """What Django finds in request.META when a client sends ``text`` as raw UTF-8:
    WSGI servers decode header bytes as latin-1."""
    return text.encode("utf-8").decode("latin-1")


@pytest.fixture
def as_admin(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    return api_client


def patch_with_reason(client, facility, header: str):
    return client.patch(
        f"/api/v1/facilities/{facility.pk}/",
        {"address": "Số 5 đường Trần Phú"},
        format="json",
        HTTP_X_CHANGE_REASON=header,
    )


def last_reason(facility) -> str:
    return facility.history.order_by("-history_id").first().history_change_reason


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(as_wsgi(REASON), id="raw-utf8"),
        pytest.param(quote(REASON, safe=""), id="percent-encoded"),
        pytest.param(as_wsgi(unicodedata.normalize("NFD", REASON)), id="raw-nfd"),
        pytest.param(quote(unicodedata.normalize("NFD", REASON), safe=""), id="encoded-nfd"),
    ],
)
def test_a_vietnamese_reason_is_stored_as_written(as_admin, own_facility, header):
    response = patch_with_reason(as_admin, own_facility, header)
    assert response.status_code == 200, response.content
    assert last_reason(own_facility) == REASON
    assert unicodedata.is_normalized("NFC", last_reason(own_facility))


@pytest.mark.parametrize("text", ["Giảm 50% phí", "Tăng 100%", "tỉ lệ 20%x"])
def test_a_raw_reason_with_a_percent_sign_is_kept_as_is(as_admin, own_facility, text):
    assert patch_with_reason(as_admin, own_facility, as_wsgi(text)).status_code == 200
    assert last_reason(own_facility) == text


def test_an_encoded_percent_sign_is_decoded(as_admin, own_facility):
    patch_with_reason(as_admin, own_facility, quote("Giảm 50% phí", safe=""))
    assert last_reason(own_facility) == "Giảm 50% phí"


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(b"S\xff\xfea".decode("latin-1"), id="raw-garbage"),
        pytest.param("S%FF%FEa", id="encoded-garbage"),
        pytest.param(b"S\xe1\xbb".decode("latin-1"), id="cut-utf8"),
        pytest.param("lý do\x00", id="nul"),
        pytest.param("ly do%00", id="encoded-nul"),
    ],
)
def test_a_reason_that_is_not_utf8_text_is_400_json(as_admin, own_facility, header):
    before = own_facility.history.count()
    response = patch_with_reason(as_admin, own_facility, header)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "X-Change-Reason" in response.json()["detail"]
    assert own_facility.history.count() == before
