"""Mail about comments goes through the outbox to a real SMTP server on loopback."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dateline.comments import notifications, services
from dateline.comments.models import Comment, CommentStatus, OutboxMessage
from dateline.core import jobs
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server


@pytest.fixture
def moderator(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-long-1234")


def send(client, post, **changes):
    data = {
        "author_name": "Sam",
        "body": "Interesting.",
        "website": "",
        "stamp": services.form_stamp(timezone.now() - timedelta(minutes=1)),
        **changes,
    }
    return client.post(reverse("comments:post", args=[post.pk]), data)


def worker_sends(now=None):
    job = next(job for job in jobs.registered() if job.name == "comments.send_mail")
    return job.run(now or timezone.now())


def test_a_held_comment_reaches_moderators_and_waits_out_a_failing_server(
    client, settings, post, smtp, moderator
):
    settings.COMMENT_MODERATION = "all"
    send(client, post)
    smtp.refuse = True
    now = timezone.now()
    assert worker_sends(now) == 1
    message = OutboxMessage.objects.get()
    assert (message.sent_at, message.attempts) == (None, 1)
    assert message.next_attempt_at > now and "451" in message.last_error
    assert worker_sends(now) == 0  # not due again yet: backoff
    smtp.refuse = False
    assert worker_sends(message.next_attempt_at) == 1
    assert OutboxMessage.objects.get().sent_at is not None
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "boss@example.org"
    assert "Interesting." in mail.text()


def test_the_approve_link_works_once(client, settings, post, smtp, moderator):
    settings.COMMENT_MODERATION = "all"
    send(client, post)
    worker_sends()
    text = smtp.messages[0].text()
    approve = re.search(r"Approve: http://testserver(\S+)", text).group(1)
    comment = Comment.objects.get()
    # Opening the link (a mail scanner may) changes nothing; the button does.
    assert client.get(approve).status_code == 200
    assert Comment.objects.get().status == CommentStatus.PENDING
    assert client.post(approve).status_code == 200
    assert Comment.objects.get(pk=comment.pk).status == CommentStatus.APPROVED
    again = client.post(approve)
    assert again.status_code == 400 and "already used" in again.content.decode()
    forged = client.post(approve[:-3] + "abc/")
    assert forged.status_code == 400


def test_subscribers_get_replies_and_can_stop_them(client, settings, post, smtp):
    settings.COMMENT_MODERATION = "none"
    send(client, post, author_name="Ann", email="ann@example.org", notify="on")
    first = Comment.objects.get()
    send(client, post, author_name="Bo", body="A reply.", parent=str(first.pk))
    worker_sends()
    assert [m["To"] for m in smtp.messages] == ["ann@example.org"]
    text = smtp.messages[0].text()
    assert "A reply." in text
    stop = re.search(r"replies to this comment: http://testserver(\S+)", text).group(1)
    assert client.post(stop).status_code == 200
    assert Comment.objects.get(pk=first.pk).notify_replies is False
    send(client, post, author_name="Cy", body="Another reply.", parent=str(first.pk))
    assert OutboxMessage.objects.count() == 1  # nothing new for Ann


def test_recorded_comments_send_no_mail(settings, post, moderator):
    services.record(post, author_name="Imported", body="Old", status="pending")
    assert not OutboxMessage.objects.exists()


def test_backoff_grows_and_is_capped():
    delays = [notifications.backoff(n) for n in (1, 2, 3, 20)]
    assert delays[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert delays[3] == notifications.MAX_DELAY
