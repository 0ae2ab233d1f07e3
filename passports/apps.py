from datetime import timedelta

from django.apps import AppConfig

from portal import resume


class PassportsConfig(AppConfig):
    name = "passports"

    def ready(self) -> None:
        # The bulk import's models live with their code; importing them registers them.
        from . import audit_labels
        from .bulk_import import models as _bulk_import_models  # noqa: F401

        resume.register("passport imports", _resume_imports)
        audit_labels.register()  # the audit log's words for this app's entries (portal/audit/labels.py)


def _resume_imports() -> dict[str, int]:
    """Imports a killed worker left undone, queued again when a worker starts (portal/resume.py)."""
    from .bulk_import.services import imports_sweep

    return imports_sweep(stuck_after=timedelta(0))
