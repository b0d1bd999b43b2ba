"""Fixtures of the desk's tests: an editor signed in, and a small wire of outlets and articles on
a few topics (the stories tests' own, so any clusterer puts one topic's articles together)."""

import pytest
from django.contrib.auth import get_user_model

from dateline.desk.access import EDITOR_GROUP, grant
from dateline.stories.tests.conftest import Wire


@pytest.fixture
def editor(client):
    """A member of the editor group, signed in on the test client."""
    user = get_user_model().objects.create_user("ed", password="a desk password")
    grant(user, EDITOR_GROUP)
    client.force_login(user)
    return user


@pytest.fixture
def signed_in(client, editor):
    """The test client, signed in as the editor."""
    return client


@pytest.fixture
def wire(db) -> Wire:
    return Wire()
