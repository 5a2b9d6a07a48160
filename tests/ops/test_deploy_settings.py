"""Production switches come from the environment, strictly, and `check --deploy` passes
with the environment docs/deployment.md gives (the same one .ci/run uses)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")


def documented_environment() -> dict:
    """The ``KEY=value`` lines of the fenced block marked ``production environment``."""
    block = re.search(r"<!-- production environment -->\s*```sh\n(.*?)```", DEPLOYMENT, re.S)
    assert block, "docs/deployment.md lost its production environment block"
    pairs = {}
    for line in block.group(1).splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value.strip("'\"")
    return pairs


def run_manage(*args, **env_vars) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not (
            k.startswith("SECURE_")
            # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests' process, never in production
            or k in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        )
    }
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env_vars},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides) -> dict:
    env = documented_environment()
    env["SECRET_KEY"] = "k" * 20 + "Ab3$-x9_" * 6  # long and varied, as the docs ask
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_check_deploy_passes_with_the_documented_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stderr


def test_check_deploy_fails_when_the_https_switches_are_left_off():
    env = production_env(
        SECURE_SSL_REDIRECT=None, SECURE_HSTS_SECONDS=None, SECURE_PROXY_SSL_HEADER=None
    )
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def settings_value(expression: str, **env) -> str:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');"
        f"django.setup(); from django.conf import settings; print({expression})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return (result.stdout + result.stderr).strip()


def test_secure_cookies_default_to_on_when_debug_is_off_and_off_in_debug():
    expr = "(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    assert settings_value(expr, DEBUG="false", SECRET_KEY="x" * 60) == "(True, True)"
    assert settings_value(expr, DEBUG="true") == "(False, False)"
    assert settings_value(expr, DEBUG="false", SECRET_KEY="x" * 60, SECURE_COOKIES="no") == (
        "(False, False)"
    )


def test_proxy_header_is_built_from_a_header_name():
    value = settings_value(
        "settings.SECURE_PROXY_SSL_HEADER",
        DEBUG="true",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert value == "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECURE_HSTS_SECONDS", "a year", "must be a whole number"),
        ("SECURE_HSTS_SECONDS", "-1", "at least 0, not -1"),
        ("SECURE_SSL_REDIRECT", "sometimes", "must be true or false"),
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https", "must be a header name"),
    ],
)
def test_malformed_production_switches_stop_the_start(name, value, message):
    output = settings_value("settings.DEBUG", DEBUG="true", **{name: value})
    assert "ImproperlyConfigured" in output and message in output


def test_the_gunicorn_config_loads_with_the_timeouts_the_docs_assume():
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "config/gunicorn.conf.py",
            "--check-config",
        ],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    config = (ROOT / "config" / "gunicorn.conf.py").read_text()
    assert 'timeout = _int("GUNICORN_TIMEOUT", 60)' in config
    assert "`timeout = 60` s" in DEPLOYMENT
