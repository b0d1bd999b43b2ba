"""The public site's addresses. Links between pages are root-relative (reverse() gives paths)."""

import unicodedata

from django.urls import path, register_converter

from dateline.blog import feeds, views
from dateline.blog.domain.slugs import is_slug

app_name = "blog"


class SlugConverter:
    """What a post's or label's slug can be (`domain.slugs.is_slug`: letters, digits, the marks
    that complete them, hyphens), as composed characters (NFC), which is how slugs are stored.

    An address written decomposed (NFD: "e" then a combining accent, as macOS and some clients
    send it) is read composed, so it finds the slug stored composed.
    Anything else cannot name a slug and never reaches the database: PostgreSQL refuses a query
    holding a NUL byte (/label/%00/ was a 500 there). The views send a reader who typed another
    spelling on to the page's own address."""

    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        composed = unicodedata.normalize("NFC", value)
        if not is_slug(composed):
            raise ValueError("no slug")  # the route does not match: 404
        return composed

    def to_url(self, value: str) -> str:
        return value


class _Digits:
    """A fixed-width number in an address, handed to the view as the text it is."""

    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


class YearConverter(_Digits):
    regex = r"[0-9]{4}"


class MonthConverter(_Digits):
    regex = r"0[1-9]|1[0-2]"


class DayConverter(_Digits):
    regex = r"0[1-9]|[12][0-9]|3[01]"


# Converter names are global to the project: these say whose they are.
register_converter(SlugConverter, "word_slug")
register_converter(YearConverter, "blog_year")
register_converter(MonthConverter, "blog_month")
register_converter(DayConverter, "blog_day")

urlpatterns = [
    path("", views.home, name="home"),
    path("page/<int:page>/", views.home, name="home_page"),
    path("about/", views.about, name="about"),
    path("search/", views.search, name="search"),
    path("p/<word_slug:slug>/", views.page, name="page"),
    path("label/<word_slug:slug>/", views.label, name="label"),
    path("label/<word_slug:slug>/page/<int:page>/", views.label, name="label_page"),
    path("feeds/atom.xml", feeds.atom_feed, name="feed_atom"),
    path("feeds/rss.xml", feeds.rss_feed, name="feed_rss"),
    path("feeds/feed.json", feeds.json_feed, name="feed_json"),
    path("label/<word_slug:slug>/atom.xml", feeds.atom_feed, name="label_feed_atom"),
    path("label/<word_slug:slug>/rss.xml", feeds.rss_feed, name="label_feed_rss"),
    path("label/<word_slug:slug>/feed.json", feeds.label_json_feed, name="label_feed_json"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("sitemap-<int:number>.xml", views.sitemap_file, name="sitemap_file"),
    path("robots.txt", views.robots, name="robots"),
    path("<blog_year:year>/", views.archive, name="archive_year"),
    path("<blog_year:year>/<blog_month:month>/", views.archive, name="archive_month"),
    path("<blog_year:year>/<blog_month:month>/<blog_day:day>/", views.archive, name="archive_day"),
    path(
        "<blog_year:year>/<blog_month:month>/<word_slug:slug>.html",
        views.blogger_redirect,
        name="blogger_post",
    ),
    path("<blog_year:year>/<blog_month:month>/<word_slug:slug>/", views.post, name="post"),
]
