"""The shared sanitiser: escapes in text kept as written, and never a way around it."""

from __future__ import annotations

import pytest

from dateline.core.sanitize import COMMENT, FEED_CONTENT, MAX_NESTING, POST_BODY, sanitize_html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<b>&#38;</b>", "<b>&#38;</b>"),
        ("<b>&#x26;</b>", "<b>&#x26;</b>"),
        ("<p>&#X26;</p>", "<p>&#x26;</p>"),
        ("<p>&#8217; and &#146;</p>", "<p>\u2019 and \u2019</p>"),  # others: the characters
        ("don&#146;t &#X61;", "don&#x2019;t &#x61;"),  # no tags: all kept, in the usual form
        ("<p>&#60;script&#62;</p>", "<p>&#60;script&#62;</p>"),  # text, shown as text
    ],
)
def test_character_references_in_text_are_kept_as_written(html: str, expected: str) -> None:
    assert sanitize_html(html, FEED_CONTENT) == expected


@pytest.mark.parametrize("policy", [FEED_CONTENT, POST_BODY, COMMENT])
@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript&#58;alert(1)">x</a>',
        '<a href="java&#x73;cript:alert(1)">x &#38;</a>',
        '<a title="a>b &#38;" href="javascript&#58;x">t &#38;</a>',  # a ">" inside a value
        '<img src="x" onerror="&#97;lert(1)">&#38;',
        "<script>&#97;lert(1)</script>&#38;",
        "<p>dtlref0z &#38;</p>",  # the marker's own spelling in the input
    ],
)
def test_kept_references_never_carry_script_through(policy: object, html: str) -> None:
    cleaned = sanitize_html(html, policy)  # type: ignore[arg-type]
    lowered = cleaned.lower()
    assert "javascript" not in lowered and "onerror" not in lowered and "script" not in lowered
    assert "dtlref" not in cleaned or "dtlref0z" in html


def test_a_reference_the_quick_split_misplaced_is_cleaned_as_usual() -> None:
    # The ">" inside the title fools the split; the fragment is then cleaned without markers.
    assert (
        sanitize_html('<a title="a>b &#38;">t</a>', FEED_CONTENT) == '<a title="a&gt;b &amp;">t</a>'
    )


def test_elements_nested_past_the_limit_are_unwrapped_keeping_their_text() -> None:
    # Unclosed, nested elements cost the tree builder N²: a few MB of "<div>" took hours.
    deep = "<div>" * 3000 + "<p>deep text</p>" + "</div>" * 3000 + "<p>after</p>"
    cleaned = sanitize_html(deep, POST_BODY)
    assert cleaned.count("<div>") == cleaned.count("</div>") == MAX_NESTING
    assert cleaned.endswith("deep text</p>" + "</div>" * MAX_NESTING + "<p>after</p>")


def test_stray_end_tags_do_not_hide_how_deep_elements_pile_up() -> None:
    # "</i>" closes nothing here (no <i> is open), so the <b>s nest as deep as they come.
    cleaned = sanitize_html("<b></i>" * 3000 + "x", FEED_CONTENT)
    assert cleaned.count("<b>") == MAX_NESTING


def test_deep_nesting_in_any_case_behind_thousands_of_flat_tags_is_unwrapped() -> None:
    # The quick check that a long fragment cannot nest deep must count what the unwrapping
    # counts: <DIV> is a div, and <P>, <BR> and <A> never pile up.
    cleaned = sanitize_html("<P>p<BR><A>a</A>" * 800 + "<DIV>" * 300 + "x", FEED_CONTENT)
    assert cleaned.count("<div>") == MAX_NESTING
    assert cleaned.count("<p>") == 800


def test_long_unclosed_lists_and_paragraphs_keep_every_tag() -> None:
    # Old HTML leaves <li> and <p> open; a sibling closes them, so they never nest.
    old = "<ul>" + "<li>item" * 3000 + "</ul>" + "<p>para" * 3000
    cleaned = sanitize_html(old, POST_BODY)
    assert (cleaned.count("<li>"), cleaned.count("<p>")) == (3000, 3000)
