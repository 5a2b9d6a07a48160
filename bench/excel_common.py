"""Shared plumbing of the Excel benchmarks: a throw-away SQLite database per phase, and
each phase timed in its own process so that its peak memory (ru_maxrss) is its own.

Not a test: run ``python bench/excel_import.py`` / ``python bench/excel_export.py``.
"""

from __future__ import annotations

import contextlib
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


def reset_peak() -> None:
    """Forget the peak RSS inherited from the parent at fork (Linux keeps the parent's
    high-water mark across fork+exec); writing 5 to clear_refs resets it (Linux ≥ 4.0)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    """Peak resident memory of this process (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn) -> dict:
    """Run ``fn`` and report seconds (wall and CPU), the process's RSS before, and its
    peak after. SQLite runs in the process, so CPU seconds cover the database's work too
    and are less disturbed than wall time by other load on a shared machine."""
    reset_peak()
    before = peak_mb()
    started = time.perf_counter()
    cpu_started = time.process_time()
    extra = fn() or {}
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(time.process_time() - cpu_started, 2),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_mb(), 1),
        **extra,
    }


def best_of(script: Path, phases: list[str], template_db: Path, repeat: int, *args: str):
    """Run the phases alternately ``repeat`` times; keep each phase's fastest run (the
    machine is shared: the minimum is the least disturbed measurement)."""
    runs: dict[str, list[dict]] = {p: [] for p in phases}
    for _ in range(repeat):
        for p in phases:
            runs[p].append(run_phase(script, p, template_db, *args))
    return {
        p: min(r, key=lambda x: x["seconds"])
        | {
            "all_seconds": [x["seconds"] for x in r],
            "min_cpu_seconds": min(x["cpu_seconds"] for x in r),
        }
        for p, r in runs.items()
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
