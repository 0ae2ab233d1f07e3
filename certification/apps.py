from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"

    def ready(self) -> None:
        # The certificate document and ZIP models live with their code; importing them registers them.
        # Sites, battery models and passports a standing certificate covers cannot be deleted (409).
        from portal.deletion import register

        from .bundles import models as _bundle_models  # noqa: F401
        from .deletion_guards import certified_scope_guard
        from .documents import models as _document_models  # noqa: F401

        register(certified_scope_guard)
