"""Hardening (issue #22): each item's reproduction, over HTTP and the CLI, against behaviour.

Items are grouped under a comment naming their number; other items live in their own groups.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services as comments


# Item 12: a comment body with a NUL byte answered "Please check the fields below." with no field
# error and echoed the NUL into the retry page. Say which field and why; never echo controls.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "label"), [("body", "Comment"), ("author_name", "Name"), ("email", "Email")]
)
def test_a_nul_byte_names_its_field_and_is_never_echoed(client, field, label):
    post = blog.create_post(headline="A published post", status=PostStatus.PUBLISHED)
    fields = {
        "author_name": "Sam",
        "email": "",
        "body": "Interesting point.",
        "website": "",
        "stamp": comments.form_stamp(timezone.now() - timedelta(minutes=1)),
    }
    fields[field] = "Before\x00after\x01"
    answer = client.post(f"/comments/post/{post.pk}/", fields)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Please check the fields below." not in page
    assert f"<strong>{label}:</strong>" in page and "NUL character" in page
    assert "\x00" not in page and "\x01" not in page
    assert "Beforeafter" in page  # what the reader typed is kept, less the control characters
    assert 'aria-invalid="true"' in page
    assert not post.comments.exists()
