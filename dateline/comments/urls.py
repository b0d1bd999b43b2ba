from django.urls import path

from dateline.comments import views

app_name = "comments"

urlpatterns = [
    path("post/<int:post_id>/", views.post_comment, name="post"),
    path("<int:comment_id>/edit/", views.edit_comment, name="edit"),
    path("<int:comment_id>/report/", views.report_comment, name="report"),
    path("mail/<str:token>/", views.mail_action, name="mail_action"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
