"""What the accounts' audit entries say, in the reader's language (registered in `AccountsConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.audit import labels

ACTIONS = {
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "two_factor.enabled": _("Two-factor authentication turned on"),
    "two_factor.disabled": _("Two-factor authentication turned off"),
}


def register() -> None:
    labels.register_actions(ACTIONS)
