from django.urls import path

from dateline.comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("post/<int:post_id>/", views.post_comment, name="post"),
    path("<int:comment_id>/edit/", views.edit_comment, name="edit"),
    path("<int:comment_id>/report/", views.report_comment, name="report"),
    path("mail/<str:token>/", views.mail_action, name="mail_action"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("feed/<str:kind>.xml", feeds.site_feed, name="feed"),
    path("feed/feed.json", feeds.site_json_feed, name="feed_json"),
    path("post/<int:post_id>/<str:kind>.xml", feeds.post_feed, name="post_feed"),
    path("post/<int:post_id>/feed.json", feeds.post_json_feed, name="post_feed_json"),
]
