"""The composition root's URL map: the only place that knows every app's URLs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve as serve_file

from dateline.desk.account_forms import AdminSignInForm

# The admin's sign-in goes through the same throttle as the desk's, and says so when it refuses.
admin.site.login_form = AdminSignInForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("desk/", include("dateline.desk.urls")),
    path("comments/", include("dateline.comments.urls")),
    # Uploaded pictures in the default local media folder. A site that stores them elsewhere
    # (an object store) gets absolute URLs from its storage and never reaches this route.
    re_path(r"^media/(?P<path>.+)$", serve_file, {"document_root": settings.MEDIA_ROOT}),
    path("", include("dateline.blog.urls")),
]

handler404 = "dateline.core.views.not_found"
handler500 = "dateline.core.views.server_error"
