"""Accounts with registry roles: the create_user command and the user admin."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation

from facilities.access import inspector_district_codes, role_of
from facilities.choices import Role
from facilities.roles import GROUP_NAMES
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_creates_an_inspector_with_districts_from_the_command():
    call_command("create_user", "kt105", "--role", "inspector", "--districts", "105,106")
    user = User.objects.get(username="kt105")
    assert role_of(user) == Role.INSPECTOR
    assert inspector_district_codes(user) == {"105", "106"}
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.INSPECTOR]]


def test_it_links_a_business_user_to_the_enterprise_by_tax_code(own_enterprise):
    call_command(
        "create_user",
        "dn",
        "--role",
        "business",
        "--enterprise",
        own_enterprise.tax_code,
        "--password",
        "Mật-khẩu-dài-2026",
    )
    user = User.objects.get(username="dn")
    assert user.registry_profile.enterprise == own_enterprise
    assert user.check_password("Mật-khẩu-dài-2026")


def test_it_refuses_an_unknown_enterprise_or_district():
    with pytest.raises(CommandError):
        call_command("create_user", "dn", "--role", "business", "--enterprise", "0101245486")
    with pytest.raises(CommandError):
        call_command("create_user", "kt", "--role", "inspector", "--districts", "999")


def test_it_creates_a_role_user_in_the_admin(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "kiemtra-moi",
            "password1": "Một-mật-khẩu-dài-2026",
            "password2": "Một-mật-khẩu-dài-2026",
            "usable_password": "true",
            "registry_profile-TOTAL_FORMS": "1",
            "registry_profile-INITIAL_FORMS": "0",
            "registry_profile-MIN_NUM_FORMS": "0",
            "registry_profile-MAX_NUM_FORMS": "1",
            "registry_profile-0-role": "inspector",
            "registry_profile-0-districts": ["109"],
            "registry_profile-0-enterprise": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="kiemtra-moi")
    assert role_of(user) == Role.INSPECTOR
    assert inspector_district_codes(user) == {"109"}
    assert user.groups.filter(name=GROUP_NAMES[Role.INSPECTOR]).exists()


def test_the_admin_refuses_an_inspector_without_districts(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "kiemtra-thieu",
            "password1": "Một-mật-khẩu-dài-2026",
            "password2": "Một-mật-khẩu-dài-2026",
            "usable_password": "true",
            "registry_profile-TOTAL_FORMS": "1",
            "registry_profile-INITIAL_FORMS": "0",
            "registry_profile-MIN_NUM_FORMS": "0",
            "registry_profile-MAX_NUM_FORMS": "1",
            "registry_profile-0-role": "inspector",
            "registry_profile-0-enterprise": "",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="kiemtra-thieu").exists()


# --- passwords: the validators apply everywhere a password is set -----------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("1", "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
        ("12345678901", "Mật khẩu không được chỉ gồm chữ số."),
        ("password123", "Mật khẩu này quá phổ biến."),
        ("weakpw-2026", "Mật khẩu quá giống"),
    ],
)
def test_create_user_refuses_a_weak_password_in_vietnamese(password, message):
    with pytest.raises(CommandError) as refused:
        call_command("create_user", "weakpw", "--role", "auditor", "--password", password)
    assert message in str(refused.value)
    assert not User.objects.filter(username="weakpw").exists()


def test_create_user_speaks_english_when_asked():
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("create_user", "weakpw", "--role", "auditor", "--password", "1")
    assert "too short" in str(refused.value) and "8 characters" in str(refused.value)


def test_create_user_takes_a_password_of_exactly_eight_characters():
    call_command("create_user", "du8", "--role", "auditor", "--password", "Lc-2026x")
    assert User.objects.get(username="du8").check_password("Lc-2026x")


def test_a_weak_password_does_not_replace_an_existing_one(auditor):
    with pytest.raises(CommandError):
        call_command("create_user", "thamtra", "--role", "auditor", "--password", "1")
    auditor.refresh_from_db()
    assert auditor.check_password(PASSWORD)


def _admin_add_payload(password):
    return {
        "username": "kiemtra-yeu",
        "password1": password,
        "password2": password,
        "usable_password": "true",
        "registry_profile-TOTAL_FORMS": "1",
        "registry_profile-INITIAL_FORMS": "0",
        "registry_profile-MIN_NUM_FORMS": "0",
        "registry_profile-MAX_NUM_FORMS": "1",
        "registry_profile-0-role": "auditor",
        "registry_profile-0-enterprise": "",
    }


def test_the_admin_refuses_a_weak_password_for_a_new_user(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post("/admin/auth/user/add/", _admin_add_payload("1"))
    assert response.status_code == 200
    assert "Mật khẩu quá ngắn" in response.content.decode()
    assert not User.objects.filter(username="kiemtra-yeu").exists()
    client.cookies["django_language"] = "en"
    english = client.post("/admin/auth/user/add/", _admin_add_payload("1"))
    assert "This password is too short" in english.content.decode()


def test_the_admin_refuses_a_weak_password_change(client, admin_user, auditor):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/auth/user/{auditor.pk}/password/",
        {"password1": "12345678", "password2": "12345678", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "Mật khẩu không được chỉ gồm chữ số." in response.content.decode()
    auditor.refresh_from_db()
    assert auditor.check_password(PASSWORD)


def test_a_user_changing_their_own_password_meets_the_validators(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "1", "new_password2": "1"},
    )
    assert response.status_code == 200
    assert "Mật khẩu quá ngắn" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)
