"""gunicorn settings of the PassBridge web service (docs/deployment.md).

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py portal.wsgi:application

Options given on the command line win over this file (e.g. `--bind 0.0.0.0:8000`, `--workers 3`).

Environment read here (besides the portal's own, docs/deployment.md):
    WEB_CONCURRENCY    number of worker processes (gunicorn's own variable); default 2 x cores + 1, at most 12
    STATSD_HOST        host:port of a StatsD daemon (UDP); when set, gunicorn sends request counts, status
                       codes, durations and its own log counts there (prefix "passbridge.")
    LOG_LEVEL          also the level of gunicorn's error log (default info)
    RUNTIME_DIRECTORY  set by systemd (RuntimeDirectory=): where the control socket goes
"""

from __future__ import annotations

import json
import os
import re
import time

from gunicorn.glogging import Logger
from gunicorn.instrument.statsd import Statsd


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# --- Serving -------------------------------------------------------------------------------------------
# Behind the TLS proxy on the same host (deploy/nginx.conf.example). Keep it on loopback: gunicorn must
# only ever be reached through the proxy, which sets X-Forwarded-Proto and X-Forwarded-For.
bind = ["127.0.0.1:8000"]
# Sync workers: one request at a time each, one database connection each (DB_CONN_MAX_AGE). The proxy
# buffers slow clients and uploads, so a worker is only busy while Django works. Capped so that a large
# machine does not open more database connections than PostgreSQL's max_connections allows for the web
# (each worker holds one; the Celery workers need theirs too).
MAX_WORKERS = 12
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cores() + 1, MAX_WORKERS))
worker_class = "sync"
# A request still running after 30 s is killed (and logged). Web database connections already give up on a
# statement after DB_STATEMENT_TIMEOUT_MS (20 s) and answer 503, so this only catches what is not waiting
# for PostgreSQL.
timeout = 30
# On restart or SIGTERM, workers finish the requests they have for up to this long.
graceful_timeout = 30
keepalive = 5
# Recycle each worker after about a thousand requests (spread so that they do not all restart at once):
# caps slow memory growth (matplotlib charts, PDF verification) without anyone noticing.
max_requests = 1000
max_requests_jitter = 100
# The heartbeat file of each worker lives in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# The web process marks its database connections with lock and statement timeouts (portal/settings.py);
# portal/wsgi.py sets this too, but only if nothing imported the settings before it.
raw_env = ["PASSBRIDGE_WEB=1"]
# Only the proxy on this host may say that a request came over HTTPS (gunicorn's default, stated).
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = "passbridge-web"
# gunicorn's control socket (`gunicornc -s ... -c "show stats"`): in the service's runtime directory under
# systemd (RuntimeDirectory=passbridge-web sets RUNTIME_DIRECTORY), else gunicorn's default place.
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "gunicorn.ctl")

# --- Logs ----------------------------------------------------------------------------------------------
# Error log (start, stop, worker timeouts) to stderr, where the portal's own log records go too; access
# log to stdout, one JSON object a line (AccessLogger below). Under systemd both end up in the journal.
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
accesslog = "-"
access_log_format = "%(json)s"

# --- Metrics -------------------------------------------------------------------------------------------
statsd_host = os.environ.get("STATSD_HOST") or None
statsd_prefix = "passbridge"
# With StatsD: also how many connections wait for a free worker (gunicorn.backlog), the first sign that
# the web needs more workers.
enable_backlog_metric = bool(statsd_host)

#: Paths that carry a secret: an invitation token, a password-reset link. Never written to the log.
_SECRET_PATHS = (
    (re.compile(r"^/invitations/[^/]+/"), "/invitations/[redacted]/"),
    (
        re.compile(r"^/accounts/password/reset/(?!sent/|done/)[^/]+/[^/]+/"),
        "/accounts/password/reset/[redacted]/",
    ),
)


def logged_path(path: str) -> str:
    """The request path as logged: without its query string (the caller drops it) and with secrets cut out."""
    for pattern, replacement in _SECRET_PATHS:
        path = pattern.sub(replacement, path, count=1)
    return path


class _Atoms(dict):
    """Gunicorn's atoms unchanged (its default wrapper escapes quotes, which would break the JSON)."""

    def __missing__(self, key: str) -> str:
        return "-"


class _JsonAccessLog:
    atoms_wrapper_class = _Atoms

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        headers = {name.lower(): value for name, value in getattr(req, "headers", ())}
        status = str(resp.status).split(None, 1)[0]
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "type": "access",
            "method": environ.get("REQUEST_METHOD"),
            # The path only: query strings (search terms, filters) and bodies are never logged.
            "path": logged_path(environ.get("PATH_INFO") or ""),
            "status": int(status) if status.isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            # The client as the proxy saw it (deploy/nginx.conf.example sets X-Forwarded-For to it), and the
            # proxy's request id, which is also in the proxy's own access log.
            "client": headers.get("x-forwarded-for") or environ.get("REMOTE_ADDR"),
            "request_id": headers.get("x-request-id"),
            "user_agent": (headers.get("user-agent") or "")[:200],
            "pid": os.getpid(),
        }
        atoms["json"] = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        return atoms


class AccessLogger(_JsonAccessLog, Logger):
    pass


class StatsdAccessLogger(_JsonAccessLog, Statsd):
    pass


# gunicorn switches to its StatsD logger by itself only when no logger class is named.
logger_class = StatsdAccessLogger if statsd_host else AccessLogger
