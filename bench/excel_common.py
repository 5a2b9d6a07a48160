"""Shared plumbing of the Excel benchmarks: a throw-away SQLite database per phase, and
each phase timed in its own process so that its peak memory (ru_maxrss) is its own.

Not a test: run ``python bench/excel_import.py`` / ``python bench/excel_export.py``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/envreg-bench"))


def setup_django(db: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn) -> dict:
    """Run ``fn`` and report seconds, the process's RSS before, and its peak after."""
    before = peak_mb()
    started = time.perf_counter()
    extra = fn() or {}
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_mb(), 1),
        **extra,
    }


def run_phase(script: Path, phase: str, template_db: Path, *args: str) -> dict:
    """Copy the prepared database and run one phase of ``script`` on it in a new process."""
    db = WORK / f"{phase}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy(template_db, db)
    out = subprocess.run(
        [sys.executable, str(script), "--phase", phase, "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite"
