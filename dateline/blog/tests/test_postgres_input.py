"""Hostile addresses against a real PostgreSQL database, which refuses what SQLite takes (a NUL
byte in a query is a DataError there, so an unchecked one is a 500)."""

from __future__ import annotations

import json

import pytest

from tests.support.postgres import fresh_database
from tests.support.processes import dateline, isolated_env

pytestmark = pytest.mark.postgres

SEED = """
from dateline.blog import services
services.create_post(headline="Quake hits town", status="published", labels=["Syria"])
"""

# Each address asked through Django's test client inside `dateline shell`, so the request runs
# the whole middleware and URL stack against the PostgreSQL settings.
ASK = """
import json
from django.test import Client
client = Client(raise_request_exception=False, HTTP_HOST="localhost")
print(json.dumps({{path: client.get(path).status_code for path in {paths!r}}}))
"""


@pytest.fixture(scope="module")
def site_env(postgres_server_url, tmp_path_factory):
    with fresh_database(postgres_server_url) as url:
        env = isolated_env(tmp_path_factory.mktemp("site"), DATELINE_DATABASE_URL=url)
        dateline("migrate", "-v", "0", env=env)
        dateline("shell", "-c", SEED, env=env)
        yield env


def statuses(env, paths: list[str]) -> dict[str, int]:
    output = dateline("shell", "-c", ASK.format(paths=paths), env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_a_nul_byte_in_a_label_address_is_not_found(site_env):
    paths = [
        "/label/%00/",
        "/label/syr%00ia/page/2/",
        "/label/%00/atom.xml",
        "/label/%00/rss.xml",
        "/label/%00/feed.json",
    ]
    answers = statuses(site_env, [*paths, "/label/syria/"])
    assert answers == {**dict.fromkeys(paths, 404), "/label/syria/": 200}


# The same, with a session cookie Django never wrote: the session lookup reached the database.
ASK_WITH_COOKIE = """
import json
from django.test import Client
from dateline.blog.models import Post
client = Client(raise_request_exception=False, HTTP_HOST="localhost")
client.cookies["sessionid"] = {cookie!r}
paths = ["/", Post.objects.get().get_absolute_url(), "/desk/"]
print(json.dumps([client.get(path).status_code for path in paths]))
"""


def test_a_session_cookie_holding_a_nul_byte_is_no_session(site_env):
    ask = ASK_WITH_COOKIE.format(cookie="\x00" * 32)
    output = dateline("shell", "-c", ask, env=site_env).stdout
    assert json.loads(output.strip().splitlines()[-1]) == [200, 200, 302]
