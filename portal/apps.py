from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "PassBridge portal"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 - registers the deployment checks
            resume,  # noqa: F401 - resumes lost work when a worker starts
        )
