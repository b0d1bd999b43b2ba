"""The composition root's URL map: the only place that knows every app's URLs."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("desk/", include("dateline.desk.urls")),
    path("comments/", include("dateline.comments.urls")),
    path("", include("dateline.blog.urls")),
]

handler404 = "dateline.core.views.not_found"
handler500 = "dateline.core.views.server_error"
