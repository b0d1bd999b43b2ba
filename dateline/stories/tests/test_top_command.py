"""`dateline stories top FILE_OR_DB`: the largest stories with their outlets."""

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dateline.stories import services
from dateline.stories.models import Story, StoryArticle
from dateline.stories.tests.conftest import T0
from dateline.wire.models import Article
from tests.support.processes import dateline, isolated_env

SMALL = Path(__file__).resolve().parent / "data" / "top-small.jsonl"


def top(*args: str) -> str:
    out = StringIO()
    call_command("stories", "top", *args, stdout=out)
    return out.getvalue()


def blocks(listing: str) -> list[str]:
    return [block for block in listing.split("\n\n")[1:] if block.strip()]


def test_a_file_is_clustered_in_memory_largest_first():
    shown = blocks(top(str(SMALL)))
    assert len(shown) == 5  # four events, and one undated row with no outlet
    quake, strike, vote = shown[:3]
    # The earliest report leads, though the file lists a later one first.
    assert quake.startswith("1. Magnitude 7.1 earthquake strikes Hokkaido")
    assert "(4 articles, 3 outlets)" in quake
    assert "first reported by wire-one.example at 2026-02-16 09:05 UTC" in quake
    assert "outlets: wire-one.example (1), wire-two.example (2), island-times.example (1)" in quake
    assert "(3 articles, 3 outlets)" in strike and "harbour-news.example" in strike
    assert "Chile" in vote and "(2 articles, 2 outlets)" in vote
    assert "Rotterdam" not in quake and "Hokkaido" not in strike
    assert "first reported by unknown outlet at an unknown time" in shown[4]


@pytest.mark.parametrize(
    ("flags", "how"), [((), "with sentence embeddings"), (("--lexical",), "on words alone")]
)
def test_the_header_says_which_pipeline_clustered_the_file(flags, how):
    listing = top(str(SMALL), *flags)
    assert listing.splitlines()[0] == (
        f"The largest stories in top-small.jsonl (top 10; 11 articles clustered {how} "
        "into 5 stories)"
    )
    assert "(4 articles, 3 outlets)" in blocks(listing)[0]


def test_limit_keeps_the_largest():
    shown = blocks(top(str(SMALL), "--limit", "2"))
    assert [block.split(".")[0] for block in shown] == ["1", "2"]
    assert "Hokkaido" in shown[0] and "Rotterdam" in shown[1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "title": "Fine"}\n{"id": "b", "title": \n', "line 2"),
        ('{"id": "a"}\n', "needs an `id` and a `title`"),
        ("[1, 2]\n", "not a JSON object"),
        ('{"id": "a", "title": "T", "published": "last Tuesday"}\n', "ISO 8601"),
    ],
)
def test_a_bad_file_gets_a_clear_error(tmp_path, content, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        top(str(bad))


def test_a_file_saved_with_a_byte_order_mark_reads_as_without(tmp_path):
    marked = tmp_path / "marked.jsonl"
    marked.write_bytes(b"\xef\xbb\xbf" + SMALL.read_bytes().replace(b"\n", b"\r\n"))
    assert blocks(top(str(marked))) == blocks(top(str(SMALL)))


def test_a_missing_file_gets_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        top(str(tmp_path / "absent.jsonl"))


@pytest.mark.django_db
def test_db_lists_the_stories_in_the_database(wire):
    bbc, dw = wire.outlet("BBC", country="GB"), wire.outlet("DW", country="DE")
    wire.article(dw, "strike", hours=1)
    wire.article(bbc, "strike", hours=0)
    wire.article(dw, "strike", hours=2)
    wire.article(bbc, "vote", hours=3)
    worker = services.ClusteringWorker()
    while worker.run(timezone.now()):
        pass
    shown = blocks(top("db"))
    assert len(shown) == 2
    assert "(3 articles, 2 outlets)" in shown[0]
    assert "first reported by BBC" in shown[0] and "outlets: BBC (1), DW (2)" in shown[0]
    assert "countries: DE, GB" in shown[0]
    assert "(1 article, 1 outlet)" in shown[1]


def test_db_on_a_database_never_migrated_says_so_without_a_traceback(tmp_path):
    result = dateline("stories", "top", "db", env=isolated_env(tmp_path), check=False)
    assert result.returncode == 1
    assert "has `dateline migrate` run?" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_db_names_the_storys_own_first_reporter_when_two_count_as_published_at_once(wire):
    # Alpha's clock runs ahead (dated 10:00, reached the wire at 09:00: it counts as 09:00);
    # Beta's article is dated 09:00. They tie, and the story's first reporter is the one that
    # arrived first, whatever order the database lists them in.
    alpha, beta = wire.outlet("Alpha"), wire.outlet("Beta")
    ahead = wire.article(alpha, "quake", hours=2)
    on_time = wire.article(beta, "quake", hours=1)
    Article.objects.filter(pk=ahead.pk).update(fetched_at=T0 + timedelta(hours=1))
    Article.objects.filter(pk=on_time.pk).update(fetched_at=T0 + timedelta(hours=5))
    story = Story.objects.create(headline="-", first_seen_at=T0, last_seen_at=T0)
    for article in (ahead, on_time):
        StoryArticle.objects.create(story=story, article=article)
    services.recompute_coverage([story.pk])
    assert Story.objects.get().first_article_id == ahead.pk

    (shown,) = blocks(top("db"))
    assert "first reported by Alpha" in shown
    assert shown.index("- Alpha:") < shown.index("- Beta:")


def test_titles_and_outlets_from_a_file_cannot_forge_lines_or_drive_the_terminal(tmp_path):
    rows = [
        {
            "id": 1,
            "title": "Quake\n2. Fake story (99 articles, 9 outlets)",
            "source": "Ev\x1b[2Jil",
        },
        {"id": 2, "title": "Red\x1b]0;owned\x07\x9b", "source": "Plain"},
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")

    listing = top(str(path))

    assert not any(ch in listing for ch in "\x1b\x07\x9b")
    assert "Ev\\x1b[2Jil" in listing and "Red\\x1b]0;owned\\x07\\x9b" in listing
    assert not any(line.startswith("2. Fake") for line in listing.splitlines())
