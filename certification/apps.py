from datetime import timedelta

from django.apps import AppConfig

from portal import resume


class CertificationConfig(AppConfig):
    name = "certification"

    def ready(self) -> None:
        # The certificate document and ZIP models live with their code; importing them registers them.
        # Sites, battery models and passports a standing certificate covers cannot be deleted (409).
        from portal.deletion import register

        from . import audit_labels
        from .bundles import models as _bundle_models  # noqa: F401
        from .deletion_guards import certified_scope_guard
        from .documents import models as _document_models  # noqa: F401

        register(certified_scope_guard)
        resume.register("certificate documents", _resume_documents)
        resume.register("certificate ZIPs", _resume_bundles)
        audit_labels.register()  # the audit log's words for this app's entries (portal/audit/labels.py)


# Work a killed worker left undone, queued again whatever its age when a worker starts (portal/resume.py).
def _resume_documents() -> list[int]:
    from .documents.services import documents_sweep

    return documents_sweep(grace=timedelta(0))


def _resume_bundles() -> dict[str, int]:
    from .bundles.services import bundles_sweep

    return bundles_sweep(stuck_after=timedelta(0))
