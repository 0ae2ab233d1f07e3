"""What a certificate covers cannot be deleted while the certificate stands (valid or suspended): the
sites, battery models and passports in the scope of the application it was issued on (or, for a
recognised certificate, on its origin's). Sites and battery models can be archived instead (the refusal
says so)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from passports.models import BatteryModel, Passport
from portal.tenancy.models import Site

from .models import Certificate, CertificateStatus

SCOPE_FIELD = {Site: "sites", BatteryModel: "battery_models", Passport: "passports"}
STANDING = (CertificateStatus.VALID, CertificateStatus.SUSPENDED)
#: What a company retires by archiving instead of deleting (portal.archiving); passports are not archived.
ARCHIVABLE = (Site, BatteryModel)


def certified_scope_guard(obj: models.Model) -> list[str]:
    field = SCOPE_FIELD.get(type(obj))
    if field is None or obj.pk is None:
        return []
    covering = Q(**{f"application__{field}": obj}) | Q(**{f"origin__application__{field}": obj})
    numbers = sorted(
        set(Certificate.objects.filter(covering, status__in=STANDING).values_list("number", flat=True))
    )
    if not numbers:
        return []
    reason = _(
        "it is in the scope of certificate %(numbers)s. Remove it from the scope when the certificate is "
        "renewed, or keep it until the certificate has expired or been revoked."
    ) % {"numbers": ", ".join(numbers)}
    if type(obj) in ARCHIVABLE and obj.archived_at is None:  # an archived one is retired already
        reason = " ".join(
            [reason, _("If you no longer use it, archive it instead: the certificate keeps it.")]
        )
    return [reason]
