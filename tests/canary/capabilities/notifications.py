"""The notifications' canary data: one notification each for company A's administrator and viewer.

Who may see what: a notification is personal. Its title and text reach its recipient (list page, API)
and the operator (read-only admin), nobody else: not another company, and not a colleague of the same
company either (the administrator must not see the viewer's notification, and the other way round).
"""

from __future__ import annotations

from portal.notifications.services import notify

from ..registry import (
    COMPANY_A,
    COMPANY_A_VIEWER,
    OPERATOR,
    Marker,
    ParamValue,
    World,
    new_marker_value,
    register,
)


def notifications_url_kwargs(world: World) -> dict[str, list[ParamValue]]:
    urls = frozenset({"notifications:*", "api:notification-*"})
    return {
        "public_id": [
            ParamValue(
                world.objects["notification_admin"].public_id,
                "company A admin's notification",
                url_names=urls,
            ),
            ParamValue(
                world.objects["notification_viewer"].public_id,
                "company A viewer's notification",
                url_names=urls,
            ),
        ]
    }


@register("notifications", url_kwargs=notifications_url_kwargs)
def plant_notifications(world: World) -> list[Marker]:
    markers = []
    for audience, who in ((COMPANY_A, "admin"), (COMPANY_A_VIEWER, "viewer")):
        title, body = new_marker_value(f"notif-{who}-title"), new_marker_value(f"notif-{who}-body")
        (notification,) = notify(
            recipients=[world.users[audience]],
            event="canary.planted",
            template="generic",
            context={"title": title, "body": body},
            url="/organization/",
        )
        world.objects[f"notification_{who}"] = notification
        seen_by = frozenset({audience, OPERATOR})
        markers += [
            Marker(title, f"title of company A {who}'s notification", seen_by, expect_seen_by=seen_by),
            Marker(body, f"text of company A {who}'s notification", seen_by, expect_seen_by=seen_by),
        ]
    return markers
