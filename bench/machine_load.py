"""The machine's load, printed beside every benchmark figure (a shared 2-core machine
makes wall times vary; the load says how much to trust them)."""

import os
import subprocess


def uptime() -> str:
    """`uptime`'s line, with the time in UTC like `date` (Django sets TZ to the project's
    zone in a process that has loaded its settings)."""
    env = {**os.environ, "TZ": "UTC"}
    out = subprocess.run(["uptime"], capture_output=True, text=True, check=False, env=env)
    return out.stdout.strip()
