"""WSGI entry point of the benchmark server (`gunicorn benchmarks.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

from portal.gc_freeze import FreezeWarmObjects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
# Long-lived objects are kept out of full garbage collections (portal/gc_freeze.py).
application = FreezeWarmObjects(get_wsgi_application())
