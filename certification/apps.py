from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"

    def ready(self) -> None:
        # The certificate document and ZIP models live with their code; importing them registers them.
        from .bundles import models as _bundle_models  # noqa: F401
        from .documents import models as _document_models  # noqa: F401
