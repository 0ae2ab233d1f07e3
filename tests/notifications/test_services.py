"""notify(): one row per person in their own language, e-mailed once after commit; marking read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from portal import mail as portal_mail
from portal.notifications import selectors, services, tasks
from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.tenancy.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def language_probe(settings):
    """A template pair (in memory, not shipped) that prints the language active while it renders."""
    probe = "{% load i18n %}{% get_current_language as language %}{{ language }}"
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {
            **engine,
            "APP_DIRS": False,
            "OPTIONS": {
                **engine["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "notifications/language_probe_title.txt": probe,
                            "notifications/language_probe_body.txt": "body " + probe,
                        },
                    ),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]


@pytest.fixture
def rendered_languages(monkeypatch):
    """The language active while each e-mail template is rendered, by template name."""
    seen: dict[str, str] = {}
    original = portal_mail.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        seen[template_name] = translation.get_language()
        return original(template_name, context, *args, **kwargs)

    monkeypatch.setattr(portal_mail, "render_to_string", spy)
    return seen


def _generic(recipients, **overrides):
    arguments = {
        "recipients": recipients,
        "event": "application.submitted",
        "template": "generic",
        "context": {"title": "Application submitted", "body": "Please review it."},
        "url": "/passports/",
    }
    return notify(**{**arguments, **overrides})


class TestNotify:
    def test_one_row_per_distinct_active_recipient(self, admin_a, viewer_a, company_a):
        gone = member(Role.EDITOR, company_a, username="gone")
        gone.is_active = False
        gone.save()

        created = _generic([admin_a, viewer_a, admin_a, gone, None])

        assert [n.recipient for n in created] == [admin_a, viewer_a]
        stored = Notification.objects.get(recipient=admin_a)
        assert stored.event == "application.submitted"
        assert stored.title == "Application submitted"
        assert stored.body == "Please review it."
        assert stored.url == "/passports/"
        assert stored.read_at is None and stored.emailed_at is None
        assert not Notification.objects.filter(recipient=gone).exists()

    def test_nobody_to_notify_creates_nothing(self):
        assert _generic([]) == []
        assert not Notification.objects.exists()

    def test_each_recipient_gets_their_own_language(self, company_a, language_probe):
        people = {
            language: member(Role.VIEWER, company_a, username=f"p-{language}", preferred_language=language)
            for language in ("ja", "de", "en")
        }

        notify(recipients=people.values(), event="probe.rendered", template="language_probe", context={})

        for language, person in people.items():
            notification = Notification.objects.get(recipient=person)
            assert notification.title == language
            assert notification.body == f"body {language}"
        assert translation.get_language() == "en"  # the caller's language is restored

    def test_lazy_strings_in_the_generic_template_are_translated_per_recipient(self, company_a):
        ja = member(Role.VIEWER, company_a, username="ja-user", preferred_language="ja")
        de = member(Role.VIEWER, company_a, username="de-user", preferred_language="de")

        _generic([ja, de], context={"title": gettext_lazy("Dashboard"), "body": gettext_lazy("Japanese")})

        assert Notification.objects.get(recipient=ja).title == "ダッシュボード"
        assert Notification.objects.get(recipient=ja).body == "日本語"
        assert Notification.objects.get(recipient=de).title == "Übersicht"

    def test_title_is_one_line_and_fits(self, admin_a):
        (notification,) = _generic(
            [admin_a], context={"title": "Line one\nline   two " + "x" * 400, "body": ""}
        )

        assert notification.title.startswith("Line one line two x")
        assert len(notification.title) == 300 and notification.title.endswith("…")
        notification.full_clean()

    def test_text_is_stored_unescaped(self, admin_a):
        (notification,) = _generic([admin_a], context={"title": "Müller & Söhne <GmbH>", "body": "a < b"})
        assert notification.title == "Müller & Söhne <GmbH>"
        assert notification.body == "a < b"

    @pytest.mark.parametrize("value", [object(), {"nested": "dict"}, ["list"]])
    def test_context_takes_plain_values_only(self, admin_a, value):
        with pytest.raises(TypeError, match="plain values"):
            _generic([admin_a], context={"title": "t", "body": "b", "thing": value})
        assert not Notification.objects.exists()

    def test_a_model_instance_in_the_context_is_refused(self, admin_a, company_a):
        with pytest.raises(TypeError):
            _generic([admin_a], context={"title": "t", "body": "b", "organization": company_a})

    @pytest.mark.parametrize(
        "url",
        [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example/",
            "javascript:alert(1)",
            "passports/",
            "/\t/evil.example",
            "/passports/\n",
        ],
    )
    def test_url_must_be_a_path_inside_the_portal(self, admin_a, url):
        with pytest.raises(ValueError, match="relative path"):
            _generic([admin_a], url=url)
        assert not Notification.objects.exists()

    def test_database_refuses_an_absolute_url_too(self, admin_a):
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.create(
                recipient=admin_a, event="x.y", title="t", url="https://evil.example/"
            )

    @pytest.mark.parametrize("event", ["", "Application Submitted", "a" * 65, "a..b"])
    def test_event_is_a_short_machine_code(self, admin_a, event):
        with pytest.raises(ValueError):
            _generic([admin_a], event=event)

    @pytest.mark.parametrize("template", ["../base", "generic/x", "Generic"])
    def test_template_is_a_plain_name(self, admin_a, template):
        with pytest.raises(ValueError):
            _generic([admin_a], template=template)


class TestEmail:
    def test_emailed_once_after_commit_even_if_the_task_runs_twice(self, admin_a, on_commit):
        with on_commit() as callbacks:
            (notification,) = _generic([admin_a])
            assert mail.outbox == []  # nothing before the commit
        assert len(callbacks) == 1

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [admin_a.email]
        assert message.subject == "Application submitted"
        assert "Please review it." in message.body
        assert f"{settings.SITE_URL}/notifications/{notification.public_id}/open/" in message.body
        notification.refresh_from_db()
        first_sent = notification.emailed_at
        assert first_sent is not None

        # A redelivery (acks_late) or a manual rerun sends nothing more.
        assert tasks.send_notification_emails.delay([notification.pk]).get() == 0
        assert tasks.send_notification_emails([notification.pk]) == 0
        assert len(mail.outbox) == 1
        notification.refresh_from_db()
        assert notification.emailed_at == first_sent

    def test_one_task_for_all_recipients(self, admin_a, viewer_a, on_commit):
        with on_commit() as callbacks:
            _generic([admin_a, viewer_a])
        assert len(callbacks) == 1
        assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_a.email, viewer_a.email])
        assert not Notification.objects.filter(emailed_at__isnull=True).exists()

    def test_rolled_back_change_notifies_nobody(self, admin_a, on_commit):
        with on_commit(), pytest.raises(RuntimeError), transaction.atomic():
            _generic([admin_a])
            raise RuntimeError("the transition failed")
        assert not Notification.objects.exists()
        assert mail.outbox == []

    def test_email_is_written_in_the_recipients_language(self, company_a, on_commit, rendered_languages):
        ja = member(Role.VIEWER, company_a, username="ja-mail", preferred_language="ja")
        with on_commit():
            _generic([ja], context={"title": gettext_lazy("Dashboard"), "body": ""})

        assert mail.outbox[0].subject == "ダッシュボード"
        assert rendered_languages == {
            "emails/notification_subject.txt": "ja",
            "emails/notification_body.txt": "ja",
        }

    def test_person_deactivated_before_sending_gets_no_email(self, admin_a):
        (notification,) = _generic([admin_a])
        admin_a.is_active = False
        admin_a.save()

        assert tasks.send_notification_emails([notification.pk]) == 0
        assert mail.outbox == []

    def test_sweep_resends_what_was_lost(self, admin_a, viewer_a):
        lost, fresh = _generic([admin_a]), _generic([viewer_a])
        ancient = _generic([admin_a], event="ancient.event")
        Notification.objects.filter(pk=lost[0].pk).update(created_at=timezone.now() - timedelta(hours=1))
        Notification.objects.filter(pk=ancient[0].pk).update(created_at=timezone.now() - timedelta(days=3))

        assert tasks.resend_unsent_notification_emails() == 1
        assert [m.to for m in mail.outbox] == [[admin_a.email]]
        assert Notification.objects.get(pk=lost[0].pk).emailed_at is not None
        assert Notification.objects.get(pk=fresh[0].pk).emailed_at is None
        assert tasks.resend_unsent_notification_emails() == 0  # sent ones are not swept again


class TestMarkRead:
    def test_mark_read_keeps_the_first_reading_time(self, admin_a, send):
        notification = send(admin_a)
        services.notification_mark_read(actor=admin_a, notification=notification)
        first = notification.read_at
        assert first is not None

        services.notification_mark_read(
            actor=admin_a, notification=Notification.objects.get(pk=notification.pk)
        )
        assert Notification.objects.get(pk=notification.pk).read_at == first

    def test_nobody_marks_another_persons_notification(self, admin_a, viewer_a, send):
        notification = send(admin_a)
        with pytest.raises(PermissionDenied):
            services.notification_mark_read(actor=viewer_a, notification=notification)
        assert Notification.objects.get(pk=notification.pk).read_at is None

    def test_mark_all_read_touches_only_the_actors_unread(self, admin_a, viewer_a, send):
        mine = [send(admin_a), send(admin_a)]
        theirs = send(viewer_a)
        services.notification_mark_read(actor=admin_a, notification=mine[0])

        assert services.notifications_mark_all_read(actor=admin_a) == 1
        assert selectors.unread_count(actor=admin_a) == 0
        assert selectors.unread_count(actor=viewer_a) == 1
        assert Notification.objects.get(pk=theirs.pk).read_at is None


class TestSelectors:
    def test_own_notifications_newest_first(self, admin_a, viewer_a, send):
        older, newer = send(admin_a, title="older"), send(admin_a, title="newer")
        send(viewer_a, title="someone else's")

        assert list(selectors.notifications_for(actor=admin_a)) == [newer, older]
        assert selectors.notification_get(actor=viewer_a, public_id=older.public_id) is None
        assert selectors.unread_count(actor=admin_a) == 2

    def test_anonymous_has_none(self, admin_a, send):
        from django.contrib.auth.models import AnonymousUser

        send(admin_a)
        assert not selectors.notifications_for(actor=AnonymousUser()).exists()
        assert selectors.unread_count(actor=AnonymousUser()) == 0
