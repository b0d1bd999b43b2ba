"""How a comment's name is drawn in real Chromium, next to the time it was sent."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext

from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Right-to-left names, one honest and one with an override character that never ends.
NAMES = ["محمد", "\u202eevil"]


def test_a_right_to_left_name_does_not_reorder_the_time_after_it(chromium, live_server):
    post = blog.create_post(headline="A published post", status=PostStatus.PUBLISHED)
    for name in NAMES:
        services.record(post, author_name=name, body="A comment.", status="approved")

    def browse(context: BrowserContext) -> list[dict[str, float]]:
        page = context.new_page()
        page.goto(live_server.url + post.get_absolute_url(), wait_until="load")
        # Unisolated, the bidi algorithm draws the time's digits before the Arabic name (or,
        # after an override, the whole time backwards): the time then spans several boxes or
        # starts left of the name.
        return page.locator(".comment-meta").evaluate_all(
            """metas => metas.map(meta => {
                const name = meta.querySelector("strong").getBoundingClientRect();
                const time = meta.querySelector("time");
                const range = document.createRange();
                range.selectNodeContents(time);
                return {
                    boxes: range.getClientRects().length,
                    gap: time.getBoundingClientRect().left - name.right,
                };
            })"""
        )

    metas = chromium.run(browse)
    assert len(metas) == len(NAMES)
    for meta in metas:
        assert meta["boxes"] == 1, meta
        assert meta["gap"] >= 0, meta
