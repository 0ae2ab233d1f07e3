"""Settings of the benchmark server: the portal's own, plus the two baseline views of `benchmarks.urls`.

The runner sets PASSBRIDGE_ENV=development with DEBUG=0 and a SECRET_KEY: production mode would force
HTTPS redirects on a plain-HTTP 127.0.0.1 server. The database comes from DATABASE_URL, as for the portal
(the runner points it at a separate benchmark database, never a test database).
"""

import os

from portal.settings import *  # noqa: F403

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    # 100,000 passports belong in PostgreSQL; the embedded SQLite default would measure something else.
    raise ImproperlyConfigured("The benchmark needs DATABASE_URL pointing at a PostgreSQL database")  # noqa: F405

ROOT_URLCONF = "benchmarks.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# The cache shared by both workers (`run.py --cache-url`, by default Redis database 8), as production has
# one. Celery stays eager either way, so the import benchmark runs in-process and queues nothing.
if os.environ.get("BENCH_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": os.environ["BENCH_CACHE_URL"],
            "KEY_PREFIX": "pb_bench",
        }
    }
    PUBLIC_PASSPORT_CACHE_SECONDS = 3600  # a shared cache: the portal keeps public JSON documents there

# `run.py --pgoptions` (diagnosis runs): libpq ignores PGOPTIONS once the settings pass their own `options`
# (the portal turns JIT off there), so the extra session settings are appended to them.
if os.environ.get("PGOPTIONS"):
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _db_options["options"] = f"{_db_options.get('options', '')} {os.environ['PGOPTIONS']}".strip()

# The benchmark server is plain HTTP on 127.0.0.1 and the PACT API refuses plain HTTP unless told otherwise
# (`benchmarks/pact.py` measures it); production keeps requiring HTTPS.
PACT_REQUIRE_HTTPS = False
