"""Extension points of the public site, for apps that build on the blog (comments, later others).

The blog never imports those apps; they register here from their `AppConfig.ready()`:

    from dateline.blog import hooks
    hooks.register_post_section(render_comments)   # fn(request, post) -> SafeString

    hooks.register_post_counter(count_comments)  # fn(post_ids) -> {post_id: n}
    hooks.register_post_feeds(comment_feeds)     # fn(post) -> ((title, href, media type), ...)

Apps may also answer a request before the page cache is consulted (the porting app's old
addresses of imported blogs redirect this way):

    hooks.register_before_page_cache(redirect_old_address)   # fn(request) -> HttpResponse | None

Such a handler sees every GET and HEAD request first, in `caching.PageCacheMiddleware`, before
sessions and the rest: it must decide cheaply (no database read for a path that cannot be
one of its own, and none for a hit: keep the table in the shared cache) and return None to pass.

Sections are rendered in registration order in the post page's comments area. A section that
shows state which can change (comments) must call `dateline.blog.services.post_changed(post)`
when it does, or cached pages keep showing the old state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from dateline.blog.models import Post

PostSection = Callable[[HttpRequest, "Post"], SafeString]
# Given the ids of the posts a list page shows, one query's worth of {post id: count}; the
# count is shown on each post's card as "N <noun>" linking to the post's `#<anchor>`.
PostCounter = Callable[[list[int]], dict[int, int]]


@dataclass(frozen=True, slots=True)
class Counter:
    count: PostCounter
    singular: str
    plural: str
    anchor: str


@dataclass(frozen=True, slots=True)
class PostCount:
    number: int
    noun: str
    anchor: str


# A post page's extra feeds, advertised with <link rel="alternate">: (title, href, media type).
PostFeeds = Callable[["Post"], tuple[tuple[str, str, str], ...]]
BeforePageCache = Callable[[HttpRequest], "HttpResponse | None"]

_post_sections: list[PostSection] = []
_before_page_cache: list[BeforePageCache] = []
_counters: list[Counter] = []
_post_feeds: list[PostFeeds] = []


def register_post_section(section: PostSection) -> PostSection:
    """Adds `section` to every post page; registering the same function twice is a no-op.

    Returns the function, so it can be used as a decorator.
    """
    if section not in _post_sections:
        _post_sections.append(section)
    return section


def post_sections() -> tuple[PostSection, ...]:
    return tuple(_post_sections)


def register_before_page_cache(handler: BeforePageCache) -> BeforePageCache:
    """Runs `handler(request)` for every GET and HEAD before the page cache; an answer it
    returns is sent as it is. Registering the same function twice is a no-op."""
    if handler not in _before_page_cache:
        _before_page_cache.append(handler)
    return handler


def before_page_cache() -> tuple[BeforePageCache, ...]:
    return tuple(_before_page_cache)


def register_post_counter(
    count: PostCounter, *, singular: str, plural: str, anchor: str
) -> PostCounter:
    """Adds a count to each post on list pages (home, labels, archives): one call, so one query,
    per page whatever the number of posts. Registering the same function twice is a no-op."""
    if all(counter.count is not count for counter in _counters):
        _counters.append(Counter(count, singular, plural, anchor))
    return count


def attach_counts(posts: Sequence[Post]) -> None:
    """Sets `post.counts` (a tuple of PostCount, zeros left out) on each of `posts`."""
    ids = [post.pk for post in posts]
    found = [(counter, counter.count(ids) if ids else {}) for counter in _counters]
    for post in posts:
        post.counts = tuple(  # type: ignore[attr-defined]
            PostCount(number, counter.singular if number == 1 else counter.plural, counter.anchor)
            for counter, numbers in found
            if (number := numbers.get(post.pk, 0))
        )


def register_post_feeds(feeds: PostFeeds) -> PostFeeds:
    """Adds feeds to a post page's head (a comment feed). Same function twice is a no-op."""
    if feeds not in _post_feeds:
        _post_feeds.append(feeds)
    return feeds


def post_feeds(post: Post) -> tuple[tuple[str, str, str], ...]:
    return tuple(link for feeds in _post_feeds for link in feeds(post))
