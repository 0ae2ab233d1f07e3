"""Every write of notifications. Other apps call `notify` from their own services.

Notifications are e-mailed, so their text must never carry confidential data (supplier names,
procurement amounts, anything only some audiences may see): say *what happened* and link to the page
where the portal's policies decide what the recipient may see. To make that hard to get wrong, the
context holds plain values only (strings, numbers, dates, lazily translated strings): no model
instance that a template could walk to a confidential relation.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from portal.enqueue import queue_after_commit
from portal.text import StoredTexts

from . import policies
from .links import is_portal_path
from .models import Notification
from .rendering import encode_context, render
from .tasks import send_notification_emails

PLAIN_VALUE_TYPES = (str, int, float, Decimal, datetime.date, Promise, StoredTexts, type(None))
_EVENT = re.compile(r"^[a-z0-9_]+(?:[.-][a-z0-9_]+)*$")
_TEMPLATE = re.compile(r"^[a-z0-9_]+$")


def _check_arguments(*, event: str, template: str, context: dict[str, Any], url: str) -> None:
    # Programming errors of the calling service, not user input: fail loudly.
    if not _EVENT.match(event) or len(event) > Notification._meta.get_field("event").max_length:
        raise ValueError(f"notification event must be a short machine code like 'a.b', not {event!r}")
    if not _TEMPLATE.match(template):
        raise ValueError(f"notification template must be a plain name, not {template!r}")
    for key, value in context.items():
        if not isinstance(value, PLAIN_VALUE_TYPES):
            raise TypeError(
                f"notification context {key!r} is a {type(value).__name__}: pass plain values only "
                "(notifications are e-mailed and must not reach confidential data)"
            )
    if url and (not is_portal_path(url) or len(url) > Notification._meta.get_field("url").max_length):
        raise ValueError(f"notification url must be a relative path inside the portal, not {url!r}")


def _distinct_active(recipients: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    people = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        people.append(user)
    return people


def _language_of(user) -> str:
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def notify(
    *, recipients: Iterable[Any], event: str, template: str, context: dict[str, Any], url: str = ""
) -> list[Notification]:
    """Notify each distinct active recipient in their own language, and e-mail them after commit.

    Renders ``templates/notifications/<template>_title.txt`` and ``_body.txt`` once per language.
    Call it inside the transaction of the change it reports: if that rolls back, nobody is notified.
    """
    _check_arguments(event=event, template=template, context=context, url=url)
    people = _distinct_active(recipients)
    if not people:
        return []
    stored = encode_context(context)
    rendered: dict[str, tuple[str, str]] = {}
    rows = []
    for person in people:
        language = _language_of(person)
        if language not in rendered:
            rendered[language] = render(template, stored, language)
        title, body = rendered[language]
        rows.append(
            Notification(
                recipient=person,
                event=event,
                title=title,
                body=body,
                url=url,
                template=template,
                context=stored,
            )
        )
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        ids = [notification.pk for notification in created]
        queue_after_commit(partial(send_notification_emails.delay, ids), what="notification e-mails")
    return created


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if not policies.can_read(actor, notification):
        raise PermissionDenied
    if notification.read_at is None:
        now = timezone.now()
        # Conditional update: two tabs opening the same notification keep the first reading time.
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor as read; returns how many changed."""
    if not policies.can_have_notifications(actor):
        raise PermissionDenied
    return (
        Notification.objects.restrict(actor, "change")
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
