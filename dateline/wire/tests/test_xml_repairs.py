"""Edges of two readings of XML documents (adapters/xml/tree.py) the golden files show once:

- HTML entities under a DOCTYPE naming an external DTD (Netscape's RSS 0.91) are well-formed
  XML (XML 1.0 4.1, WFC: Entity Declared), but only there and only entities;
- a description holding broken HTML is read as its HTML, not as the rest of the item.
"""

from __future__ import annotations

from dateline.wire.adapters.feeds import parse_feed

NETSCAPE = (
    '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
    '"http://my.netscape.com/publish/formats/rss-0.91.dtd">'
)


def _rss091(title: str, *, declaration: str = '<?xml version="1.0"?>', doctype: str = NETSCAPE):
    return parse_feed(
        f"""{declaration}
{doctype}
<rss version="0.91"><channel><title>{title}</title><link>http://x.example/</link>
<item><title>One</title><link>http://x.example/1</link></item></channel></rss>""".encode()
    )


def test_html_entities_under_an_external_dtd_are_well_formed() -> None:
    parsed = _rss091("Caf&eacute; &amp; Bar")
    assert parsed.feed.title is not None and parsed.feed.title.value == "Café & Bar"
    assert parsed.well_formed and not parsed.warnings


def test_a_standalone_document_or_one_without_a_dtd_is_still_flagged() -> None:
    standalone = _rss091("Caf&eacute;", declaration='<?xml version="1.0" standalone="yes"?>')
    internal_only = _rss091("Caf&eacute;", doctype='<!DOCTYPE rss [<!ENTITY x "y">]>')
    none = _rss091("Caf&eacute;", doctype="")
    for parsed in (standalone, internal_only, none):
        assert parsed.feed.title is not None and parsed.feed.title.value == "Café"
        assert not parsed.well_formed
        assert parsed.warnings[0].startswith("HTML entities used in XML")


def test_under_an_external_dtd_what_is_not_an_html_entity_is_still_flagged() -> None:
    # A bare ampersand breaks XML whatever the DTD; a name HTML does not know is not read.
    for title in ("Fish & Chips", "Caf&eacute; &nosuchentity;"):
        parsed = _rss091(title)
        assert not parsed.well_formed, title


def _rss(items: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>T</title><link>https://x.example/</link>
{items}
</channel></rss>""".encode()


def test_broken_html_in_a_description_stays_in_its_item() -> None:
    parsed = parse_feed(
        _rss(
            "<item><title>A</title><description>Rain <i>and <b>wind</i> &amp; more</description>"
            "<guid>a</guid></item>"
            "<item><title>B</title><description>Clear <b>skies</b></description>"
            "<guid>b</guid></item>"
        )
    )
    assert [entry.id for entry in parsed.entries] == ["a", "b"]
    first, second = parsed.entries
    assert first.summary is not None and first.summary.value.startswith("Rain <i>and <b>wind")
    assert "&amp; more" in first.summary.value  # the text after the break, and no guid in it
    # Well-formed HTML in the same document is read as elements, as before.
    assert second.summary is not None and second.summary.value == "Clear <b>skies</b>"
    assert not parsed.well_formed


def test_a_description_never_closed_leaves_the_html_after_it_as_html() -> None:
    # The first description is never closed, so recovery reads the rest of the document into
    # it. Its start tag pairs with the second item's end tag, a span holding feed markup that is
    # left alone: the second description's broken HTML must not become CDATA there, which would
    # show its markup as escaped text inside the first item's summary.
    parsed = parse_feed(
        _rss(
            "<item><title>A</title><description>Rain <b>and wind<guid>a</guid></item>"
            "<item><title>B</title><description>Fog <i>and <b>ice</i></description>"
            "<guid>b</guid></item>"
        )
    )
    assert not parsed.well_formed
    summaries = " ".join(e.summary.value for e in parsed.entries if e.summary is not None)
    assert "Fog <i>and <b>ice" in summaries
    assert "&lt;" not in summaries
