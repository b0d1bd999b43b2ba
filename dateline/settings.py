"""Django settings: the composition root's view of the setting registry (dateline.core.config).

Every value a deployment may change is read through the registry, so docs/settings.md stays the
whole truth. Nothing else in the package reads the environment.
"""

from __future__ import annotations

from dateline.core import config as registry

CONFIG = registry.Config()

DATA_DIR = CONFIG.data_dir
registry.create_data_dir(DATA_DIR)
SECRET_KEY = registry.secret_key(CONFIG)
DEBUG = registry.debug(CONFIG)
ALLOWED_HOSTS = registry.allowed_hosts(CONFIG)
CSRF_TRUSTED_ORIGINS = CONFIG.items("DATELINE_CSRF_TRUSTED_ORIGINS")
PRODUCTION = CONFIG.production

DATABASES = {
    "default": registry.database_from_url(CONFIG.get("DATELINE_DATABASE_URL"), data_dir=DATA_DIR)
}
CACHES = {
    "default": registry.cache_from_url(
        CONFIG.get("DATELINE_CACHE_URL"), data_dir=DATA_DIR, database=DATABASES["default"]
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Optional TOTP two-factor sign-in for editors (dateline.desk.two_factor, decision 0081).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "dateline.core",
    "dateline.wire",
    "dateline.stories",
    "dateline.blog",
    "dateline.comments",
    "dateline.desk",
    "dateline.porting",
    "dateline.demo",
]

MIDDLEWARE = [
    # First: /healthz answers whatever the Host header, so before CommonMiddleware checks it.
    "dateline.core.health.HealthCheckMiddleware",
    # First: it stores public pages with every header the rest adds, and answers them again
    # without any of it (dateline.wsgi answers them even before Django: decision 0066).
    "dateline.blog.caching.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the page cache and CommonMiddleware's slash-appending: see the module.
    "dateline.blog.middleware.OldAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dateline.core.http_errors.DatelineErrorMiddleware",
]

ROOT_URLCONF = "dateline.urls"
WSGI_APPLICATION = "dateline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dateline.core.context_processors.site",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Every sign-in (desk, admin) is throttled and, for editors who turned it on, asks for a TOTP code.
AUTHENTICATION_BACKENDS = ["dateline.desk.sign_in.ThrottledModelBackend"]
SIGN_IN_LIMITS = registry.sign_in_limits(CONFIG)
LOGIN_URL = "/desk/login/"
LOGIN_REDIRECT_URL = "/desk/"

LANGUAGE_CODE = "en"
TIME_ZONE = registry.time_zone(CONFIG)
USE_I18N = True
USE_TZ = True

SITE_NAME = CONFIG.get("DATELINE_SITE_NAME")
EDITOR_SIGNATURE = CONFIG.get("DATELINE_EDITOR_SIGNATURE")
OTP_TOTP_ISSUER = SITE_NAME  # the name authenticator apps show beside the code

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# `dateline serve` collects static files at start; the finders cover tests and `manage` use.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

WEB_WORKERS = registry.web_workers(CONFIG)
ACCESS_LOG = CONFIG.flag("DATELINE_ACCESS_LOG")
WORKER_TICK_SECONDS = registry.worker_tick_seconds(CONFIG)
FETCH_ALLOW_LOOPBACK = CONFIG.flag("DATELINE_FETCH_ALLOW_LOOPBACK")
ARTICLE_RETENTION_DAYS = registry.article_retention_days(CONFIG)
# Read again by stories.clustering_setup, which also runs without Django; here a bad value stops
# every command at start instead of the worker's clustering job.
STORY_CLOSE_AFTER_DAYS = registry.story_close_after_days(CONFIG)

SESSION_ENGINE = "dateline.core.sessions"  # Django's database sessions, hostile keys refused
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = registry.session_days(CONFIG) * 24 * 60 * 60
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# The header is believed only when a proxy in front sets it on every request: otherwise any
# client reaching the app server could claim https (Django's own advice for this setting).
BEHIND_TLS_PROXY = CONFIG.flag("DATELINE_BEHIND_TLS_PROXY")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client's address (dateline.core.client_address): X-Forwarded-For is read only behind a proxy.
TRUSTED_PROXY_HOPS = registry.trusted_proxy_hops(CONFIG)

# Comments: policy, limits and mail links from the registry (docs/settings.md).
globals().update(registry.comment_settings(CONFIG))
# Rate limits on the public comment form, counted in the database so every web process sees the
# same count: (how many comments, within how many seconds) per client address and per network
# (/24, /64). Not a registered setting: a site that needs other limits is a site under attack,
# and bench/comments_settings.py relaxes them for the benchmark.
COMMENT_RATE_LIMITS = {"address": ((5, 60), (30, 3600)), "network": ((20, 60), (200, 3600))}

# Mail (password resets, comment notices): the console in development, SMTP when configured.
globals().update(registry.email_backend(CONFIG))
DEFAULT_FROM_EMAIL = CONFIG.get("DATELINE_EMAIL_FROM")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Read in every environment, so a bad value stops the first command, not the first deployment.
# Sent by SecurityMiddleware on https answers only, and only in production: a developer's
# browser would otherwise hold localhost to https.
HSTS_SECONDS = registry.hsts_seconds(CONFIG)
SECURE_HSTS_SECONDS = HSTS_SECONDS if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = CONFIG.flag("DATELINE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = CONFIG.flag("DATELINE_HSTS_PRELOAD")

# Dateline's own loggers, and every unhandled exception of a request (a 500) with its traceback,
# method and path, go to stderr: the server's error log, in production too. Django's default sends
# those only to a console in debug mode, or by mail to ADMINS, which Dateline does not set.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_line": {"()": "dateline.core.request_log.RequestLine"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "request": {"format": "%(asctime)s %(levelname)s %(name)s: %(request_line)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "requests": {
            "class": "logging.StreamHandler",
            "formatter": "request",
            "filters": ["request_line"],
        },
    },
    "loggers": {
        "dateline": {"handlers": ["console"], "level": registry.log_level(CONFIG)},
        # Errors only: 4xx answers are in the access log, and a 404 is no fault of the site's.
        "django.request": {"handlers": ["requests"], "level": "ERROR", "propagate": False},
    },
}
