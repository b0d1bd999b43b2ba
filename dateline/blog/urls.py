"""The public site's addresses. Links between pages are root-relative (reverse() gives paths)."""

from django.urls import path, re_path, register_converter

from dateline.blog import feeds, views

app_name = "blog"

YEAR = r"(?P<year>[0-9]{4})"
MONTH = r"(?P<month>0[1-9]|1[0-2])"
DAY = r"(?P<day>0[1-9]|[12][0-9]|3[01])"
SLUG = r"(?P<slug>[-\w]+)"


class LabelSlugConverter:
    """What a label's slug can be (`domain.slugs.slugify` keeps word characters and hyphens).

    Anything else cannot name a label and never reaches the database: PostgreSQL refuses a
    query holding a NUL byte (/label/%00/ was a 500 there)."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LabelSlugConverter, "label_slug")

urlpatterns = [
    path("", views.home, name="home"),
    path("page/<int:page>/", views.home, name="home_page"),
    path("about/", views.about, name="about"),
    path("search/", views.search, name="search"),
    path("label/<label_slug:slug>/", views.label, name="label"),
    path("label/<label_slug:slug>/page/<int:page>/", views.label, name="label_page"),
    path("feeds/atom.xml", feeds.atom_feed, name="feed_atom"),
    path("feeds/rss.xml", feeds.rss_feed, name="feed_rss"),
    path("feeds/feed.json", feeds.json_feed, name="feed_json"),
    path("label/<label_slug:slug>/atom.xml", feeds.atom_feed, name="label_feed_atom"),
    path("label/<label_slug:slug>/rss.xml", feeds.rss_feed, name="label_feed_rss"),
    path("label/<label_slug:slug>/feed.json", feeds.label_json_feed, name="label_feed_json"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("sitemap-<int:number>.xml", views.sitemap_file, name="sitemap_file"),
    path("robots.txt", views.robots, name="robots"),
    re_path(rf"^{YEAR}/$", views.archive, name="archive_year"),
    re_path(rf"^{YEAR}/{MONTH}/$", views.archive, name="archive_month"),
    re_path(rf"^{YEAR}/{MONTH}/{DAY}/$", views.archive, name="archive_day"),
    re_path(rf"^{YEAR}/{MONTH}/{SLUG}\.html$", views.blogger_redirect, name="blogger_post"),
    re_path(rf"^{YEAR}/{MONTH}/{SLUG}/$", views.post, name="post"),
]
