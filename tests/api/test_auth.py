"""API tokens (hashed, expiring, revocable) and the lockout after repeated failed logins.

Each test replays an attack and shows that it no longer works: a token that expired,
was revoked or outlived a password change or a deactivation is 401; 30 wrong passwords
then the right one is 429, on the API, the login page and the admin alike.
"""

import datetime
import logging
from importlib import import_module
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from facilities.tokens import token_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ELSEWHERE = "203.0.113.9"  # another address than the test client's 127.0.0.1


def log_in(username, password=PASSWORD, address="127.0.0.1", **headers):
    return APIClient().post(
        TOKEN_URL,
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **headers,
    )


def with_token(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


# --- tokens ---------------------------------------------------------------------------


def test_a_login_gives_a_token_and_its_expiry_30_days_later(inspector_tam_duong):
    response = log_in("kiemtra106")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires"}
    expires = datetime.datetime.fromisoformat(body["expires"])
    assert expires == timezone.now() + datetime.timedelta(days=30)
    assert response["Cache-Control"] == "no-store"
    assert with_token(body["token"]).get("/api/v1/facilities/").status_code == 200


def test_the_token_is_stored_only_as_a_digest(inspector_tam_duong):
    token = log_in("kiemtra106").json()["token"]
    row = AuthToken.objects.get(user=inspector_tam_duong)
    assert token not in row.digest and row.token_key == token[: len(row.token_key)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, token_key FROM knox_authtoken")
        stored = [value for values in cursor.fetchall() for value in values]
    assert token not in stored


def test_a_token_works_until_it_expires_and_not_a_second_longer(inspector_tam_duong):
    token = log_in("kiemtra106").json()["token"]
    start = timezone.now()
    with time_machine.travel(start + datetime.timedelta(days=30, seconds=-1), tick=False):
        assert with_token(token).get("/api/v1/districts/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(days=30), tick=False):
        response = with_token(token).get("/api/v1/districts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not AuthToken.objects.filter(user=inspector_tam_duong).exists()  # pruned


def test_the_lifetime_is_a_setting(inspector_tam_duong, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(days=2)}
    body = log_in("kiemtra106").json()
    expires = datetime.datetime.fromisoformat(body["expires"])
    assert expires == timezone.now() + datetime.timedelta(days=2)


def test_a_password_change_ends_every_token_of_that_user_only(inspector_tam_duong, auditor):
    first = log_in("kiemtra106").json()["token"]
    second = log_in("kiemtra106").json()["token"]
    others = log_in("thamtra").json()["token"]
    inspector_tam_duong.set_password("Mật-khẩu-mới-2026")
    inspector_tam_duong.save()
    assert with_token(first).get("/api/v1/districts/").status_code == 401
    assert with_token(second).get("/api/v1/districts/").status_code == 401
    assert with_token(others).get("/api/v1/districts/").status_code == 200


def test_a_save_that_keeps_the_password_keeps_the_tokens(inspector_tam_duong):
    token = log_in("kiemtra106").json()["token"]
    inspector_tam_duong.first_name = "Hoa"
    inspector_tam_duong.save()
    assert with_token(token).get("/api/v1/districts/").status_code == 200


def test_a_deactivated_user_s_token_is_refused(inspector_tam_duong):
    token = log_in("kiemtra106").json()["token"]
    inspector_tam_duong.is_active = False
    inspector_tam_duong.save()
    assert with_token(token).get("/api/v1/districts/").status_code == 401


def test_delete_revokes_the_token_of_the_request_only(inspector_tam_duong):
    revoked = log_in("kiemtra106").json()["token"]
    kept = log_in("kiemtra106").json()["token"]
    response = with_token(revoked).delete(TOKEN_URL)
    assert response.status_code == 204
    assert with_token(revoked).get("/api/v1/districts/").status_code == 401
    assert with_token(revoked).delete(TOKEN_URL).status_code == 401
    assert with_token(kept).get("/api/v1/districts/").status_code == 200


def test_delete_without_credentials_is_401():
    response = APIClient().delete(TOKEN_URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Token 0000", "Token \u00ff\u00fe", "Token " + "f" * 64],
)
def test_a_malformed_or_unknown_token_is_401_not_500(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/districts/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_stale_token_does_not_stop_a_new_login(inspector_tam_duong):
    response = APIClient().post(
        TOKEN_URL,
        {"username": "kiemtra106", "password": PASSWORD},
        format="json",
        HTTP_AUTHORIZATION="Token " + "0" * 64,
    )
    assert response.status_code == 200


def test_a_login_past_the_cap_ends_only_the_oldest_token(inspector_tam_duong, auditor, settings):
    settings.API_TOKENS_PER_USER = 3
    other = log_in("thamtra")
    tokens = []
    for minute in range(4):
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=minute)):
            tokens.append(log_in("kiemtra106").json()["token"])
    first, *kept = tokens
    assert with_token(first).get("/api/v1/facilities/").status_code == 401
    for token in kept:
        assert with_token(token).get("/api/v1/facilities/").status_code == 200
    assert AuthToken.objects.filter(user=inspector_tam_duong).count() == 3
    assert with_token(other.json()["token"]).get("/api/v1/facilities/").status_code == 200


def test_an_inactive_user_gets_no_token(inspector_tam_duong):
    inspector_tam_duong.is_active = False
    inspector_tam_duong.save()
    assert log_in("kiemtra106").status_code == 400


def test_authenticated_api_answers_are_not_stored_by_caches(inspector_tam_duong):
    token = log_in("kiemtra106").json()["token"]
    client = with_token(token)
    for url in ["/api/v1/facilities/", "/api/v1/districts/106/", "/api/v1/no-such-thing/"]:
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_a_token_of_the_old_scheme_is_carried_over_hashed(inspector_tam_duong):
    migration = import_module("facilities.migrations.0004_api_tokens_hashed")
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "user_id integer NOT NULL, created timestamp NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, user_id) VALUES (%s, %s)",
            [old_key, inspector_tam_duong.pk],
        )
    # The migration's schema editor, reduced to what the step uses (SQLite refuses a
    # real one inside the test's transaction).
    editor = SimpleNamespace(connection=connection, execute=connection.cursor().execute)
    migration.carry_over_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    row = AuthToken.objects.get(user=inspector_tam_duong)
    assert old_key not in (row.digest, row.token_key)
    assert row.expiry == timezone.now() + datetime.timedelta(days=30)
    assert with_token(old_key).get("/api/v1/districts/").status_code == 200


def test_the_admin_lists_tokens_with_registry_labels(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    token_create(user=admin_user)
    client.force_login(admin_user)
    index = client.get("/admin/").content.decode()
    assert "Các mã truy cập API" in index
    assert "knox" not in index.lower() and "auth token" not in index.lower()
    page = client.get("/admin/facilities/apitoken/").content.decode()
    assert "hết hạn lúc" in page.lower()
    assert "digest" not in page.lower() and "expiry" not in page.lower()
    client.cookies["django_language"] = "en"
    english = client.get("/admin/facilities/apitoken/").content.decode()
    assert "API token" in english and "expires at" in english.lower()
    assert "API tokens" in client.get("/admin/").content.decode()
    assert "auth token" not in english.lower()


# --- lockout --------------------------------------------------------------------------


def test_30_wrong_passwords_then_the_right_one_is_refused_with_429(inspector_tam_duong):
    statuses = [log_in("kiemtra106", "sai-mật-khẩu").status_code for _ in range(30)]
    assert statuses[:4] == [400] * 4
    assert set(statuses[4:]) == {429}
    response = log_in("kiemtra106")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response["Content-Type"] == "application/json"
    assert "thử lại sau 15 phút" in response.json()["detail"]
    assert not AuthToken.objects.exists()


def test_retry_after_counts_down_and_tries_during_the_lock_do_not_prolong_it(
    inspector_tam_duong,
):
    for _ in range(5):
        log_in("kiemtra106", "sai")
    start = timezone.now()
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        response = log_in("kiemtra106", "sai")
        assert response.status_code == 429
        assert response["Retry-After"] == "300"
        assert "5 phút" in response.json()["detail"]
    with time_machine.travel(start + datetime.timedelta(minutes=15, seconds=-1), tick=False):
        assert log_in("kiemtra106").status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=15, seconds=1), tick=False):
        assert log_in("kiemtra106").status_code == 200


def test_four_failures_do_not_lock_the_fifth_try_in(inspector_tam_duong):
    for _ in range(4):
        assert log_in("kiemtra106", "sai").status_code == 400
    assert log_in("kiemtra106").status_code == 200


def test_the_lockout_message_follows_the_client_s_language(inspector_tam_duong):
    for _ in range(5):
        log_in("kiemtra106", "sai")
    response = log_in("kiemtra106", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "try again in 15 minutes" in response.json()["detail"]


def test_a_username_is_locked_from_every_address(inspector_tam_duong):
    for _ in range(5):
        log_in("kiemtra106", "sai", address="198.51.100.1")
    assert log_in("kiemtra106", address=ELSEWHERE).status_code == 429


def test_an_address_is_locked_for_every_username(inspector_tam_duong, auditor):
    for n in range(5):
        log_in(f"doan-{n}", "sai")
    assert log_in("thamtra").status_code == 429


def test_another_user_from_another_address_is_unaffected(inspector_tam_duong, auditor):
    for _ in range(30):
        log_in("kiemtra106", "sai")
    assert log_in("thamtra", address=ELSEWHERE).status_code == 200


def test_the_lock_is_released_after_the_cool_off_and_both_are_logged(inspector_tam_duong, caplog):
    caplog.set_level(logging.INFO, logger="envreg.auth")
    for _ in range(5):
        log_in("kiemtra106", "sai")
    locked = [r for r in caplog.records if "locked out" in r.getMessage()]
    assert locked and "kiemtra106" in locked[0].getMessage()
    later = timezone.now() + datetime.timedelta(minutes=15, seconds=1)
    with time_machine.travel(later, tick=False):
        assert log_in("kiemtra106").status_code == 200
    released = [r for r in caplog.records if "allowed again" in r.getMessage()]
    assert released and "kiemtra106" in released[0].getMessage()


def test_the_login_page_locks_out_with_a_clear_message(client, inspector_tam_duong):
    for _ in range(30):
        client.post("/login/", {"username": "kiemtra106", "password": "sai"})
    response = client.post("/login/", {"username": "kiemtra106", "password": PASSWORD})
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in page and "15 phút" in page
    assert "_auth_user_id" not in client.session
    client.cookies["django_language"] = "en"
    english = client.post("/login/", {"username": "kiemtra106", "password": PASSWORD})
    assert english.status_code == 429
    assert "Too many failed logins" in english.content.decode()


def test_the_admin_login_locks_out_too(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    for _ in range(30):
        client.post("/admin/login/", {"username": "quantri", "password": "sai"})
    response = client.post("/admin/login/", {"username": "quantri", "password": PASSWORD})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_page_login_that_fails_counts_for_the_api_too(client, inspector_tam_duong):
    for _ in range(5):
        client.post("/login/", {"username": "kiemtra106", "password": "sai"})
    assert log_in("kiemtra106", address=ELSEWHERE).status_code == 429


def test_a_token_login_is_recorded_as_the_user_s_last_login(inspector_tam_duong):
    assert inspector_tam_duong.last_login is None
    log_in("kiemtra106")
    inspector_tam_duong.refresh_from_db()
    assert inspector_tam_duong.last_login == timezone.now()


def test_behind_a_proxy_the_lock_falls_on_the_address_the_proxy_saw(
    inspector_tam_duong, auditor, settings
):
    settings.LOGIN_PROXY_COUNT = 1
    # The attacker writes what it likes on the left; the proxy appends 10.0.0.1.
    for n in range(5):
        log_in(f"doan-{n}", "sai", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 10.0.0.1")
    assert log_in("thamtra", HTTP_X_FORWARDED_FOR="192.0.2.77, 10.0.0.1").status_code == 429
    assert log_in("thamtra", HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 200


def test_without_a_proxy_x_forwarded_for_is_ignored(inspector_tam_duong, auditor):
    for n in range(5):
        log_in(f"doan-{n}", "sai", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert log_in("thamtra", HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 429
