"""One rule turns sanitised HTML into words, for the wire, the clusterer, the desk and the blog."""

import html

from hypothesis import given
from hypothesis import strategies as st

from dateline.core.markup_text import markup_text
from dateline.core.sanitize import FEED_CONTENT, sanitize_html


def test_blocks_and_line_breaks_keep_their_words_apart():
    assert markup_text("<p>Kyiv</p><p>Moscow</p>") == "Kyiv Moscow"
    assert (
        markup_text("<h2>Update</h2>Talks resumed<br />in Doha") == "Update Talks resumed in Doha"
    )
    assert markup_text("<ul><li>one</li><li>two</li></ul>") == "one two"
    assert markup_text("<table><tr><td>Gaza</td><td>12</td></tr></table>") == "Gaza 12"


def test_inline_tags_do_not_split_a_word():
    assert markup_text("<b>Pal</b>estin<i>ian</i> <a href='x'>talks</a>") == "Palestinian talks"


def test_references_are_decoded_once_and_space_collapsed():
    assert markup_text("AT&amp;T&nbsp;buys   <b>Time</b>\n\n") == "AT&T buys Time"
    # What reads as a reference once decoded stays text: "&amp;lt;" is the four letters "&lt;".
    assert markup_text("&amp;lt;b&amp;gt;") == "&lt;b&gt;"


def test_text_that_looks_like_markup_survives_sanitising_then_reading():
    dirty = '<p title="a>b">3 < 4 and 5 > 2</p><script>alert(1)</script>'
    assert markup_text(sanitize_html(dirty, FEED_CONTENT)) == "3 < 4 and 5 > 2"


def test_nothing_gives_nothing():
    assert markup_text("") == ""
    assert markup_text("<p> </p><br>") == ""


@given(st.text())
def test_any_text_written_out_as_html_reads_back_as_itself(words):
    assert markup_text(html.escape(words)) == " ".join(words.split())
