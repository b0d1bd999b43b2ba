"""Allow-listed embeds (YouTube, Vimeo, X posts) survive the post-body policy as safe markup;
everything else is stripped, and the feed-content policy keeps dropping every iframe."""

from __future__ import annotations

import pytest

from dateline.blog.sanitising import clean_post_html
from dateline.core.sanitize import FEED_CONTENT, sanitize_html

YOUTUBE = (
    '<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" '
    'title="YouTube video player" frameborder="0" allow="accelerometer; autoplay" '
    'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>'
)
VIMEO = (
    '<iframe src="https://player.vimeo.com/video/76979871?h=8272103f6e" width="640" '
    'height="360" frameborder="0" allow="autoplay; fullscreen" allowfullscreen></iframe>'
)
X_POST = (
    '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Polls close at 8pm.</p>'
    '&mdash; Election Desk (@desk) <a href="https://twitter.com/desk/status/123">'
    'March 30, 2016</a></blockquote> <script async src="https://platform.twitter.com/widgets.js" '
    'charset="utf-8"></script>'
)


def test_youtube_and_vimeo_players_survive_without_their_extras():
    youtube = clean_post_html(YOUTUBE)
    assert 'src="https://www.youtube.com/embed/dQw4w9WgXcQ"' in youtube
    assert 'title="YouTube video player"' in youtube and "allowfullscreen" in youtube
    assert "allow=" not in youtube.replace("allowfullscreen", "")
    vimeo = clean_post_html(VIMEO)
    assert 'src="https://player.vimeo.com/video/76979871?h=8272103f6e"' in vimeo


def test_an_x_post_keeps_its_quote_and_link_and_loses_the_script():
    cleaned = clean_post_html(X_POST)
    assert cleaned.startswith('<blockquote class="twitter-tweet">')
    assert 'href="https://twitter.com/desk/status/123"' in cleaned
    assert "Polls close at 8pm." in cleaned
    assert "<script" not in cleaned and "widgets.js" not in cleaned


@pytest.mark.parametrize(
    "hostile",
    [
        '<iframe src="https://evil.example/embed/1"></iframe>',
        '<iframe src="https://www.youtube.com.evil.example/embed/1"></iframe>',
        '<iframe src="javascript:alert(1)"></iframe>',
        '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
        '<iframe src="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
        '<iframe width="9" height="9">fallback</iframe>',
    ],
)
def test_any_other_iframe_goes_whole(hostile):
    cleaned = clean_post_html(f"<p>Before</p>{hostile}<p>after</p>")
    assert cleaned == "<p>Before</p><p>after</p>"


def test_event_handlers_and_classes_off_the_list_are_stripped_from_embeds():
    cleaned = clean_post_html(
        '<iframe src="https://www.youtube.com/embed/x" onload="steal()" style="position:fixed">'
        '</iframe><blockquote class="twitter-tweet attack" onclick="x()">q</blockquote>'
    )
    assert "onload" not in cleaned and "style" not in cleaned and "onclick" not in cleaned
    assert 'src="https://www.youtube.com/embed/x"' in cleaned
    assert "<blockquote>q</blockquote>" in cleaned


@pytest.mark.parametrize("embed", [YOUTUBE, VIMEO])
def test_feed_content_still_drops_every_iframe(embed):
    assert sanitize_html(f"<p>Watch</p>{embed}", FEED_CONTENT) == "<p>Watch</p>"
    assert sanitize_html(X_POST, FEED_CONTENT).startswith("<blockquote><p")
