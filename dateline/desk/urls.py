from django.contrib.auth import views as auth_views
from django.urls import path

from dateline.desk.views import compose, moderation, triage

app_name = "desk"

urlpatterns = [
    path("", triage.triage, name="triage"),
    path("login/", auth_views.LoginView.as_view(template_name="desk/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("compose/<int:article_id>/", compose.compose, name="compose"),
    path("comments/", moderation.moderation, name="moderation"),
    path("comments/<int:comment_id>/", moderation.moderate, name="moderate"),
]
