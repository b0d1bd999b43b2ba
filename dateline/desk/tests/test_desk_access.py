import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dateline.blog.models import Post, PostStatus
from dateline.blog.services import MAX_LABEL, create_post
from dateline.comments.models import Comment, CommentStatus
from dateline.desk.access import EDITOR_GROUP, MODERATOR_GROUP, grant
from dateline.desk.views.triage import STORIES_ON_DESK
from dateline.stories.models import Story, StoryArticle
from dateline.stories.services import recompute_coverage
from dateline.wire.models import Article, FullTextStatus, Outlet

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["desk:triage", "desk:moderation"])
def test_an_anonymous_reader_is_sent_to_sign_in_and_back(client, name):
    anonymous = client.get(reverse(name))
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"{reverse('desk:login')}?next={reverse(name)}"


@pytest.mark.parametrize("name", ["desk:triage", "desk:moderation"])
@pytest.mark.parametrize(
    "account",
    [{}, {"is_staff": True}, {"is_staff": True, "is_superuser": True, "is_active": False}],
    ids=["reader", "staff-only", "inactive-superuser"],
)
def test_an_account_without_a_desk_role_is_refused(client, name, account):
    user = get_user_model().objects.create_user("someone", password="a reader password")
    get_user_model().objects.filter(pk=user.pk).update(**account)
    client.force_login(user)
    assert client.get(reverse(name)).status_code in (302, 403)
    if account.get("is_active", True):
        assert client.get(reverse(name)).status_code == 403


def test_a_moderator_reaches_the_comments_and_nothing_else(client):
    user = get_user_model().objects.create_user("mod", password="a desk password")
    grant(user, MODERATOR_GROUP)
    client.force_login(user)
    assert client.get(reverse("desk:moderation")).status_code == 200
    assert client.get(reverse("desk:triage")).status_code == 403


def test_editors_and_superusers_see_the_triage_page(client):
    user = get_user_model().objects.create_user("ed", password="a desk password")
    grant(user, EDITOR_GROUP)
    get_user_model().objects.create_superuser("boss", password="a boss password")
    client.login(username="boss", password="a boss password")
    assert client.get(reverse("desk:triage")).status_code == 200
    client.login(username="ed", password="a desk password")
    page = client.get(reverse("desk:triage"))
    assert page.status_code == 200
    assert "No stories yet" in page.content.decode()


def test_composing_from_a_missing_article_is_a_404(client):
    grant(get_user_model().objects.create_user("ed", password="a desk password"), EDITOR_GROUP)
    client.login(username="ed", password="a desk password")
    assert client.get(reverse("desk:compose", args=[999999])).status_code == 404


@pytest.fixture
def editor_client(client):
    """The test client logged in as a member of the editor group (the desk is theirs)."""
    grant(get_user_model().objects.create_user("ed", password="a desk password"), EDITOR_GROUP)
    client.login(username="ed", password="a desk password")
    return client


def gazette_article(url: str, title: str) -> Article:
    outlet, _ = Outlet.objects.get_or_create(name="Harbour Gazette")
    # Its page was tried already: the compose screen opens without fetching it.
    return Article.objects.create(
        outlet=outlet, guid=url, url=url, title=title, full_text_status=FullTextStatus.FAILED
    )


def compose_fields(article: Article, **fields: str) -> dict[str, str]:
    """What the compose screen posts for one citation of `article`, nothing ticked."""
    return {
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "1",
        "citations-0-article": str(article.pk),
        "citations-0-outlet_name": article.outlet.name,
        "citations-0-source_headline": article.title,
        "citations-0-url": article.url,
        "action": "publish",
        **fields,
    }


