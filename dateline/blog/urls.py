"""The public site's addresses. Links between pages are root-relative (reverse() gives paths)."""

from django.urls import path, re_path

from dateline.blog import feeds, views

app_name = "blog"

YEAR = r"(?P<year>[0-9]{4})"
MONTH = r"(?P<month>0[1-9]|1[0-2])"
DAY = r"(?P<day>0[1-9]|[12][0-9]|3[01])"
SLUG = r"(?P<slug>[-\w]+)"

urlpatterns = [
    path("", views.home, name="home"),
    path("page/<int:page>/", views.home, name="home_page"),
    path("about/", views.about, name="about"),
    path("search/", views.search, name="search"),
    path("label/<str:slug>/", views.label, name="label"),
    path("label/<str:slug>/page/<int:page>/", views.label, name="label_page"),
    path("feeds/atom.xml", feeds.atom_feed, name="feed_atom"),
    path("feeds/rss.xml", feeds.rss_feed, name="feed_rss"),
    path("feeds/feed.json", feeds.json_feed, name="feed_json"),
    path("label/<str:slug>/atom.xml", feeds.atom_feed, name="label_feed_atom"),
    path("label/<str:slug>/rss.xml", feeds.rss_feed, name="label_feed_rss"),
    path("label/<str:slug>/feed.json", feeds.label_json_feed, name="label_feed_json"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    re_path(rf"^{YEAR}/$", views.archive, name="archive_year"),
    re_path(rf"^{YEAR}/{MONTH}/$", views.archive, name="archive_month"),
    re_path(rf"^{YEAR}/{MONTH}/{DAY}/$", views.archive, name="archive_day"),
    re_path(rf"^{YEAR}/{MONTH}/{SLUG}\.html$", views.blogger_redirect, name="blogger_post"),
    re_path(rf"^{YEAR}/{MONTH}/{SLUG}/$", views.post, name="post"),
]
