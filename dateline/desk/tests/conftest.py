"""Fixtures of the desk's tests."""

import pytest
from django.contrib.auth import get_user_model

from dateline.desk.access import EDITOR_GROUP, grant


@pytest.fixture
def editor(client):
    """A member of the editor group, signed in on the test client."""
    user = get_user_model().objects.create_user("ed", password="a desk password")
    grant(user, EDITOR_GROUP)
    client.force_login(user)
    return user
