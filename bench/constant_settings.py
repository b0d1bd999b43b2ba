"""Settings for the benchmark's best-case peer (bench/serve.py): the least Django can do.

A constant view in a minimal settings module: DEBUG off, only SecurityMiddleware and
CommonMiddleware, no database, no templates, no apps. bench/serve.py serves it on granian
(WSGI, 2 workers x 4 blocking threads) as `constant_best_rps`: the ceiling a cached page of
Dateline is measured against.
"""

import os

DEBUG = False
SECRET_KEY = os.environ.get("BENCH_SECRET_KEY", "bench-only-" + "x" * 50)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "constant_urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
