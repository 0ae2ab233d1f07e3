"""The certification body's need-to-know access while it reviews an application.

While a review is open, the body's organization group holds `review_application` on the application and
`view_confidential_*` on the battery models and passports in scope, so the passport policy (which knows
nothing about certification) lets the reviewer see the confidential supply chain. Closing the review
removes them, except where another open review of the same body still covers the same object.
"""

from __future__ import annotations

from django.db.models import Model
from guardian.shortcuts import assign_perm, remove_perm

from portal.tenancy.groups import organization_group

from ..models import REVIEW_APPLICATION, REVIEW_STATES, Application


def _scope_objects(application: Application) -> list[Model]:
    return [*application.battery_models.all(), *application.passports.all()]


def _confidential_perm(obj: Model) -> str:
    return f"{obj._meta.app_label}.view_confidential_{obj._meta.model_name}"


def open_review_access(application: Application) -> None:
    group = organization_group(application.body)
    assign_perm(f"certification.{REVIEW_APPLICATION}", group, application)
    for obj in _scope_objects(application):
        assign_perm(_confidential_perm(obj), group, obj)


def close_review_access(application: Application) -> None:
    group = organization_group(application.body)
    remove_perm(f"certification.{REVIEW_APPLICATION}", group, application)
    other_reviews = Application.objects.filter(body=application.body, state__in=REVIEW_STATES).exclude(
        pk=application.pk
    )
    still_needed = {
        *(("batterymodel", pk) for pk in other_reviews.values_list("battery_models", flat=True) if pk),
        *(("passport", pk) for pk in other_reviews.values_list("passports", flat=True) if pk),
    }
    for obj in _scope_objects(application):
        if (obj._meta.model_name, obj.pk) not in still_needed:
            remove_perm(_confidential_perm(obj), group, obj)
