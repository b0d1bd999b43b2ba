import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
django_application = get_wsgi_application()

# Imported once Django is set up. A cached public page is answered before Django's request
# handling (docs/decisions/0066-shared-page-cache-and-fast-path.md).
from dateline.blog.caching import FastPath  # noqa: E402

application = FastPath(django_application)

# Everything loaded by now lives as long as the worker. Frozen, it is left out of the cyclic
# collector's full passes, which otherwise walk all of Django each time (some 80 ms, inside
# whichever request triggered it).
gc.collect()
gc.freeze()
