from django.db import migrations

# The list behind a dashboard figure sorts by a facility's name folded as Python's
# str.casefold (compliance.views.listing.Casefold: LOWER(name) COLLATE "C" on
# PostgreSQL). This index is on that very expression, then the code (the tie-break),
# and includes the columns of an indicator's population, so a page sorted by name is an
# index-only scan that stops after the page (docs/performance.md, "Lists in pages").
# PostgreSQL only: SQLite has no "C" collation to name, and sorts its small registries
# without it. Not in the model's Meta for the same reason.
CREATE = """
CREATE INDEX IF NOT EXISTS facility_name_sort ON facilities_facility
  ((LOWER(name) COLLATE "C"), code)
  INCLUDE (id, name, operating_since, closed_on, activity, district_id, commune_id, sector_id)
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS facility_name_sort")


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0012_facility_code_covering"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
