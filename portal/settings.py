"""PassBridge settings, read from the environment.

With nothing set the portal runs on the *embedded default*: SQLite, Celery tasks executed in-process,
e-mail printed to the console. `PASSBRIDGE_ENV=production` switches to hardened settings that pass
`manage.py check --deploy`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _temporary_dir(prefix: str) -> str:
    """A directory of this process's own (tests), removed when the process exits."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


PASSBRIDGE_ENV = env("PASSBRIDGE_ENV", "development")
if PASSBRIDGE_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("PASSBRIDGE_ENV must be development, test or production")
PRODUCTION = PASSBRIDGE_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = "django-insecure-passbridge-development-key-not-for-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = (env("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000") or "").rstrip("/")
if PRODUCTION and not SITE_URL.startswith("https://"):
    # Printed into QR codes, e-mails and signed certificates: a wrong address cannot be recalled later.
    raise ImproperlyConfigured("SITE_URL must be set to the portal's https:// address in production")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_countries",
    "portal.accounts",
    "portal.tenancy",
    "portal.audit",
    "portal.notifications",
    "portal",
    "passports",
    "certification",
    "exchange",
    "pact",
    "endoflife",
    "oversight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.accounts.middleware.PreferredLanguageMiddleware",
    "portal.accounts.middleware.SessionLifetimeMiddleware",
    "portal.audit.middleware.AuditContextMiddleware",
    "portal.accounts.middleware.TwoFactorEnforcementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.middleware.DatabaseBusyMiddleware",
]

# Content-Security-Policy on every HTML answer: scripts, styles, fonts and frames only from the portal
# itself (charts are data: images drawn on the server); no inline script or style without the request's
# nonce; no framing, no plugins, forms post only to the portal.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.tenancy.context_processors.tenancy",
                "portal.notifications.context_processors.unread",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'passbridge.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60") or 60),
        # A kept connection is checked before a request uses it: after a PostgreSQL restart the first
        # request of each process would otherwise fail on the dead connection.
        conn_health_checks=True,
    )
}
# portal.sql_rows.hot_cursor: the few queries run on most requests are prepared on PostgreSQL. A
# transaction-pooling PgBouncer cannot keep prepared statements: turn this off behind one.
PREPARED_HOT_QUERIES = env_bool("PREPARED_HOT_QUERIES", True)
# A streaming replica of the database, for the public look-ups only (QR scans: the public page, its JSON,
# the QR images, the identifier look-up), which are most of the traffic at scale and tolerate a replica's
# lag of a moment (passports.public_json reads the primary for a while after a publication). Everything
# else reads and writes the primary. Tests define the alias as a mirror of the default database.
if env("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL", ""),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60") or 60),
        conn_health_checks=True,
    )
