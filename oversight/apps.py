from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Mineral-flow oversight")

    def ready(self) -> None:
        # The end-of-life app knows nothing of oversight: transfer alerts hang on its domain events.
        from . import audit_labels, receivers  # noqa: F401

        audit_labels.register()  # the audit log's words for this app's entries (portal/audit/labels.py)
