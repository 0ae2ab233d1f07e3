"""The real Celery worker fixture lives in tests/live_worker.py (a plugin of the root conftest)."""
