"""Lai Châu's eight district-level units (official statistical codes) and the sectors
named in the green-growth action plan (Decision 1498/QĐ-UBND)."""

from django.db import migrations

from facilities.reference_data import DISTRICTS, SECTORS, load_reference_data



def load(apps, schema_editor):
    load_reference_data(apps.get_model)


def unload(apps, schema_editor):
    apps.get_model("facilities", "District").objects.filter(
        code__in=[c for c, _ in DISTRICTS]
    ).delete()
    apps.get_model("facilities", "Sector").objects.filter(
        code__in=[c for c, *_ in SECTORS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
