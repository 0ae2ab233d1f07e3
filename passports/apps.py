from django.apps import AppConfig


class PassportsConfig(AppConfig):
    name = "passports"

    def ready(self) -> None:
        # The bulk import's models live with their code; importing them registers them.
        from .bulk_import import models as _bulk_import_models  # noqa: F401
