"""What the passports' audit entries say, in the reader's language (registered in `PassportsConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.audit import labels

ACTIONS = {
    "battery_model.created": _("Battery model created"),
    "battery_model.updated": _("Battery model updated"),
    "battery_model.deleted": _("Battery model deleted"),
    "battery_model.archived": _("Battery model archived"),
    "battery_model.restored": _("Battery model restored"),
    "supply_chain.replaced": _("Supply chain replaced"),
    "passport.created": _("Passport created"),
    "passport.draft_saved": _("Passport draft saved"),
    "passport.published": _("Passport published"),
    "passport.deleted": _("Passport deleted"),
    "passport.imported": _("Passport imported"),
    "passport.recycled": _("Passport closed after recycling"),
    "passport.status_changed": _("Passport status changed"),
    "passport.dynamic_data_added": _("Dynamic data added"),
    "grant.legitimate_interest_given": _("Legitimate-interest access granted"),
    "grant.legitimate_interest_revoked": _("Legitimate-interest access revoked"),
    "document.uploaded": _("Document uploaded"),
    "document.deleted": _("Document deleted"),
    "document.downloaded": _("Document downloaded"),
    # `restricted_read_record` names the code after the model read (`_meta.model_name`).
    "passport.read_restricted": _("Restricted passport data viewed"),
    "batterymodel.read_restricted": _("Restricted battery model data viewed"),
}


def register() -> None:
    labels.register_actions(ACTIONS)
    # `PassportDocument.__str__` is "Document <uuid>", shorter than its verbose name "passport document".
    labels.register_object("passports.passportdocument", kind_words=["Document"])
