from django.contrib.auth import views as auth_views
from django.urls import path

from dateline.desk.views import compose, inbox, moderation, story, triage

app_name = "desk"

urlpatterns = [
    path("", triage.triage, name="triage"),
    path("login/", auth_views.LoginView.as_view(template_name="desk/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("compose/<int:article_id>/", compose.compose, name="compose"),
    path("compose/story/<int:story_id>/", compose.compose_story, name="compose_story"),
    path("stories/<int:story_id>/", story.story_page, name="story"),
    path("stories/<int:story_id>/state/", triage.story_state, name="story_state"),
    path("stories/<int:story_id>/merge/", story.merge, name="merge"),
    path("stories/<int:story_id>/move-out/<int:article_id>/", story.move_out, name="move_out"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:suggestion_id>/", inbox.decide, name="decide"),
    path("comments/", moderation.moderation, name="moderation"),
    path("comments/<int:comment_id>/", moderation.moderate, name="moderate"),
]
