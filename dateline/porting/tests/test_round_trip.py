"""Export then import into an empty database gives the same blog: counts, statuses, labels,
threads and post bodies as the public site renders them (property tests, Hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dateline.blog import services as blog
from dateline.blog.domain.drafts import CitationDraft, CommentaryDraft, ProseDraft, UpdateDraft
from dateline.blog.models import Label, OldAddress, Post, PostKind
from dateline.blog.rendering import body_html
from dateline.comments import services as comments
from dateline.comments.models import Comment
from dateline.porting.exporting import export
from dateline.porting.importing import import_file
from dateline.porting.models import SourceRecord

pytestmark = pytest.mark.django_db

PAST = datetime(2015, 6, 1, 12, 0, tzinfo=UTC)
WORDS = ["Raqqa", "Mosul", "ceasefire", "Kobani", "dam", "talks", "Erbil", "<b>bold</b>", "&"]
LABELS = ["Syria", "syria", "Iraq", "C++", "C", "Middle East", "Kurds"]

text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
parts = st.lists(
    st.one_of(
        st.builds(lambda t: ProseDraft(f"<p>{t}</p>"), text),
        st.builds(lambda t, s: CommentaryDraft(text=f"<p>{t}</p>", speaker=s), text,
                  st.sampled_from(["WNU Editor", ""])),
        st.builds(
            lambda o, h, n, q: CitationDraft(
                outlet_name=o, source_headline=h, url=f"https://news.example/{n}",
                quoted_excerpt=f"<p>{q}</p>",
            ),
            st.sampled_from(["The Guardian", "RUDAW", "Al-Monitor"]), text,
            st.integers(1, 99), text,
        ),
        st.builds(
            lambda t, hours, cite: UpdateDraft(
                text=f"<p>{t}</p>", at=PAST + timedelta(hours=hours),
                citation=CitationDraft(outlet_name="AFP", source_headline="", url="https://afp.example/1")
                if cite else None,
            ),
            text, st.integers(1, 500), st.booleans(),
        ),
    ),
    max_size=4,
)  # fmt: skip
post = st.fixed_dictionaries(
    {
        "headline": st.one_of(st.just(""), text),
        "status": st.sampled_from(["published", "draft", "scheduled", "private", "pending_review"]),
        "kind": st.sampled_from([PostKind.POST, PostKind.POST, PostKind.PAGE]),
        "labels": st.lists(st.sampled_from(LABELS), max_size=3, unique=True),
        "parts": parts,
        "sticky": st.booleans(),
        "days": st.integers(0, 3000),
        # Each comment: (status, index of the comment it answers or None).
        "comments": st.lists(
            st.tuples(
                st.sampled_from(["approved", "pending", "spam", "deleted"]), st.integers(-1, 5)
            ),
            max_size=5,
        ),
    }
)


def _make(spec: dict, n: int) -> None:
    status = spec["status"]
    at = PAST - timedelta(days=spec["days"])
    if status == "scheduled":
        at = datetime.now(UTC) + timedelta(days=spec["days"] + 1)
    made = blog.create_post(
        headline=spec["headline"],
        parts=spec["parts"],
        labels=spec["labels"],
        status=status,
        sticky=spec["sticky"],
        kind=spec["kind"],
        published_at=at,
        byline="WNU Editor" if n % 2 else "Guest",
        quiet=True,
    )
    made_comments: list[Comment] = []
    for number, (comment_status, parent) in enumerate(spec["comments"]):
        thread = {}
        if 0 <= parent < number:
            thread["parent"] = made_comments[parent]
        made_comments.append(
            comments.record(
                made,
                author_name=f"Reader {number}",
                body=f"Comment {n}-{number}",
                status=comment_status,
                created_at=PAST + timedelta(minutes=number),
                **thread,
            )
        )


def _snapshot() -> dict:
    posts = {}
    for found in Post.objects.prefetch_related("labels", "parts"):
        posts[found.slug] = (
            found.kind,
            found.status,
            found.headline,
            found.sticky,
            found.published_at.replace(microsecond=0) if found.published_at else None,
            sorted(label.name for label in found.labels.all()),
            body_html(found, sorted(found.parts.all(), key=lambda part: part.position)),
        )
    threads = sorted(
        (
            c.post.slug,
            c.author_name,
            c.body_html,
            c.status,
            c.kind,
            c.parent.body_html if c.parent else None,
        )
        for c in Comment.objects.select_related("post", "parent")
    )
    return {"posts": posts, "labels": set(Label.objects.values_list("name", flat=True)),
            "threads": threads}  # fmt: skip


def _empty() -> None:
    for model in (Comment, SourceRecord, OldAddress, Post, Label):
        model.objects.all().delete()


@settings(
    max_examples=12,
    # No shrinking: each try writes and wipes the database, and shrinking took minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(post, min_size=1, max_size=6))
def test_wxr_export_then_import_is_lossless(tmp_path_factory, specs):
    _empty()
    for n, spec in enumerate(specs):
        _make(spec, n)
    before = _snapshot()
    path = tmp_path_factory.mktemp("export") / "blog.xml"
    with path.open("w", encoding="utf-8") as out:
        export("wxr", out)
    _empty()
    report = import_file(path)
    after = _snapshot()
    assert after["posts"] == before["posts"]
    assert after["labels"] == {name for p in before["posts"].values() for name in p[5]}
    assert after["threads"] == before["threads"]
    assert report.comments == len(before["threads"])