def test_a_post_the_blog_refuses_is_shown_on_the_form_with_what_the_editor_wrote(editor_client):
    article = gazette_article("https://gazette.example/ferry", "Ferry late")
    page = editor_client.post(
        reverse("desk:compose", args=[article.pk]),
        compose_fields(
            article,
            headline="The ferry, again",
            commentary="Third time this month.",
            labels="Harbour, " + "x" * (MAX_LABEL + 1),
        ),
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert f"A label is at most {MAX_LABEL} characters." in body
    assert "Third time this month." in body  # nothing the editor typed is lost
    assert not Post.objects.exists()


def test_an_articles_link_is_offered_only_when_it_is_a_web_address(editor_client):
    # As a feed's link could be stored before the wire kept only web addresses.
    hostile = gazette_article("javascript:alert(document.cookie)", "Ferry late")
    web = gazette_article("https://gazette.example/ferry", "Ferry on time")
    page = editor_client.get(reverse("desk:compose", args=[hostile.pk])).content.decode()
    assert "Ferry late" in page and "javascript:" not in page
    page = editor_client.get(reverse("desk:compose", args=[web.pk])).content.decode()
    assert 'value="https://gazette.example/ferry"' in page


@pytest.mark.parametrize("sent", [{}, {"decision": ""}, {"decision": "aprove"}])
def test_moderation_without_a_known_decision_changes_no_comment(editor_client, sent):
    post = create_post(headline="A published post", status=PostStatus.PUBLISHED)
    comment = Comment.objects.create(
        post=post, author_name="Reader", body="A fair point.", status=CommentStatus.APPROVED
    )
    answer = editor_client.post(reverse("desk:moderate", args=[comment.pk]), sent)
    assert answer.status_code == 400
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED and comment.moderated_at is None


def test_moderation_approves_and_rejects_on_the_editors_word(editor_client):
    post = create_post(headline="A published post", status=PostStatus.PUBLISHED)
    first, second = (
        Comment.objects.create(post=post, author_name="Reader", body=f"Point {n}.") for n in (1, 2)
    )
    for comment, decision in ((first, "approve"), (second, "reject")):
        answer = editor_client.post(
            reverse("desk:moderate", args=[comment.pk]), {"decision": decision}
        )
        assert answer.status_code == 302
    statuses = [Comment.objects.get(pk=c.pk).status for c in (first, second)]
    assert statuses == [CommentStatus.APPROVED, CommentStatus.DELETED]


def test_the_quote_offered_is_the_summarys_text_not_its_markup(editor_client):
    article = gazette_article("https://gazette.example/deal", "AT&T buys the ferry line")
    article.summary = "<p>AT&amp;T buys &quot;Harbour Lines&quot; &lt;for &euro;2m&gt;</p>"
    article.save(update_fields=["summary"])

    page = editor_client.get(reverse("desk:compose", args=[article.pk]))

    # Escaped once in the page, so the browser shows the text itself.
    assert '<span dir="auto">AT&amp;T buys &quot;Harbour Lines&quot; &lt;for €2m&gt;</span>' in (
        page.content.decode()
    )


def story_of_many(rank: int, articles: int) -> Story:
    story = Story.objects.create(
        headline=f"Story {rank}", first_seen_at=timezone.now(), last_seen_at=timezone.now()
    )
    story.rank_key = rank
    outlet, _ = Outlet.objects.get_or_create(name="Harbour Gazette")
    for n in range(articles):
        article = Article.objects.create(
            outlet=outlet, guid=f"{rank}-{n}", url=f"https://gazette.example/{rank}/{n}",
            title=f"Report {n} on story {rank}",
        )  # fmt: skip
        StoryArticle.objects.create(story=story, article=article)
    recompute_coverage([story.pk])
    return story


def test_the_triage_page_stays_small_however_large_and_many_the_stories(editor_client):
    story_of_many(1, 3)
    story_of_many(2, 40)
    with CaptureQueriesContext(connection) as few:
        small = editor_client.get(reverse("desk:triage"))
    for rank in range(3, 80):
        story_of_many(rank, 12)
    with CaptureQueriesContext(connection) as many:
        large = editor_client.get(reverse("desk:triage"))

    assert len(many) == len(few)
    body = large.content.decode()
    assert body.count("data-story=") == STORIES_ON_DESK
    assert "12 articles · 1 outlet" in body
    assert "40 articles · 1 outlet" in small.content.decode()


def test_an_article_with_no_title_leaves_no_empty_heading_or_link(editor_client):
    # JSON Feed items need no title (microblogs): the story's headline is then empty too.
    untitled = gazette_article("https://gazette.example/note", "")
    story = Story.objects.create(
        headline="", first_seen_at=timezone.now(), last_seen_at=timezone.now()
    )
    StoryArticle.objects.create(story=story, article=untitled)
    recompute_coverage([story.pk])

    triage = editor_client.get(reverse("desk:triage")).content.decode()
    compose = editor_client.get(reverse("desk:compose", args=[untitled.pk])).content.decode()

    assert f'<a class="story-open" href="/desk/stories/{story.pk}/">Untitled story</a>' in triage
    assert '<li dir="auto">Harbour Gazette <time' in triage
    assert 'name="headline" id="id_headline" value=""' in compose  # the editor types one
    assert "<h1></h1>" not in compose and 'href=""' not in compose
