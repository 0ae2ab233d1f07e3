"""What certification's audit entries say, in the reader's language (registered in
`CertificationConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.audit import labels

from .documents.download import DOWNLOADED
from .documents.services import RERENDER_REQUESTED

ACTIONS = {
    "application.created": _("Application created"),
    "application.scope_changed": _("Application scope changed"),
    "application.evidence_added": _("Evidence added"),
    "application.evidence_removed": _("Evidence removed"),
    "application.reassigned": _("Application reassigned"),
    # `_move` writes "application.<state moved to>"; an application never moves back to draft.
    "application.submitted": _("Application submitted"),
    "application.in_review": _("Application review started"),
    "application.changes_requested": _("Changes to the application requested"),
    "application.approved": _("Application approved"),
    "application.rejected": _("Application rejected"),
    "application.withdrawn": _("Application withdrawn"),
    "accreditation.granted": _("Accreditation granted"),
    "accreditation.changed": _("Accreditation changed"),
    "accreditation.withdrawn": _("Accreditation withdrawn"),
    "scheme.created": _("Scheme created"),
    "scheme.updated": _("Scheme updated"),
    # `_save_part` and `scheme_parts_save` write "scheme.<standard|criterion>_<added|changed|deleted>".
    "scheme.standard_added": _("Standard added to the scheme"),
    "scheme.standard_changed": _("Scheme standard changed"),
    "scheme.standard_deleted": _("Standard removed from the scheme"),
    "scheme.criterion_added": _("Criterion added to the scheme"),
    "scheme.criterion_changed": _("Scheme criterion changed"),
    "scheme.criterion_deleted": _("Criterion removed from the scheme"),
    # `_event` writes "certificate.issued", then "certificate.<status>" on every change of status.
    "certificate.issued": _("Certificate issued"),
    "certificate.valid": _("Certificate reinstated"),
    "certificate.suspended": _("Certificate suspended"),
    "certificate.revoked": _("Certificate revoked"),
    "certificate.expired": _("Certificate expired"),
    RERENDER_REQUESTED: _("Certificate document re-rendering requested"),
    DOWNLOADED: _("Certificate downloaded"),
}


def register() -> None:
    labels.register_actions(ACTIONS)
