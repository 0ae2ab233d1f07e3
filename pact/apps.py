from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PactConfig(AppConfig):
    name = "pact"
    verbose_name = _("PACT exchange")

    def ready(self) -> None:
        # The exchange app knows nothing of PACT: outbound events hang on its domain events (see signals.py).
        from . import audit_labels, signals  # noqa: F401

        audit_labels.register()  # the audit log's words for this app's entries (portal/audit/labels.py)
