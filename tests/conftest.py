"""Shared personas (docs/architecture.md, house rule 8) and helpers for every test folder.

The personas: an administrator, an inspector of Tam Đường (106), an inspector of
Phong Thổ (109), a business owner and a competitor (two enterprises), an auditor, and an
anonymous visitor. Each is created once per test that asks for it.
"""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from facilities.choices import Role
from facilities.history import change_context
from facilities.models import District
from facilities.services import user_create
from tests.factories import EnterpriseFactory, FacilityFactory

PASSWORD = "Mật-khẩu-thử-2026"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Personas are made with passwords; the production hasher costs about a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    # LocaleMiddleware leaves a request's language active in the thread: without this, a
    # test that asked for English would turn every later test's messages English.
    yield
    translation.deactivate()


@pytest.fixture
def own_enterprise(db):
    return EnterpriseFactory(name="Công ty CP Chè Tam Đường")


@pytest.fixture
def competitor_enterprise(db):
    return EnterpriseFactory(name="Công ty TNHH Đá Phong Thổ")


@pytest.fixture
def admin_user(db):
    return user_create(
        username="quantri", role=Role.ADMIN, password=PASSWORD, full_name="Lò Văn Quản"
    )


@pytest.fixture
def inspector_tam_duong(db):
    return user_create(
        username="kiemtra106",
        role=Role.INSPECTOR,
        password=PASSWORD,
        districts=["106"],
        full_name="Nguyễn Thị Hoa",
    )


@pytest.fixture
def inspector_phong_tho(db):
    return user_create(
        username="kiemtra109",
        role=Role.INSPECTOR,
        password=PASSWORD,
        districts=["109"],
        full_name="Tráng A Sử",
    )


@pytest.fixture
def business_owner(db, own_enterprise):
    return user_create(
        username="doanhnghiep",
        role=Role.BUSINESS,
        password=PASSWORD,
        enterprise=own_enterprise,
        full_name="Phạm Văn Chè",
    )


@pytest.fixture
def competitor(db, competitor_enterprise):
    return user_create(
        username="doithu",
        role=Role.BUSINESS,
        password=PASSWORD,
        enterprise=competitor_enterprise,
    )


@pytest.fixture
def auditor(db):
    return user_create(
        username="thamtra", role=Role.AUDITOR, password=PASSWORD, full_name="Vũ Thị Thẩm"
    )


@pytest.fixture
def own_facility(db, own_enterprise):
    """A facility of the business owner's enterprise in Tam Đường (106)."""
    with change_context(reason="test fixture"):
        return FacilityFactory(
            enterprise=own_enterprise, code="TD-001", name="Nhà máy chè Tam Đường"
        )


@pytest.fixture
def competitor_facility(db, competitor_enterprise):
    """A facility of the competitor in Phong Thổ (109)."""
    with change_context(reason="test fixture"):
        return FacilityFactory(
            enterprise=competitor_enterprise,
            code="PT-001",
            name="Mỏ đá Phong Thổ",
            district=District.objects.get(code="109"),
        )


@pytest.fixture
def api_client():
    """An API client; call ``api_client.force_authenticate(user)`` to act as a persona."""
    return APIClient()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests run on a file, as production does.

    Django's default in-memory test database uses SQLite's shared cache, where a second
    writer fails at once with "table is locked" instead of waiting for the busy timeout;
    the concurrency tests (tests/api/test_concurrency.py) need the real locking.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("sqlite") / "envreg-test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)
