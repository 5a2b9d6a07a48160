"""On PostgreSQL the change history is append-only: every history table refuses UPDATE
and DELETE (a trigger), including history tables added later; TRUNCATE (test flush,
restore) keeps working."""

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from facilities.audit import (
    TRIGGER,
    guard_history_after_migrate,
    guarded_tables,
    history_tables,
)
from facilities.history import change_context
from facilities.models import Facility
from tests.factories import FacilityFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="database triggers are installed on PostgreSQL only",
    ),
]


def registered():
    return [m for m in apps.get_models() if hasattr(m, "history") and hasattr(m.history, "model")]


def test_every_history_model_of_the_registry_is_guarded():
    """A history model added by any app (now or later) must carry the trigger."""
    tables = set(history_tables())
    assert {
        "facilities_historicalfacility",
        "inspections_historicalinspection_inspectors",  # m2m history too
        "compliance_historicalcertificate",
    } <= tables
    assert all(m._meta.db_table in tables for m in (h.history.model for h in registered()))
    missing = set(history_tables()) - guarded_tables(connection)
    assert missing == set()


@pytest.fixture
def facility(own_enterprise):
    with change_context(reason="thử"):
        return FacilityFactory(enterprise=own_enterprise)


def test_history_rows_cannot_be_updated_through_the_orm(facility):
    record = facility.history.get()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        type(record).objects.filter(pk=record.pk).update(history_change_reason="sửa lén")
    record.refresh_from_db()
    assert record.history_change_reason == "thử"


def test_history_rows_cannot_be_deleted_through_the_orm(facility):
    record = facility.history.get()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        type(record).objects.filter(pk=record.pk).delete()
    assert facility.history.count() == 1


@pytest.mark.parametrize(
    "statement", ["UPDATE {t} SET history_change_reason = 'x'", "DELETE FROM {t}"]
)
def test_raw_sql_update_and_delete_are_refused(facility, statement):
    table = connection.ops.quote_name(Facility.history.model._meta.db_table)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(t=table))
    assert facility.history.get().history_change_reason == "thử"


def test_writes_to_the_registry_still_add_history(facility):
    with change_context(reason="đổi tên"):
        facility.name = "Tên mới"
        facility.save()
    assert facility.history.count() == 2


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_history_tables():
    """Test databases (and `manage.py flush`) are emptied with TRUNCATE."""
    with change_context(reason="thử"):
        FacilityFactory()
    call_command("flush", interactive=False, verbosity=0)
    assert Facility.history.count() == 0
    assert Facility.history.model._meta.db_table in guarded_tables(connection)


def test_migrate_puts_a_missing_trigger_back():
    table = Facility.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {TRIGGER} ON {connection.ops.quote_name(table)}")
    assert table not in guarded_tables(connection)
    guard_history_after_migrate(sender=None, using="default")
    assert table in guarded_tables(connection)
