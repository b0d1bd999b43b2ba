"""The structure-recovery rules on posts written here in the seed blog's shape and its variants."""

from __future__ import annotations

from datetime import UTC, datetime

from dateline.blog.domain.drafts import (
    CitationDraft,
    CommentaryDraft,
    ProseDraft,
    RawHtmlDraft,
    UpdateDraft,
)
from dateline.porting.domain.structure import recover

AT = datetime(2016, 3, 30, 14, 5, tzinfo=UTC)
SOURCE = (
    '<b>The Guardian</b>: <a href="https://guardian.example/world/1">'
    "Russia and US 'planning joint operation' to retake Raqqa</a>"
)
QUOTE = "<blockquote>Officials said talks were <i>at an advanced stage</i>.</blockquote>"
READ_MORE = '<a href="https://guardian.example/world/1">Read more</a> ....'
EDITOR = "<b>WNU Editor:</b> This would be a first."


def blogger(*blocks: str) -> str:
    """Blogger's way: one div, paragraphs split by double line breaks."""
    return '<div dir="ltr">' + "<br /><br />".join(blocks) + "</div>"


def kinds(parts) -> list[str]:
    return [type(part).__name__ for part in parts]


def test_the_seed_shape_becomes_citation_update_and_commentary():
    update = 'Update: Fighting resumed near the dam (<a href="https://rudaw.example/2">RUDAW</a>).'
    result = recover(blogger(SOURCE, QUOTE, READ_MORE, update, EDITOR), updated_at=AT)
    assert result.structured
    citation, update_part, commentary = result.parts
    assert citation == CitationDraft(
        outlet_name="The Guardian",
        source_headline="Russia and US 'planning joint operation' to retake Raqqa",
        url="https://guardian.example/world/1",
        quoted_excerpt="<p>Officials said talks were <i>at an advanced stage</i>.</p>",
    )
    assert update_part == UpdateDraft(
        text="Fighting resumed near the dam.",
        at=AT,
        citation=CitationDraft(
            outlet_name="RUDAW", source_headline="", url="https://rudaw.example/2"
        ),
    )
    assert commentary == CommentaryDraft(text="<p>This would be a first.</p>", speaker="WNU Editor")


def test_a_source_line_without_a_web_link_stays_prose():
    result = recover(blogger("The Guardian: Russia and US planning", QUOTE, EDITOR), updated_at=AT)
    assert not result.structured
    assert kinds(result.parts) == ["RawHtmlDraft"]


def test_several_quoted_paragraphs_are_one_excerpt():
    quotes = QUOTE + "<blockquote>A second paragraph.</blockquote>"
    result = recover(f"<p>{SOURCE}</p>{quotes}<p>{READ_MORE}</p>", updated_at=AT)
    (citation,) = result.parts
    assert (
        citation.quoted_excerpt.count("<p>") == 2 and "second paragraph" in citation.quoted_excerpt
    )


def test_numbered_updates_without_a_linked_outlet_keep_their_text():
    result = recover(
        blogger(SOURCE, QUOTE, "Update #2: Talks collapsed (AFP).", EDITOR), updated_at=AT
    )
    update = result.parts[1]
    assert update == UpdateDraft(text="Talks collapsed (AFP).", at=AT, citation=None)


def test_hat_tip_and_an_editors_note_before_the_quote_are_prose():
    result = recover(
        blogger("Editor's note: written before the vote.", SOURCE, QUOTE, READ_MORE,
                "Hat tip: Reader in Erbil", EDITOR),
        updated_at=AT,
    )  # fmt: skip
    assert kinds(result.parts) == ["ProseDraft", "CitationDraft", "ProseDraft", "CommentaryDraft"]
    assert result.parts[0] == ProseDraft("<p>Editor's note: written before the vote.</p>")
    assert result.parts[2] == ProseDraft("<p>Hat tip: Reader in Erbil</p>")


def test_commentary_takes_the_paragraphs_after_it():
    result = recover(blogger(SOURCE, QUOTE, EDITOR, "And a second thought."), updated_at=AT)
    assert result.parts[-1] == CommentaryDraft(
        text="<p>This would be a first.</p><p>And a second thought.</p>", speaker="WNU Editor"
    )


def test_a_colon_and_a_link_in_an_ordinary_post_is_not_a_citation():
    body = blogger(
        'Registration: <a href="https://kms.example/">open until April 9</a>',
        "See you there.",
    )
    result = recover(body, updated_at=AT)
    assert not result.structured and result.parts == (RawHtmlDraft(body),)


def test_two_sources_in_one_post_are_two_citations():
    second = SOURCE.replace("Guardian", "Times").replace("world/1", "world/2")
    result = recover(blogger(SOURCE, QUOTE, READ_MORE, second, QUOTE, EDITOR), updated_at=AT)
    assert kinds(result.parts) == ["CitationDraft", "CitationDraft", "CommentaryDraft"]
    assert result.parts[1].outlet_name == "The Times"
