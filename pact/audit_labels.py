"""What the PACT exchange's audit entries say, in the reader's language (registered in `PactConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.audit import labels

ACTIONS = {
    "pact.client_created": _("PACT client created"),
    "pact.client_updated": _("PACT client updated"),
    "pact.client_revoked": _("PACT client revoked"),
}


def register() -> None:
    labels.register_actions(ACTIONS)
