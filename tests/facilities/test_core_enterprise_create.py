"""Registering an enterprise: validation, history, and two registrations racing.

Two requests creating the same tax code at once must end in one row and a clear error
for the other, never a server error from an IntegrityError. These tests use real
threads with their own database connections (transaction=True), on both databases:

* PostgreSQL: the second insert waits on the first one's uncommitted row in the unique
  index, then fails; the service turns that into the validation message.
* SQLite: the IMMEDIATE transaction of the second waits for the first to commit (busy
  timeout), then validation sees the row.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from facilities.models import Enterprise
from facilities.services import enterprise_create

TAX_CODE = "0101245486"
DUPLICATE = {"__all__": ["Đã có doanh nghiệp với mã số thuế này."]}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Personas get real passwords; the default hasher costs about a second each here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_it_creates_a_validated_enterprise_with_history(admin_user):
    enterprise = enterprise_create(
        user=admin_user,
        reason="Đăng ký doanh nghiệp mới",
        name="Công ty TNHH Chè Sơn Bình",
        tax_code="0101245486001",
    )
    assert enterprise.tax_code == "0101245486-001"
    row = enterprise.history.get()
    assert (row.history_user, row.history_change_reason) == (
        admin_user,
        "Đăng ký doanh nghiệp mới",
    )


@pytest.mark.django_db
def test_it_refuses_a_wrong_check_digit_and_writes_nothing(admin_user):
    with pytest.raises(ValidationError) as exc:
        enterprise_create(user=admin_user, reason="x", name="Sai", tax_code="0101245487")
    assert exc.value.message_dict["tax_code"] == [
        "Mã số thuế 0101245487 không hợp lệ: sai chữ số kiểm tra"
    ]
    assert not Enterprise.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_tax_code_already_registered(admin_user):
    enterprise_create(user=admin_user, reason="x", name="Thứ nhất", tax_code=TAX_CODE)
    with pytest.raises(ValidationError) as exc:
        enterprise_create(user=admin_user, reason="x", name="Thứ hai", tax_code=TAX_CODE)
    assert exc.value.message_dict == DUPLICATE


def wait_until_blocked(timeout: float = 15.0) -> bool:
    """True once another session of this database waits for a lock (PostgreSQL), or
    after a short pause on SQLite, whose busy wait is invisible from outside."""
    if connection.vendor != "postgresql":
        time.sleep(0.5)
        return True
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Statistics are a snapshot per transaction, and the caller is in one.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_one_tax_code_at_once_give_one_row_and_one_clear_error(
    admin_user, auditor
):
    first_inserted = threading.Event()
    second_started = threading.Event()
    results: dict[str, object] = {}

    def first():
        try:
            # Keep the first row uncommitted until the second registration is waiting.
            with transaction.atomic():
                results["first"] = enterprise_create(
                    user=admin_user, reason="yêu cầu 1", name="Công ty A", tax_code=TAX_CODE
                )
                first_inserted.set()
                second_started.wait(10)
                results["second_was_blocked"] = wait_until_blocked()
        except Exception as exc:  # reported by the assertions below
            results["first"] = exc
            first_inserted.set()
        finally:
            connection.close()

    def second():
        try:
            first_inserted.wait(10)
            second_started.set()
            results["second"] = enterprise_create(
                user=auditor, reason="yêu cầu 2", name="Công ty B", tax_code=TAX_CODE
            )
        except Exception as exc:  # noqa: BLE001 - the test inspects what was raised
            results["second"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert isinstance(results["first"], Enterprise), results["first"]
    assert results["second_was_blocked"]
    assert isinstance(results["second"], ValidationError), repr(results["second"])
    assert results["second"].message_dict == DUPLICATE
    assert list(Enterprise.objects.filter(tax_code=TAX_CODE).values_list("name", flat=True)) == [
        "Công ty A"
    ]


@pytest.mark.django_db(transaction=True)
def test_many_registrations_started_together_leave_exactly_one_row(admin_user):
    start = threading.Barrier(4)
    outcomes: list[object] = []

    def register(n: int):
        try:
            start.wait(10)
            outcomes.append(
                enterprise_create(
                    user=admin_user, reason=f"yêu cầu {n}", name=f"Công ty {n}", tax_code=TAX_CODE
                )
            )
        except Exception as exc:  # noqa: BLE001 - the test inspects what was raised
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    created = [o for o in outcomes if isinstance(o, Enterprise)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(created) == 1, outcomes
    assert len(refused) == 3, outcomes
    assert all(e.message_dict == DUPLICATE for e in refused)
    assert Enterprise.objects.filter(tax_code=TAX_CODE).count() == 1
