"""Settings read from the environment refuse what they do not understand."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print('DEBUG', s.DEBUG)"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_is_off_unless_asked():
    result = load_settings(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


@pytest.mark.parametrize("value", ["true", "1", "yes", "on", "TRUE"])
def test_debug_accepts_the_usual_spellings(value):
    result = load_settings(DEBUG=value)
    assert result.returncode == 0, result.stderr
    assert "DEBUG True" in result.stdout


@pytest.mark.parametrize("value", ["maybe", "2", "debug"])
def test_debug_refuses_anything_else(value):
    result = load_settings(DEBUG=value, SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert f"DEBUG must be true or false, not {value.lower()!r}" in result.stderr


def test_an_unknown_database_url_is_refused():
    result = load_settings(DEBUG="true", DATABASE_URL="mysql://u@localhost/db")
    assert result.returncode != 0
    assert "DATABASE_URL must be a sqlite:// or postgres:// URL" in result.stderr


def test_a_postgres_url_selects_postgresql():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env=os.environ | {"DEBUG": "true", "DATABASE_URL": "postgres://u@127.0.0.1:5432/x"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOGIN_FAILURE_LIMIT", "0"),
        ("LOGIN_FAILURE_LIMIT", "five"),
        ("LOGIN_LOCKOUT_MINUTES", "-1"),
        ("API_TOKEN_DAYS", "1.5"),
        ("LOGIN_PROXY_COUNT", "-1"),
    ],
)
def test_login_and_token_settings_refuse_what_is_not_a_count(name, value):
    result = load_settings(DEBUG="true", **{name: value})
    assert result.returncode != 0
    assert f"{name} must be a whole number" in result.stderr


def test_login_and_token_settings_are_read_from_the_environment():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; "
            "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), "
            "s.REST_KNOX['TOKEN_TTL'].days, s.LOGIN_PROXY_COUNT)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "DEBUG": "true",
            "LOGIN_FAILURE_LIMIT": "7",
            "LOGIN_LOCKOUT_MINUTES": "2",
            "API_TOKEN_DAYS": "3",
            "LOGIN_PROXY_COUNT": "1",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7", "120.0", "3", "1"]
