from django.db import migrations

# An indicator's population in code order — the pages of the list behind a figure and of
# /api/v1/indicators/facilities/, and their COUNT — read from the unique index on the
# code alone, as an index-only scan: the index also carries the population's columns
# (docs/performance.md, "Lists in pages"). The same constraint, same name and message;
# PostgreSQL only, and not in the model's Meta, because Django does not create a
# constraint with INCLUDE on SQLite at all (the code would no longer be unique there).
COLUMNS = "id, operating_since, closed_on, activity, district_id, commune_id, sector_id"


def covering(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE facilities_facility DROP CONSTRAINT facility_code_unique, "
            f"ADD CONSTRAINT facility_code_unique UNIQUE (code) INCLUDE ({COLUMNS})"
        )


def plain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE facilities_facility DROP CONSTRAINT facility_code_unique, "
            "ADD CONSTRAINT facility_code_unique UNIQUE (code)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0011_facility_gap_indexes"),
    ]

    operations = [migrations.RunPython(covering, plain, elidable=False)]
