"""What the end-of-life app's audit entries say, in the reader's language (registered in
`EndOfLifeConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.audit import labels

ACTIONS = {
    "endoflife.transfer_recorded": _("Transfer recorded"),
    "endoflife.transfer_withdrawn": _("Transfer withdrawn"),
    "endoflife.transfer_received": _("Transfer received"),
    "endoflife.output_recorded": _("Recovered output recorded"),
}


def register() -> None:
    labels.register_actions(ACTIONS)
    # `RecoveredOutput.__str__` is "Recovered output <uuid>"; its verbose name is longer.
    labels.register_object("endoflife.recoveredoutput", kind_words=["Recovered output"])
