"""What the oversight's audit entries say, in the reader's language (registered in
`OversightConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.audit import labels

ACTIONS = {
    "oversight.read": _("Oversight figures viewed"),
}


def register() -> None:
    labels.register_actions(ACTIONS)
