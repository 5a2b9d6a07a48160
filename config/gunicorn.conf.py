"""gunicorn settings for EnvReg (docs/deployment.md): `gunicorn -c config/gunicorn.conf.py`.

The timeouts here are the ones the rest of the project assumes: a request must finish
inside ``timeout``; anything that may take longer (a large import, a large export) runs
as a background job (compliance/excel/jobs.py). EXCEL_SYNC_IMPORT_MAX_ROWS is sized so
that a synchronous import ends well inside it. Every value can be overridden from the
environment (GUNICORN_*), or on the command line.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SystemExit(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


wsgi_app = "config.wsgi:application"
# Behind a reverse proxy (nginx, TLS) on the same machine: listen on loopback only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: one request each. 2 × cores + 1 is gunicorn's rule of thumb.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
# A worker silent for this long is killed and its request answered 502 by the proxy.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On reload/stop, requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (bounded memory growth), not all at the same moment.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Only the proxy on this machine may say the request came over HTTPS
# (SECURE_PROXY_SSL_HEADER in Django's settings reads that header).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
