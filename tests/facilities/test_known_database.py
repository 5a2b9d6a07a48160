"""Every test, and every new registry, starts from the same known database.

A registry database always holds the reference data (districts, sectors) and the four
role groups with exactly the permissions of ``facilities.roles``: after the first
``migrate`` of an empty database, after every later ``migrate``, and after a ``flush``
(which transactional tests run after each test, on whichever worker, in whichever order).
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from facilities.models import Commune, District, Sector
from facilities.reference_data import COMMUNES, DISTRICTS, SECTORS
from facilities.roles import GROUP_NAMES, GROUP_PERMISSIONS

PROJECT = Path(__file__).resolve().parents[2]

DUMP_GROUPS = """
import json
from django.contrib.auth.models import Group
print(json.dumps({
    g.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in g.permissions.all())
    for g in Group.objects.prefetch_related("permissions__content_type")
}))
"""


def expected_groups():
    return {GROUP_NAMES[role]: sorted(perms) for role, perms in GROUP_PERMISSIONS.items()}


def groups_in_database():
    return {
        group.name: sorted(
            f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()
        )
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_every_permission_the_roles_name_exists(db):
    existing = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    named = set().union(*GROUP_PERMISSIONS.values())
    assert named - existing == set()


def test_the_test_database_holds_complete_role_groups_and_the_reference_data(db):
    assert groups_in_database() == expected_groups()
    assert District.objects.count() == len(DISTRICTS)
    assert Sector.objects.count() == len(SECTORS)


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_reference_data_and_complete_role_groups():
    call_command("flush", interactive=False, verbosity=0)

    assert sorted(District.objects.values_list("code", "name")) == sorted(DISTRICTS)
    assert sorted(Sector.objects.values_list("code", flat=True)) == sorted(
        code for code, *_ in SECTORS
    )
    assert Commune.objects.count() == len(COMMUNES) == 38
    assert groups_in_database() == expected_groups()


@pytest.fixture
def empty_database_url(tmp_path):
    """A URL to a brand-new, empty database of the kind the suite runs on."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"envreg_empty_{uuid.uuid4().hex[:12]}"
    server = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"],
        "password": database["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = server["user"] + (f":{server['password']}" if server["password"] else "")
        yield f"postgres://{auth}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "true"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout


@pytest.mark.slow
def test_one_migrate_of_an_empty_database_gives_every_role_its_permissions(
    empty_database_url,
):
    manage(empty_database_url, "migrate", "--noinput", "-v", "0")

    output = manage(empty_database_url, "shell", "--no-imports", "-c", DUMP_GROUPS)
    assert json.loads(output.strip().splitlines()[-1]) == expected_groups()