elif PASSBRIDGE_ENV == "test":
    DATABASES["replica"] = {
        **DATABASES["default"],
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
#: The alias the public look-ups read (portal/databases.py).
PUBLIC_READ_DATABASE = "replica" if env("DATABASE_REPLICA_URL", "") else "default"
#: Seconds after a publication during which its public JSON is read from the primary: more than the
#: replica's lag, so that no copy read from a replica not yet caught up is kept in the cache.
PUBLIC_READ_REPLICA_GRACE_SECONDS = int(env("PUBLIC_READ_REPLICA_GRACE_SECONDS", "30") or 30)
for _database in DATABASES.values():
    if _database["ENGINE"] != "django.db.backends.postgresql":
        continue
    # No JIT compilation for the portal's connections. JIT pays off for long analytical queries; ours are
    # short OLTP queries whose cost *estimates* still cross jit_above_cost on large tables (a passport list
    # scoped with OR over 100,000 passports), and then compiling took ~1 s for ~30 ms of work
    # (benchmarks/README.md). Reports needing JIT can `SET jit = on` in their own session.
    _db_options = _database.setdefault("OPTIONS", {})
    _db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()
    # Web requests (portal/wsgi.py sets PASSBRIDGE_WEB) give up on a lock after DB_LOCK_TIMEOUT_MS and on a
    # statement after DB_STATEMENT_TIMEOUT_MS, and answer 503 (portal.middleware): a table locked for
    # 30 s must not stall every gunicorn worker until it is killed. Workers, beat and migrations keep
    # PostgreSQL's defaults: their long statements are expected.
    if PASSBRIDGE_ENV == "test":
        # The test runner empties tables with TRUNCATE between transactional tests; every other connection
        # finds the audit log refusing TRUNCATE (portal/audit/migrations/0003_refuse_truncate.py).
        _db_options["options"] += " -c passbridge.allow_audit_truncate=on"
    if env_bool("PASSBRIDGE_WEB", False):
        _db_options["options"] += (
            f" -c lock_timeout={int(env('DB_LOCK_TIMEOUT_MS', '5000') or 5000)}"
            f" -c statement_timeout={int(env('DB_STATEMENT_TIMEOUT_MS', '20000') or 20000)}"
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "portal.accounts.throttle.AddressThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if PASSBRIDGE_ENV == "test":
    # A deliberately slow hash costs about a second per test user on these machines; tests need none of it.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Guardian is used only for explicit cross-tenant grants; there is no anonymous guardian user.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Lockout after repeated failed logins: per user name and address (axes), and per address across every
# user name (portal.accounts.throttle, against password spraying; counted in axes' failure log).
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5") or 5)
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.25") or 0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind the TLS proxy every request comes from its address: count the client's (as the audit log does).
AXES_CLIENT_IP_CALLABLE = "portal.audit.context.client_ip"
AXES_ADDRESS_FAILURE_LIMIT = int(env("AXES_ADDRESS_FAILURE_LIMIT", "30") or 30)
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "portal.accounts.views.lockout_response"
AXES_VERBOSE = False
#: Days sign-ins and failed sign-ins are kept (axes' logs), then deleted by a daily task.
SIGN_IN_LOG_DAYS = int(env("SIGN_IN_LOG_DAYS", "90") or 90)

# Two-factor authentication: required for certifiers and authority inspectors in production.
# The embedded default keeps it off so the demo logins work without an authenticator app.
PASSBRIDGE_ENFORCE_2FA = env_bool("ENFORCE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "PassBridge"
# The admin must never show a confirmed device's TOTP seed or QR code (found by the canary crawl): an
# operator who can read a certifier's seed can produce their codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Accept a code for one 30-second step only (django-otp's default tolerance accepts more).
PASSBRIDGE_TOTP_TOLERANCE = 0

# Sessions: inactivity timeout (sliding) and an absolute lifetime.
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_SECONDS", str(60 * 60)) or 3600)
SESSION_SAVE_EVERY_REQUEST = True
PASSBRIDGE_SESSION_ABSOLUTE_SECONDS = int(env("SESSION_ABSOLUTE_SECONDS", str(12 * 60 * 60)) or 43200)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

PASSBRIDGE_INVITATION_MAX_AGE = 7 * 24 * 60 * 60

# --- Internationalisation --------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")) or "")
# Uploaded files (passport documents, evidence, certificate documents) are private: they are served only
# through permission-checked views, never under a public URL. Tests get a fresh temporary directory so
# their files never mix with real ones.
_DEFAULT_PRIVATE_ROOT = "" if PASSBRIDGE_ENV == "test" else str(BASE_DIR / "var" / "private")
PRIVATE_STORAGE_ROOT = Path(
    env("PRIVATE_STORAGE_ROOT", _DEFAULT_PRIVATE_ROOT) or _temporary_dir("pb-private-")
)
STORAGES = {
    "default": {"BACKEND": "portal.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
PASSPORT_DOCUMENT_MAX_BYTES = int(env("PASSPORT_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)) or 10485760)
# Public certificate verification look-ups per client (IP, or signed-in user) and minute, against enumeration.
CERTIFICATE_VERIFY_RATE_PER_MINUTE = int(env("CERTIFICATE_VERIFY_RATE_PER_MINUTE", "30") or 30)
# The certificate registry: rows per CSV/XLSX export, certificates per ZIP (larger requests are asked to
# narrow the filter), open ZIP requests per person, and hours a ready ZIP is kept.
CERTIFICATE_EXPORT_MAX_ROWS = int(env("CERTIFICATE_EXPORT_MAX_ROWS", "10000") or 10000)
CERTIFICATE_BUNDLE_MAX = int(env("CERTIFICATE_BUNDLE_MAX", "500") or 500)
# The largest file one bulk passport import takes (passports.bulk_import): 2 GiB hold 100,000 Catena-X
# documents as JSON lines (about 10 kB each); a million need about 10.2 GB.
PASSPORT_IMPORT_MAX_BYTES = int(env("PASSPORT_IMPORT_MAX_BYTES", str(2 * 1024**3)) or 2 * 1024**3)
CERTIFICATE_BUNDLE_OPEN_PER_USER = 3
CERTIFICATE_BUNDLE_TTL_HOURS = 24
# A certificate PDF uploaded for verification is cut off while it is received beyond this size.
CERTIFICATE_VERIFY_UPLOAD_MAX_BYTES = int(
    env("CERTIFICATE_VERIFY_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)) or 5 * 1024 * 1024
)

# --- E-mail -----------------------------------------------------------------------------------------
EMAIL_BACKEND_NAME = env("EMAIL_BACKEND", "smtp" if PRODUCTION else "console")
_MAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "portal.mail_backends.ReadableConsoleBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}
if EMAIL_BACKEND_NAME not in _MAIL_BACKENDS:
    raise ImproperlyConfigured("EMAIL_BACKEND must be smtp, console or file")
_MAIL_OPTIONS: dict = {}
if EMAIL_BACKEND_NAME == "smtp":
    _MAIL_OPTIONS = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": int(env("EMAIL_PORT", "25") or 25),
        "username": env("EMAIL_HOST_USER", ""),
        "password": env("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        # Implicit TLS (SMTPS, usually port 465), the other way of encrypting the connection.
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": 20,
    }
    if _MAIL_OPTIONS["use_tls"] and _MAIL_OPTIONS["use_ssl"]:
        raise ImproperlyConfigured(
            "EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (port 465) exclude each other"
        )
elif EMAIL_BACKEND_NAME == "file":
    _MAIL_OPTIONS = {"file_path": env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
MAILERS = {"default": {"BACKEND": _MAIL_BACKENDS[EMAIL_BACKEND_NAME], "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PassBridge <no-reply@passbridge.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSBRIDGE_OPERATOR_EMAILS = env_list("OPERATOR_EMAILS", "operators@passbridge.example")

# --- Celery ---------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # named: kombu warns about a memory URL without host
CELERY_RESULT_BACKEND = None
# Without a broker the embedded default runs tasks in-process so one command can demo the portal.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", REDIS_URL is None)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Queueing a task after a commit must not hold the request long when the broker is away: one retry, then
# `portal.enqueue` logs it and the periodic sweeps queue the work again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE: dict = {
    # Passport imports whose task was lost are queued again; uploads past their retention are deleted.
    "passports-sweep-imports": {
        "task": "passports.tasks.sweep_passport_imports",
        "schedule": 15 * 60,
    },
    # Expired sessions and sign-in logs older than SIGN_IN_LOG_DAYS (portal/accounts/tasks.py).
    "accounts-clean-sign-in-records": {
        "task": "portal.accounts.tasks.clean_sign_in_records",
        "schedule": 24 * 60 * 60,
    },
    # Notification e-mails whose task was lost (Redis keeps nothing on disk) are sent by this sweep.
    "notifications-resend-unsent-emails": {
        "task": "portal.notifications.tasks.resend_unsent_notification_emails",
        "schedule": 15 * 60,
    },
    # Hourly rather than daily: a missed run (beat down, Redis restarted) costs an hour, not a day.
    "certification-expire-certificates": {
        "task": "certification.tasks.expire_certificates",
        "schedule": 60 * 60,
    },
    "certification-remind-expiring-certificates": {
        "task": "certification.tasks.remind_expiring_certificates",
        "schedule": 60 * 60,
    },
    # Certificates whose document was lost with a dying worker (or never queued) are rendered again.
    "certification-sweep-certificate-documents": {
        "task": "certification.tasks.sweep_certificate_documents",
        "schedule": 10 * 60,
    },
    # Expired certificate ZIPs are deleted with their files; a ZIP whose worker was lost is queued again.
    "certification-sweep-certificate-bundles": {
        "task": "certification.tasks.sweep_certificate_bundles",
        "schedule": 15 * 60,
    },
    # Uploaded passport documents whose row was rolled back after the file was written (files younger
    # than an hour are left alone: they may belong to an upload in flight).
    "passports-sweep-document-files": {
        "task": "passports.tasks.sweep_document_files",
        "schedule": 60 * 60,
    },
    # PACT events to partner systems whose task was lost (the deliveries themselves retry with back-off).
    "pact-sweep-deliveries": {
        "task": "pact.tasks.sweep_deliveries",
        "schedule": 5 * 60,
    },
    # Decision e-mails to organizations whose task was lost are sent by this sweep.
    "tenancy-resend-lost-decision-emails": {
        "task": "portal.tenancy.tasks.resend_lost_decision_emails",
        "schedule": 5 * 60,
    },
    # The authorities' cube of this year, rebuilt every six hours; a build whose task was lost is re-queued.
    "oversight-scheduled-builds": {
        "task": "oversight.tasks.scheduled_builds",
        "schedule": 6 * 60 * 60,
    },
    # Authority members get one digest of new alerts a day, in the portal and by e-mail.
    "oversight-alert-digest": {
        "task": "oversight.tasks.alert_digest",
        "schedule": 24 * 60 * 60,
    },
}

# matplotlib (the oversight's charts) keeps its font cache here rather than in the user's home.
os.environ.setdefault("MPLCONFIGDIR", str(BASE_DIR / "var" / "matplotlib"))

# --- PACT host system (pact/) ----------------------------------------------------------------------------
#: Lifetime of the bearer tokens `/pact/auth/token` issues, in seconds.
PACT_TOKEN_LIFETIME = int(env("PACT_TOKEN_LIFETIME", "3600") or 3600)
# Unset, these two follow DEBUG when they are read (pact/api.py, pact/services.py): HTTPS is required and
# private callbacks are refused unless DEBUG is on.
if env("PACT_REQUIRE_HTTPS") is not None:
    #: The API answers over HTTPS only (the conformance suite checks it).
    PACT_REQUIRE_HTTPS = env_bool("PACT_REQUIRE_HTTPS", True)
if env("PACT_ALLOW_PRIVATE_CALLBACKS") is not None:
    #: Partner callbacks on private addresses and over plain HTTP (a partner system on the same machine).
    PACT_ALLOW_PRIVATE_CALLBACKS = env_bool("PACT_ALLOW_PRIVATE_CALLBACKS", False)
#: The domain of the portal's urn:pact: identifiers; the first concrete ALLOWED_HOSTS entry when empty.
PACT_URN_DOMAIN = env("PACT_URN_DOMAIN", "") or ""
#: The `source` of the CloudEvents the portal sends; //<urn domain>/pact/3/events when empty.
PACT_EVENT_SOURCE = env("PACT_EVENT_SOURCE", "") or ""

#: The p %-rule's p for the oversight's disclosure control. Never shown or returned: knowing it helps an
#: attacker narrow a suppressed cell.
OVERSIGHT_P_PERCENT = float(env("PASSBRIDGE_OVERSIGHT_P", "15") or 15)
# Rendering and signing PDFs is slow and memory-hungry: its own queue keeps it from delaying e-mails.
#: A worker that starts queues again all unfinished work (portal/resume.py): what a killed worker held
#: comes back within a minute of its return instead of after the visibility timeout.
PASSBRIDGE_RESUME_ON_WORKER_START = env_bool("PASSBRIDGE_RESUME_ON_WORKER_START", True)
CELERY_TASK_ROUTES = {
    "certification.tasks.render_certificate_document": {"queue": "pdf"},
    # A ZIP only copies finished PDFs (no rendering): named here so that a 500-certificate ZIP never sits
    # in front of the rendering of newly issued certificates on the "pdf" queue.
    "certification.tasks.build_certificate_bundle": {"queue": "default"},
    # A bulk import may run for tens of minutes at full CPU: its own queue and workers (scaled out by
    # adding hosts), so that e-mails and PDFs never wait behind it.
    "passports.tasks.run_passport_import": {"queue": "imports"},
}

# --- Platform signing key (certificate PDFs, credentials) ---------------------------------------------
# EC P-256 key, its certificate and the CA chain (PEM). Outside production a development CA and key are
# created on first use; tests get a fresh temporary one per process.
_SIGNING_DIR = (
    Path(_temporary_dir("pb-signing-")) if PASSBRIDGE_ENV == "test" else BASE_DIR / "var" / "signing"
)
PASSBRIDGE_SIGNING_KEY = Path(env("PASSBRIDGE_SIGNING_KEY", str(_SIGNING_DIR / "signing-key.pem")) or "")
PASSBRIDGE_SIGNING_CERT = Path(env("PASSBRIDGE_SIGNING_CERT", str(_SIGNING_DIR / "signing-cert.pem")) or "")
PASSBRIDGE_SIGNING_CA = Path(env("PASSBRIDGE_SIGNING_CA", str(_SIGNING_DIR / "ca-cert.pem")) or "")
PASSBRIDGE_SIGNING_KEY_PASSWORD = env("PASSBRIDGE_SIGNING_KEY_PASSWORD", "") or ""
# Earlier CA certificates (PEM bundle) whose documents still verify after the platform changed its CA.
PASSBRIDGE_SIGNING_EARLIER_CAS = env("PASSBRIDGE_SIGNING_EARLIER_CAS", "") or ""
PASSBRIDGE_SIGNING_CREATE_DEV_CA = not PRODUCTION

# --- REST API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.tenancy.api_permissions.IsActiveMember"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["portal.json_input.SafeJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # drf-spectacular's schema, plus the error answers every operation can give (portal.openapi_errors).
    "DEFAULT_SCHEMA_CLASS": "portal.openapi_errors.ErrorDeclaringAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "auth-token": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PassBridge API",
    "DESCRIPTION": "Battery passports and mutual certification between Catena-X and Ouranos.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # The official Catena-X payload schemas, which the import and export endpoints refer to.
        "passports.openapi.add_battery_pass",
        "passports.openapi.add_pcf",
        "certification.openapi.add_business_partner_certificate",
    ],
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
_REDIS_CACHE = bool(REDIS_URL) and PASSBRIDGE_ENV != "test"
if _REDIS_CACHE:
    # Short socket timeouts: a Redis that hangs costs a request half a second, then the cache answers as
    # empty (portal.cache); the default would wait for the operating system's TCP timeout.
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Its own key space: the same Redis database holds Celery's queues, which clear() must spare.
            "KEY_PREFIX": "passbridge",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
# Rate limits (certificate verification, the token endpoint) must be counted once for all web workers:
# in Redis when there is one (failing open while it is away, portal.cache), otherwise in the database
# (`manage.py createcachetable`, run by `make run` and in deployment), never in per-process memory where
# each gunicorn worker would count on its own. Tests count in memory (one process).
CACHES["ratelimit"] = (
    {**CACHES["default"], "KEY_PREFIX": "ratelimit"}
    if PASSBRIDGE_ENV == "test" or _REDIS_CACHE
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_rate_limits"}
)
# The encoded public passport JSON is kept in the cache until a publication or closure forgets it
# (passports.public_json). Only a cache shared by every process may keep it: with per-process memory a
# write in one worker could not forget another worker's copy. 0 turns it off.
_SHARED_CACHE = "locmem" not in CACHES["default"]["BACKEND"]
PUBLIC_PASSPORT_CACHE_SECONDS = int(env("PUBLIC_PASSPORT_CACHE_SECONDS", "3600" if _SHARED_CACHE else "0"))
# The rendered body of the public passport page is kept under its ETag (passports.public_views.page_body):
# a key never names an outdated body, so any cache, per-process memory included, may keep it. 0 turns it off.
PUBLIC_PAGE_CACHE_SECONDS = int(env("PUBLIC_PAGE_CACHE_SECONDS", "3600"))

# --- Logging: never log request bodies; confidential values must not reach logs. ------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"}},
    # Django logs the path of every 404: an invitation or password-reset link holds its token there.
    "filters": {"secret_paths": {"()": "portal.log_filters.SecretPathFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["secret_paths"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # Eager tasks (the embedded default) would log every run; failures are still logged as errors.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        # WeasyPrint reports every rendering step at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        # pyHanko warns with a whole traceback about every forged or damaged signature; the public PDF
        # verification checks such files by design and says so in its answer.
        "pyhanko.sign.validation": {"level": "ERROR"},
    },
}

# --- Security -------------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy that sets X-Forwarded-For, the audit log records the client's address.
PASSBRIDGE_TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    # Static files are served by WhiteNoise in production; runserver and the test server serve them otherwise.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)) or 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # PACT clients must get the API's own refusal of plain HTTP (no data, no redirect they would follow).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^pact/"]
