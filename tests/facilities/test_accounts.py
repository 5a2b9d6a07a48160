"""Accounts with registry roles: the create_user command and the user admin."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from facilities.access import inspector_district_codes, role_of
from facilities.choices import Role
from facilities.roles import GROUP_NAMES

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
