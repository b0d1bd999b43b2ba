"""Every public page type passes the Nu Html Checker with no errors."""

from __future__ import annotations

import pytest
from django.template import loader

from dateline.blog.tests.public_site import build_public_site
from tests.support import nu_checker

pytestmark = pytest.mark.django_db


def test_every_public_page_passes_the_nu_html_checker(client, tmp_path):
    reason = nu_checker.missing()
    if reason:
        pytest.fail(f"the Nu Html Checker cannot run: {reason}")
    site = build_public_site()
    pages = {}
    for name, path in site.pages.items():
        response = client.get(path)
        assert response.status_code == (404 if name == "not-found" else 200), name
        pages[name] = response.content
    # The static page for errors nobody planned for, and search before anything is asked.
    pages["server-error"] = loader.render_to_string("500.html").encode()
    pages["search-form"] = client.get("/search/").content
    problems = nu_checker.errors(pages, tmp_path)
    assert not problems, "\n".join(str(problem) for problem in problems)
