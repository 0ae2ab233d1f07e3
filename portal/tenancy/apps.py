from datetime import timedelta
from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "portal.tenancy"
    label = "tenancy"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from portal import resume

        from . import audit_labels
        from .tasks import decision_emails_enqueue

        # Decision e-mails a killed worker did not send go out when a worker starts (portal/resume.py).
        resume.register("decision e-mails", partial(decision_emails_enqueue, grace=timedelta(0)))
        audit_labels.register()  # the audit log's words for this app's entries (portal/audit/labels.py)
