"""A summary is kept to its first SUMMARY_MAX_CHARS characters, cut where no markup breaks."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from dateline.wire.domain.text import cut_markup
from dateline.wire.pipeline.parse import SUMMARY_MAX_CHARS, read_document, sanitised
from dateline.wire.tests.feedfactory import Item, rss

VOID = {"br", "img", "hr", "wbr", "source", "track", "col", "area"}


class _Balance(HTMLParser):
    """Fails on an end tag that closes nothing open; leaves what is still open in `open`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        pass  # <br />: opens nothing

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()


def assert_balanced(markup: str) -> None:
    checker = _Balance()
    checker.feed(markup)
    checker.close()
    assert checker.open == []


def _rss_with_content(summary: str, content: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
        "<link>https://n.example/</link><item><guid>g</guid><title>Big</title>"
        f"<link>https://n.example/a</link><description>{html.escape(summary)}</description>"
        f"<content:encoded>{html.escape(content)}</content:encoded></item></channel></rss>"
    ).encode()


PARAGRAPH = '<p>Talks <b>resume</b> in <a href="/geneva">Geneva</a> &amp; Bern.<br></p>'


def test_a_huge_summary_beside_the_content_is_cut_to_the_cap_and_stays_well_formed():
    summary = "<div>" + PARAGRAPH * 20_000 + "</div>"  # about 1.4 MB, one open <div> at the cut
    document = read_document(_rss_with_content(summary, "<p>The whole article.</p>"))
    (candidate,) = document.candidates
    assert len(candidate.summary) <= SUMMARY_MAX_CHARS
    assert candidate.content == "<p>The whole article.</p>"
    stored = sanitised(candidate).summary
    # Links made absolute lengthen it; what it holds is the start of the feed's summary.
    assert 0.9 * SUMMARY_MAX_CHARS < len(stored) < 1.5 * SUMMARY_MAX_CHARS
    assert stored.startswith("<div><p>Talks <b>resume</b>")
    assert_balanced(stored)


def test_a_long_summary_with_no_content_is_the_article_and_is_kept_whole():
    # Feeds that carry whole posts in RSS's <description> alone: five of the 200 real feeds have
    # such entries over 50,000 characters, up to 190,000.
    summary = "<div>" + PARAGRAPH * 2_000 + "</div>"
    document = read_document(rss([Item("g", "Long read", "https://n.example/a", summary=summary)]))
    assert document.candidates[0].summary == summary


def test_a_summary_under_the_cap_is_kept_whole():
    summary = "<p>" + "word " * 1000 + "</p>"
    document = read_document(_rss_with_content(summary, "<p>More.</p>"))
    assert document.candidates[0].summary == summary


def test_the_cut_never_falls_inside_a_tag_or_a_reference():
    assert cut_markup('<p>one two <a href="/x">three</a></p>', 16) == "<p>one two …"
    assert cut_markup("<p>fish &amp; chips</p>", 12) == "<p>fish …"
    assert cut_markup("<p>caf&#233; au lait</p>", 10) == "<p>caf…"
    assert cut_markup("short", 10) == "short"
    escaped = html.escape("Tom & Jerry <3 " * 10)
    assert "&" not in cut_markup(escaped, 23)[-6:].replace("&amp;", "").replace("&lt;", "")
