from django.urls import path

from dateline.comments import views

app_name = "comments"

urlpatterns = [
    path("post/<int:post_id>/", views.post_comment, name="post"),
]
