from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EndOfLifeConfig(AppConfig):
    name = "endoflife"
    label = "endoflife"
    verbose_name = _("End of life")

    def ready(self) -> None:
        from . import audit_labels

        audit_labels.register()  # the audit log's words for this app's entries (portal/audit/labels.py)
