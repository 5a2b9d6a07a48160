"""What a restore must bring back, as comparable values: every table's rows (history
included), every file under MEDIA_ROOT, the indicator figures. Run in the test process
for the original and as ``python -m tests.ops.fingerprint`` against the restored copy."""

import datetime
import hashlib
import json
import os
from pathlib import Path


def fingerprint() -> dict:
    from django.apps import apps
    from django.conf import settings

    from compliance.indicators.engine import compute_indicators

    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        values = [
            [str(v) for v in row] for row in model._base_manager.order_by("pk").values_list(*names)
        ]
        rows[model._meta.db_table] = {
            "count": len(values),
            "sha256": hashlib.sha256(json.dumps(values).encode()).hexdigest(),
        }
    root = Path(settings.MEDIA_ROOT)
    files = {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    figures = [repr(compute_indicators(datetime.date(year, 12, 31))) for year in (2020, 2025)]
    return {"rows": rows, "files": files, "indicators": figures}


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    print(json.dumps(fingerprint()))
