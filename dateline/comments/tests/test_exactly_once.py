"""Exactly once: the same form sent by racing requests stores one comment; different text from
the same cached page stores two. Real processes on a database file, and on PostgreSQL."""

from tests.support.processes import dateline

SENDERS, ROUNDS = 6, 8

RACE = f"""
import threading
from datetime import timedelta
from django.conf import settings
from django.db import connection
from django.utils import timezone
from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services
from dateline.comments.models import Comment

settings.COMMENT_MODERATION = "none"
settings.COMMENT_RATE_LIMITS = {{}}
post = blog.create_post(headline="Raced", status=PostStatus.PUBLISHED)
failures = []
ids = {{}}

def send(sender, round_, stamp, barrier, body):
    try:
        barrier.wait()
        sent = services.submit(post, author_name="Sam", body=body, honeypot="", stamp=stamp,
                               client_address=f"10.0.{{sender}}.1")
        ids.setdefault(round_, set()).add(sent.comment.pk)
    except Exception as error:
        failures.append(f"{{type(error).__name__}}: {{error}}")
    finally:
        connection.close()

for round_ in range({ROUNDS}):
    stamp = services.form_stamp(timezone.now() - timedelta(minutes=1))
    barrier = threading.Barrier({SENDERS})
    # Every sender posts the same form (a retry, a double click): one comment per round.
    threads = [threading.Thread(target=send, args=(s, round_, stamp, barrier, f"Same {{round_}}"))
               for s in range({SENDERS})]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
# Two readers, one cached page (one stamp), different words: two comments.
stamp = services.form_stamp(timezone.now() - timedelta(minutes=1))
barrier = threading.Barrier(2)
threads = [threading.Thread(target=send, args=(s, "pair", stamp, barrier, f"Reader {{s}}"))
           for s in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("failures", len(failures), failures[:3])
answers = sorted(len(v) for k, v in ids.items() if k != "pair")
print("rows", Comment.objects.count(), "answers", answers, "pair", len(ids.get("pair", ())))
"""


def test_a_raced_form_stores_one_comment(database_env):
    dateline("migrate", "-v", "0", env=database_env)
    out = dateline("shell", "-c", RACE, env=database_env).stdout
    assert "failures 0 []" in out, out
    assert f"rows {ROUNDS + 2} answers {[1] * ROUNDS} pair 2" in out, out
