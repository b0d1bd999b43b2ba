from django.urls import path

from dateline.desk.views import (
    account,
    clip,
    compose,
    feeds,
    inbox,
    moderation,
    revisions,
    story,
    triage,
)

app_name = "desk"

urlpatterns = [
    path("", triage.triage, name="triage"),
    path("login/", account.SignInView.as_view(), name="login"),
    path("logout/", account.SignOutView.as_view(), name="logout"),
    path("password-reset/", account.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/", account.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        account.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", account.account, name="account"),
    path("feeds/", feeds.feeds, name="feeds"),
    path("feeds/import/", feeds.import_opml, name="import_opml"),
    path("feeds/export.opml", feeds.export_opml, name="export_opml"),
    path("feeds/<int:feed_id>/active/", feeds.set_active, name="feed_active"),
    path("feeds/<int:feed_id>/full-text/", feeds.set_full_text, name="feed_full_text"),
    path("compose/<int:article_id>/", compose.compose, name="compose"),
    path("compose/story/<int:story_id>/", compose.compose_story, name="compose_story"),
    path("posts/<int:post_id>/", compose.edit_post, name="edit_post"),
    path("posts/<int:post_id>/revisions/", revisions.revisions, name="revisions"),
    path("clip/", clip.clip, name="clip"),
    path("stories/<int:story_id>/", story.story_page, name="story"),
    path("stories/<int:story_id>/state/", triage.story_state, name="story_state"),
    path("stories/<int:story_id>/merge/", story.merge, name="merge"),
    path("stories/<int:story_id>/move-out/<int:article_id>/", story.move_out, name="move_out"),
    path(
        "stories/<int:story_id>/undo-merge/<int:correction_id>/",
        story.undo_merge,
        name="undo_merge",
    ),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:suggestion_id>/", inbox.decide, name="decide"),
    path("comments/", moderation.moderation, name="moderation"),
    path("comments/<int:comment_id>/", moderation.moderate, name="moderate"),
    path("comments/bulk/", moderation.bulk, name="moderate_bulk"),
    path("comments/<int:comment_id>/ban/", moderation.ban, name="moderate_ban"),
    path("comments/rules/", moderation.add_rule, name="moderation_rule"),
    path("comments/post/<int:post_id>/mode/", moderation.post_mode, name="comment_mode"),
]
