"""The best-case peer's WSGI application (bench/constant_settings.py), for granian."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "constant_settings"
application = get_wsgi_application()
