"""The change history is append-only in the database itself (PostgreSQL).

Every django-simple-history table gets a row trigger that refuses UPDATE and DELETE, so
that not even someone with the application's database login can rewrite or erase the
audit trail without first disabling the trigger, which needs the table owner and leaves
its own trace (docs/operations.md says how an operator purges by retention rules).
INSERT stays allowed (new history rows); TRUNCATE is not a row operation and stays
allowed too (test databases are emptied that way; restores drop and recreate tables).

The trigger is installed by a migration for the history tables that exist then, and after
every ``migrate`` (post_migrate) for every history model in the app registry, so a history
table added later gets it without anyone remembering to. ``tests/ops`` checks every
history model of the registry has it.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from simple_history.models import HistoricalChanges

FUNCTION = "envreg_history_append_only"
TRIGGER = "envreg_history_append_only"

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'history rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Purging by retention rules: see docs/operations.md.';
END;
$$;
"""


def history_tables(apps=global_apps) -> list[str]:
    """The tables of every history model (simple-history's, m2m history included)."""
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if issubclass(model, HistoricalChanges)
    )


def install_history_guards(connection, tables: list[str]) -> list[str]:
    """Create (or re-create) the trigger on each of ``tables`` that exists; PostgreSQL only.

    Returns the tables guarded. Idempotent: safe after every migrate.
    """
    if connection.vendor != "postgresql":
        return []
    existing = set(connection.introspection.table_names())
    guarded = [table for table in tables if table in existing]
    if not guarded:
        return []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(CREATE_FUNCTION)
        for table in guarded:
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {quote(table)}"
                f" FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )
    return guarded


def guarded_tables(connection) -> set[str]:
    """Tables that carry the trigger now (enabled), read from the database catalogue."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE t.tgname = %s AND t.tgenabled <> 'D' AND n.nspname = current_schema()",
            [TRIGGER],
        )
        return {row[0] for row in cursor.fetchall()}


def guard_history_after_migrate(sender, *, using, apps=global_apps, **kwargs) -> None:
    """post_migrate: every history table of the (migrated) registry gets the trigger."""
    from django.db import connections

    install_history_guards(connections[using], history_tables(apps))
