import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Serving web requests: the database connections get lock and statement timeouts (portal/settings.py).
os.environ.setdefault("PASSBRIDGE_WEB", "1")
application = get_wsgi_application()
