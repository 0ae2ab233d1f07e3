"""The notification API: own notifications only, unread filter, marking read, in the OpenAPI schema."""

from __future__ import annotations

import pytest

from portal.notifications.models import Notification

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
READ_ALL = "/api/v1/notifications/read-all/"


def _read(notification) -> str:
    return f"/api/v1/notifications/{notification.public_id}/read/"


class TestList:
    def test_own_notifications_newest_first(self, token_client, admin_a, admin_b, send):
        older = send(admin_a, title="Older", url="/passports/")
        newer = send(admin_a, title="Newer")
        send(admin_b, title="Company B's")

        response = token_client(admin_a).get(LIST)

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert [row["id"] for row in body["results"]] == [str(newer.public_id), str(older.public_id)]
        assert body["results"][1] == {
            "id": str(older.public_id),
            "event": "application.submitted",
            "title": "Older",
            "body": "Please review it.",
            "url": "/passports/",
            "created_at": body["results"][1]["created_at"],
            "read_at": None,
            "is_read": False,
        }

    def test_unread_filter(self, token_client, admin_a, send):
        read, unread = send(admin_a, title="Read"), send(admin_a, title="Unread")
        Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
        client = token_client(admin_a)

        only_unread = client.get(LIST, {"unread": "true"}).json()["results"]
        only_read = client.get(LIST, {"unread": "false"}).json()["results"]

        assert [row["id"] for row in only_unread] == [str(unread.public_id)]
        assert [row["id"] for row in only_read] == [str(read.public_id)]
        assert client.get(LIST, {"unread": "perhaps"}).status_code == 400

    def test_paginated(self, token_client, admin_a, send):
        for index in range(3):
            send(admin_a, title=f"n{index}")
        body = token_client(admin_a).get(LIST, {"page_size": 2}).json()
        assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]

    def test_anonymous_is_refused(self, api_client):
        assert api_client.get(LIST).status_code in (401, 403)
        assert api_client.post(READ_ALL).status_code in (401, 403)

    def test_operator_without_membership_has_notifications(self, api_client, operator, send):
        send(operator, title="For the operator")
        api_client.force_authenticate(operator)
        assert [row["title"] for row in api_client.get(LIST).json()["results"]] == ["For the operator"]


class TestRead:
    def test_marks_read(self, token_client, admin_a, send):
        notification = send(admin_a)

        response = token_client(admin_a).post(_read(notification))

        assert response.status_code == 200
        assert response.json()["is_read"] is True and response.json()["read_at"]
        assert Notification.objects.get(pk=notification.pk).read_at is not None

    def test_someone_elses_notification_is_404(self, token_client, admin_a, admin_b, viewer_a, send):
        notification = send(admin_a)
        for other in (admin_b, viewer_a):
            response = token_client(other).post(_read(notification))
            assert response.status_code == 404
            assert response.json() == {"detail": "Not found."}
        assert Notification.objects.get(pk=notification.pk).read_at is None

    def test_get_is_not_allowed(self, token_client, admin_a, send):
        notification = send(admin_a)
        assert token_client(admin_a).get(_read(notification)).status_code == 405
        assert Notification.objects.get(pk=notification.pk).read_at is None


class TestReadAll:
    def test_marks_own_unread_only(self, token_client, admin_a, viewer_a, send):
        send(admin_a)
        send(admin_a)
        theirs = send(viewer_a)

        response = token_client(admin_a).post(READ_ALL)

        assert response.status_code == 200 and response.json() == {"marked": 2}
        assert token_client(admin_a).post(READ_ALL).json() == {"marked": 0}
        assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_documented_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]

    list_operation = paths["/api/v1/notifications/"]["get"]
    assert list_operation["tags"] == ["notifications"]
    assert "unread" in {parameter["name"] for parameter in list_operation["parameters"]}
    assert set(paths["/api/v1/notifications/{public_id}/read/"]) == {"post"}
    assert set(paths["/api/v1/notifications/read-all/"]) == {"post"}
