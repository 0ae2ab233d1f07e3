from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PactConfig(AppConfig):
    name = "pact"
    verbose_name = _("PACT exchange")

    def ready(self) -> None:
        # The exchange app knows nothing of PACT: outbound events hang on its domain events (see signals.py).
        from . import signals  # noqa: F401
