"""The deployment guide and its files stay true to the settings: every variable the settings read is
documented, nothing documented is invented, the gunicorn config loads and logs safely, the units and the
proxy agree with the settings, and the backup scripts refuse bad input with their usage."""

from __future__ import annotations

import datetime
import json
import re
import runpy
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GUIDE = (ROOT / "docs" / "deployment.md").read_text()
ENV_EXAMPLE = (DEPLOY / "env.example").read_text()
# Variables deploy/gunicorn.conf.py reads besides the portal's.
GUNICORN_VARIABLES = {"WEB_CONCURRENCY", "STATSD_HOST"}


def settings_variables() -> set[str]:
    source = (ROOT / "portal" / "settings.py").read_text()
    names = set(re.findall(r"\benv(?:_bool|_list)?\(\s*[\"']([A-Z0-9_]+)[\"']", source))
    names |= set(re.findall(r"os\.environ(?:\.get|\.setdefault)\(\s*[\"']([A-Z0-9_]+)[\"']", source))
    return names


def test_the_settings_read_variables_at_all():
    assert {
        "SECRET_KEY",
        "DATABASE_URL",
        "PRIVATE_STORAGE_ROOT",
        "PASSBRIDGE_OVERSIGHT_P",
    } <= settings_variables()


def test_every_variable_the_settings_read_is_documented():
    missing_in_guide = sorted(name for name in settings_variables() if f"`{name}`" not in GUIDE)
    assert not missing_in_guide, missing_in_guide
    # env.example lists each one, set or commented out, except the one it must never set.
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, flags=re.MULTILINE))
    assert sorted(settings_variables() - listed - {"PASSBRIDGE_WEB"}) == []
    assert "PASSBRIDGE_WEB" not in listed


def test_env_example_invents_no_variable():
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, flags=re.MULTILINE))
    assert sorted(listed - settings_variables() - GUNICORN_VARIABLES) == []


def test_env_example_is_valid_shell():
    result = subprocess.run(
        [
            "bash",
            "-c",
            'set -euo pipefail; set -a; . "$1"; set +a; echo "$DEFAULT_FROM_EMAIL"',
            "-",
            DEPLOY / "env.example",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "PassBridge <no-reply@passbridge.example>"


def gunicorn_config(monkeypatch, **environment: str | None) -> dict:
    for name in ("WEB_CONCURRENCY", "STATSD_HOST", "RUNTIME_DIRECTORY", *environment):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        if value is not None:
            monkeypatch.setenv(name, value)
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_gunicorn_config(monkeypatch):
    config = gunicorn_config(monkeypatch)
    assert config["bind"] == ["127.0.0.1:8000"]
    assert 1 <= config["workers"] <= config["MAX_WORKERS"] == 12
    assert config["timeout"] == 30
    assert config["graceful_timeout"] >= 30
    assert config["raw_env"] == ["PASSBRIDGE_WEB=1"]
    assert config["accesslog"] == "-"
    assert config["statsd_host"] is None
    assert config["logger_class"] is config["AccessLogger"]


def test_gunicorn_config_follows_the_environment(monkeypatch):
    config = gunicorn_config(
        monkeypatch, WEB_CONCURRENCY="3", STATSD_HOST="127.0.0.1:8125", RUNTIME_DIRECTORY="/run/pb"
    )
    assert config["workers"] == 3
    assert config["statsd_host"] == "127.0.0.1:8125"
    assert config["logger_class"] is config["StatsdAccessLogger"]
    assert config["control_socket"] == "/run/pb/gunicorn.ctl"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/invitations/ImFiYyI:1tX9:secret-signature/", "/invitations/[redacted]/"),
        ("/accounts/password/reset/MQ/cdd8gh-0123456789abcdef/", "/accounts/password/reset/[redacted]/"),
        ("/accounts/password/reset/MQ/set-password/", "/accounts/password/reset/[redacted]/"),
        ("/accounts/password/reset/sent/", "/accounts/password/reset/sent/"),
        ("/accounts/password/reset/done/", "/accounts/password/reset/done/"),
        ("/verify/CATX-PNZ-0000001/", "/verify/CATX-PNZ-0000001/"),
    ],
)
def test_access_log_keeps_secrets_out_of_paths(monkeypatch, path, logged):
    assert gunicorn_config(monkeypatch)["logged_path"](path) == logged


