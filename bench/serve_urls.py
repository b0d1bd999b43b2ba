"""The product's URLs plus the benchmark's peer (constant_urls.constant) behind the same server,
the same middleware and the same WSGI handler as the real pages: the fastest any page of this
stack can be served.
"""

from constant_urls import constant
from django.urls import path

from dateline.urls import handler404, handler500, urlpatterns

urlpatterns = [path("__bench__/constant/<str:name>/", constant), *urlpatterns]
__all__ = ["handler404", "handler500", "urlpatterns"]
