from datetime import timedelta
from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "portal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from portal import resume

        from .tasks import unsent_emails_enqueue

        # E-mails a killed worker did not send go out when a worker starts again (portal/resume.py).
        resume.register("notification e-mails", partial(unsent_emails_enqueue, grace=timedelta(0)))
