from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = _("Supplier data exchange")

    def ready(self) -> None:
        from . import audit_labels

        audit_labels.register()  # the audit log's words for this app's entries (portal/audit/labels.py)
