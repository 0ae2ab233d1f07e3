"""Production settings: `check --deploy` passes, and missing secrets stop the start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "PASSBRIDGE_ENV": "production",
    "SECRET_KEY": "x7Kq9-vTz2mP4wR8yB1nL6cJ3hF5dG0sA_eU!iO@pX&qZ^tY*rW%",
    "ALLOWED_HOSTS": "passbridge.example",
    "DATABASE_URL": "postgres://passbridge:secret@db.internal:5432/passbridge",
    "SITE_URL": "https://passbridge.example",
    "REDIS_URL": "redis://redis.internal:6379/0",
}
# Variables of the surrounding test run that would change what the settings module does.
_SCRUBBED = {
    "PASSBRIDGE_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DEBUG",
    "REDIS_URL",
    "ENFORCE_2FA",
    "EMAIL_BACKEND",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SITE_URL",
    "CELERY_TASK_ALWAYS_EAGER",
}


def manage(*args: str, **env_overrides: str | None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in _SCRUBBED}
    env.update(PRODUCTION_ENV)
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_no_issues_in_production():
    result = manage("check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output
    assert "WARNING" not in output


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", SECRET_KEY=None)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set in production" in result.stderr


@pytest.mark.parametrize("site_url", [None, "http://passbridge.example", "passbridge.example"])
def test_production_refuses_to_start_without_its_https_address(site_url):
    """SITE_URL is printed into QR codes and signed certificates: no development default may reach them."""
    result = manage("check", SITE_URL=site_url)
    assert result.returncode != 0
    assert "SITE_URL must be set to the portal's https:// address in production" in result.stderr


def test_check_deploy_warns_when_tasks_would_run_inside_requests():
    result = manage("check", "--deploy", REDIS_URL=None)
    output = result.stdout + result.stderr
    assert "passbridge.W001" in output and "Tasks run inside web requests" in output


def test_a_short_secret_key_is_reported_by_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


@pytest.mark.parametrize(("name", "value"), [("PASSBRIDGE_ENV", "staging"), ("EMAIL_BACKEND", "pigeon")])
def test_unknown_configuration_values_are_refused(name, value):
    result = manage("check", **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_settings_are_hardened():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS > 0, s.PASSBRIDGE_ENFORCE_2FA, s.ALLOWED_HOSTS)"
    )
    result = manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False True True True True True ['passbridge.example']"


def test_the_embedded_default_queues_in_memory_without_a_broker_warning():
    """`make run` (development, no REDIS_URL): tasks run in-process and kombu has nothing to complain of."""
    code = (
        "from django.conf import settings as s; from portal.celery import app;"
        "print(s.CELERY_TASK_ALWAYS_EAGER, app.connection_for_write().info()['transport'])"
    )
    result = manage(
        "shell",
        "-c",
        code,
        PASSBRIDGE_ENV="development",
        DATABASE_URL="sqlite:///:memory:",
        SECRET_KEY=None,
        REDIS_URL=None,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True memory"
    assert "No hostname" not in result.stdout + result.stderr
