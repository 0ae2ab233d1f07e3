import os

from django.core.wsgi import get_wsgi_application

from portal.gc_freeze import FreezeWarmObjects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Serving web requests: the database connections get lock and statement timeouts (portal/settings.py).
os.environ.setdefault("PASSBRIDGE_WEB", "1")
# Long-lived objects are kept out of full garbage collections (portal/gc_freeze.py).
application = FreezeWarmObjects(get_wsgi_application())
