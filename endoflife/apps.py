from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EndOfLifeConfig(AppConfig):
    name = "endoflife"
    label = "endoflife"
    verbose_name = _("End of life")
