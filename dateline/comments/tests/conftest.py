import pytest

from dateline.blog import services as blog
from dateline.blog.models import PostStatus


@pytest.fixture
def post():
    return blog.create_post(headline="A published post", status=PostStatus.PUBLISHED)