def test_access_log_lines_are_json_without_query_strings(monkeypatch):
    from gunicorn.config import Config

    config = gunicorn_config(monkeypatch)
    cfg = Config()
    cfg.set("accesslog", None)  # no handler: only the line is built here
    logger = config["AccessLogger"](cfg)
    request = SimpleNamespace(
        headers=[("USER-AGENT", 'odd "agent" \\ x'), ("X-FORWARDED-FOR", "203.0.113.7")]
    )
    response = SimpleNamespace(status="404 Not Found", sent=17, headers=[])
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/invitations/tok3n/?q=confidential",
        "PATH_INFO": "/invitations/tok3n/",
        "QUERY_STRING": "q=confidential",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=12))
    line = config["access_log_format"] % logger.atoms_wrapper_class(atoms)
    record = json.loads(line)
    assert record["path"] == "/invitations/[redacted]/"
    assert record["status"] == 404
    assert record["client"] == "203.0.113.7"
    assert record["user_agent"] == 'odd "agent" \\ x'
    assert "confidential" not in line
    assert "tok3n" not in line


def unit(name: str) -> str:
    return (DEPLOY / "systemd" / name).read_text()


@pytest.mark.parametrize(
    "name",
    [
        "passbridge-web.service",
        "passbridge-worker.service",
        "passbridge-worker-pdf.service",
        "passbridge-worker-imports.service",
        "passbridge-beat.service",
    ],
)
def test_units_read_the_environment_file_and_never_set_the_web_flag(name):
    text = unit(name)
    assert "EnvironmentFile=/etc/passbridge/env" in text
    assert "PASSBRIDGE_WEB" not in text


def test_workers_serve_their_queues():
    default = " ".join(unit("passbridge-worker.service").split("\\\n"))
    pdf = " ".join(unit("passbridge-worker-pdf.service").split("\\\n"))
    assert re.search(r"--queues default\s", default)
    assert re.search(r"--queues pdf\s", pdf)
    assert re.search(r"--concurrency 1\s", pdf)
    imports = " ".join(unit("passbridge-worker-imports.service").split("\\\n"))
    assert re.search(r"--queues imports\s", imports)
    assert settings.CELERY_TASK_ROUTES["passports.tasks.run_passport_import"] == {"queue": "imports"}
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    assert settings.CELERY_TASK_ROUTES["certification.tasks.render_certificate_document"] == {"queue": "pdf"}
    assert "--config deploy/gunicorn.conf.py" in unit("passbridge-web.service")
    assert "beat" in unit("passbridge-beat.service")


def test_proxy_accepts_the_largest_request_the_portal_accepts():
    nginx = (DEPLOY / "nginx.conf.example").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", nginx).group(1))
    largest = settings.PASSPORT_DOCUMENT_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert megabytes * 1024 * 1024 >= largest
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx


@pytest.mark.parametrize("script", ["backup.sh", "restore.sh"])
def test_scripts_parse_and_answer_usage(script):
    path = DEPLOY / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    assert subprocess.run(["bash", "-n", path], check=False).returncode == 0
    result = subprocess.run([path], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.startswith(f"Usage: {script}")
    assert "set -euo pipefail" in path.read_text()


def test_backup_refuses_a_database_it_cannot_dump(tmp_path):
    result = subprocess.run(
        [DEPLOY / "backup.sh", tmp_path / "backups"],
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "sqlite:///x.sqlite3",
            "PRIVATE_STORAGE_ROOT": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if "is not installed" in result.stderr:
        pytest.skip("PostgreSQL client tools are not installed")
    assert result.returncode == 1
    assert "DATABASE_URL must be a postgres:// URL" in result.stderr
    assert not (tmp_path / "backups").exists()


def test_restore_verify_refuses_a_damaged_backup(tmp_path):
    backup = tmp_path / "passbridge-20261206T000000Z"
    backup.mkdir()
    for name in ("database.dump", "files.tar.gz", "backup.info"):
        (backup / name).write_text(name)
    subprocess.run(
        "sha256sum database.dump files.tar.gz backup.info > SHA256SUMS", shell=True, cwd=backup, check=True
    )
    (backup / "files.tar.gz").write_text("changed")
    result = subprocess.run(
        [DEPLOY / "restore.sh", "--verify", backup], capture_output=True, text=True, check=False
    )
    if "is not installed" in result.stderr:
        pytest.skip("PostgreSQL client tools are not installed")
    assert result.returncode == 1
    assert "does not match its SHA256SUMS manifest" in result.stderr


def test_readme_points_to_the_guide():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running a real deployment", 1)[1]
    assert "docs/deployment.md" in section
    assert "Restore tested on 2026-12-06" in GUIDE
