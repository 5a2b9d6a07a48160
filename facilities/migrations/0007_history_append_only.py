"""History tables refuse UPDATE and DELETE on PostgreSQL (facilities/audit.py).

Installs the trigger on every history table that exists at this point; later history
tables get it from the post_migrate hook (same function). Reversible: drops them again.
"""

from django.db import migrations

from facilities.audit import FUNCTION, TRIGGER, history_tables, install_history_guards


def guard(apps, schema_editor):
    install_history_guards(schema_editor.connection, history_tables(apps))


def unguard(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    for table in history_tables(apps):
        if table in existing:
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {TRIGGER} ON {connection.ops.quote_name(table)}"
            )
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0006_load_communes_and_department_names"),
        # The history tables of the other apps, so that they are guarded here too.
        ("inspections", "0002_attachment"),
        ("compliance", "0003_certificate_kinds"),
    ]

    operations = [migrations.RunPython(guard, unguard, elidable=False)]
