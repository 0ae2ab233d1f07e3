"""What the supplier data exchange's audit entries say, in the reader's language (registered in
`ExchangeConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.audit import labels

ACTIONS = {
    "exchange.part_created": _("Part created"),
    "exchange.part_changed": _("Part changed"),
    "exchange.supplier_linked": _("Supplier linked to the part"),
    # Also written by the PACT app when a partner's request arrives (details say "via": "PACT").
    "exchange.request_sent": _("Data request sent"),
    "exchange.request_cancelled": _("Data request cancelled"),
    "exchange.request_sent_back": _("Data request sent back"),
    "exchange.answer_released": _("Answer released"),
    "exchange.answer_corrected": _("Answer corrected"),
    "exchange.battery_model_filled": _("Battery model filled from suppliers' answers"),
}


def register() -> None:
    labels.register_actions(ACTIONS)
