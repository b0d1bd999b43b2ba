import pytest


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Tests run without `collectstatic`, so the hashed-manifest storage has no manifest to read;
    the plain storage gives the same URLs without hashes."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
