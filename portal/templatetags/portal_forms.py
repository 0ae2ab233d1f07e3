"""Template helpers for forms and text shared by every app."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from portal.text import without_final_stop

register = template.Library()


@register.filter
def labelled(error: str, label: str) -> str:
    """An error for the form's error summary, led by its field's label once: messages that already name
    their field ("Manufacturer e-mail address: enter ...", from the passport catalogue) are kept as they
    are rather than getting the label twice."""
    error, label = str(error), str(label)
    if error.lower().startswith(f"{label.lower()}:"):
        return error
    return _("%(label)s: %(error)s") % {"label": label, "error": error}


@register.filter(name="without_final_stop")
def without_final_stop_filter(text: str) -> str:
    return without_final_stop(text)
