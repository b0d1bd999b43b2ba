"""``dateline parse``: files, a loopback URL, non-feeds and truncated feeds, as editors run it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.support.loopback import LoopbackServer, Reply

REPO = Path(__file__).resolve().parents[3]

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Harbour Gazette</title><link>https://gazette.example/</link>
<item><title>Ferry timetable changes</title><link>/news/ferry</link>
<guid isPermaLink="false">gazette-101</guid>
<pubDate>Tue, 17 Feb 2026 08:30:00 +0100</pubDate>
<description>&lt;p&gt;From &lt;b&gt;Monday&lt;/b&gt;&lt;/p&gt;
&lt;script&gt;x()&lt;/script&gt;</description>
</item>
<item><title>Lighthouse repainted</title><link>https://gazette.example/news/lighthouse</link>
<pubDate>sometime last week</pubDate></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Fjellposten</title>
<link href="https://fjell.example/"/><updated>2026-02-16T10:00:00Z</updated>
<entry><id>tag:fjell.example,2026:1</id><title>Snø på veiene</title>
<link href="https://fjell.example/1"/><updated>2026-02-16T09:00:00+01:00</updated>
<author><name>Kari Nordmann</name></author></entry>
</feed>""".encode()


def run_parse(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("parse", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def dateline(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), DJANGO_SETTINGS_MODULE="tests.settings")
    return subprocess.run(
        [sys.executable, "-m", "dateline.cli", "parse", *args],
        cwd=REPO,
        env=env,
        input=stdin.decode("latin-1") if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_file_is_printed_as_feed_and_entries(tmp_path: Path) -> None:
    path = tmp_path / "gazette.xml"
    path.write_bytes(RSS)
    out, err = run_parse(str(path))
    assert out.splitlines()[0] == "feed: Harbour Gazette"
    assert "2 entries" in out
    assert "[1] Ferry timetable changes" in out
    assert "link: https://gazette.example/news/ferry" in out  # resolved against the feed link
    assert "published 2026-02-17T07:30:00+00:00" in out
    assert "published unknown ('sometime last week')" in out  # unknown, not guessed
    assert "script" not in out
    assert err == ""


def test_control_characters_in_a_feed_are_shown_not_sent_to_the_terminal(tmp_path: Path) -> None:
    # A JSON Feed may carry ESC: printed as it is, it retitles the editor's terminal window,
    # clears the screen or rewrites the lines above.
    path = tmp_path / "escapes.json"
    path.write_text(json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Evil\x1b]0;owned\x07\x1b[2J",
        "items": [{"id": "1", "title": "Red\x1b[31m\x9b", "url": "https://a.example/1"}],
    }))  # fmt: skip
    out, _ = run_parse(str(path))
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "Evil\\x1b]0;owned\\x07\\x1b[2J" in out and "Red\\x1b[31m\\x9b" in out


def test_json_has_feed_entries_and_warnings_with_iso_dates(tmp_path: Path) -> None:
    path = tmp_path / "fjell.atom"
    path.write_bytes(ATOM)
    out, _ = run_parse(str(path), "--json")
    document = json.loads(out)
    assert set(document) >= {"feed", "entries", "warnings"}
    assert document["warnings"] == []
    assert document["feed"]["title"]["value"] == "Fjellposten"
    assert document["feed"]["updated"] == "2026-02-16T10:00:00+00:00"
    [entry] = document["entries"]
    assert entry["id"] == "tag:fjell.example,2026:1"
    assert entry["title"]["value"] == "Snø på veiene"
    assert entry["link"] == "https://fjell.example/1"
    assert entry["updated"] == "2026-02-16T08:00:00+00:00"
    assert entry["authors"] == [{"name": "Kari Nordmann", "email": None, "uri": None}]


def test_a_url_is_fetched_with_its_headers(tmp_path: Path) -> None:
    latin = RSS.replace(b'encoding="utf-8"', b"").replace(b"Harbour", b"H\xe4fen")
    with LoopbackServer() as server:
        url = server.route(
            "/feeds/gazette",
            Reply(body=latin, headers={"Content-Type": "application/rss+xml; charset=iso-8859-1"}),
        )
        out, _ = run_parse(url, "--json")
        assert server.hits("/feeds/gazette")
    document = json.loads(out)
    assert document["feed"]["title"]["value"] == "Häfen Gazette"  # the HTTP charset was used
    # Over HTTP a relative link resolves against the URL fetched, before the feed's own link.
    assert document["entries"][0]["link"] == server.url("/news/ferry")


def test_a_truncated_feed_gives_what_was_read_and_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    path.write_bytes(RSS[: RSS.index(b"<item><title>Lighthouse") + 30])
    out, _ = run_parse(str(path), "--json")
    document = json.loads(out)
    assert document["entries"][0]["title"]["value"] == "Ferry timetable changes"
    assert any("truncated" in warning for warning in document["warnings"])
    assert document["well_formed"] is False


def test_text_after_the_feed_is_not_called_truncation(tmp_path: Path) -> None:
    path = tmp_path / "banner.xml"
    path.write_bytes(RSS + b"\n<p>Served by Harbour CMS</p>\n<!-- 0.2 s -->\n")
    document = json.loads(run_parse(str(path), "--json")[0])
    assert [entry["title"]["value"] for entry in document["entries"]] == [
        "Ferry timetable changes",
        "Lighthouse repainted",
    ]
    assert document["well_formed"] is False
    assert document["warnings"] and not any("truncated" in w for w in document["warnings"])


JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Valley Courier",
        "home_page_url": "https://courier.example/",
        "items": [
            {
                "id": f"c-{n}",
                "url": f"/story/{n}",
                "title": f"Story {n}",
                "date_published": "2026-02-15T12:00:00-05:00",
            }
            for n in range(1, 4)
        ],
    }
).encode()


def test_a_json_feed_file_gives_the_same_fields(tmp_path: Path) -> None:
    path = tmp_path / "courier.json"
    path.write_bytes(JSON_FEED)
    document = json.loads(run_parse(str(path), "--json")[0])
    assert document["format"] == "json11" and document["warnings"] == []
    assert [entry["link"] for entry in document["entries"]] == [
        f"https://courier.example/story/{n}" for n in range(1, 4)
    ]
    assert document["entries"][0]["published"] == "2026-02-15T17:00:00+00:00"


def test_a_truncated_json_feed_gives_its_whole_items_and_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_bytes(JSON_FEED[: JSON_FEED.index(b'"Story 3"')])
    document = json.loads(run_parse(str(path), "--json")[0])
    assert document["feed"]["title"]["value"] == "Valley Courier"
    assert [entry["title"]["value"] for entry in document["entries"]] == ["Story 1", "Story 2"]
    assert any("truncated" in warning for warning in document["warnings"])


def test_an_html_page_exits_non_zero_with_one_line() -> None:
    result = dateline(
        "-", stdin=b"<!DOCTYPE html><html><head><title>Home</title></head><body/></html>"
    )
    assert result.returncode != 0
    assert "not a feed: an HTML page" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("source", ["/no/such/feed.xml", "http://127.0.0.1:9/feed"])
def test_unreadable_sources_exit_non_zero_with_one_line(source: str) -> None:
    result = dateline(source)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
