"""The 38 commune-level units of Lai Châu from 1 July 2025 (Resolution 1670/NQ-UBTVQH15)
and the department's names, with history rows (docs/geography.md)."""

from django.db import migrations

from facilities.reference_data import COMMUNES, load_reference_data


def load(apps, schema_editor):
    """The 38 communes, the department's names, and history rows for the districts and
    sectors loaded before reference data had history."""
    load_reference_data(apps.get_model)


def unload(apps, schema_editor):
    apps.get_model("facilities", "Commune").objects.filter(
        code__in=[code for code, *_ in COMMUNES]
    ).delete()
    apps.get_model("facilities", "DepartmentName").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("facilities", "0005_communes_and_department_names")]
    operations = [migrations.RunPython(load, unload)]
