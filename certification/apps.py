from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"

    def ready(self) -> None:
        # The certificate document model lives with its rendering code; importing it registers it.
        from .documents import models as _document_models  # noqa: F401
