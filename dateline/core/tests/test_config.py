from pathlib import Path

import pytest

from dateline.core import config
from dateline.core.errors import ConfigurationError


def make(**env: str) -> config.Config:
    return config.Config(env)


def test_sqlite_default_lives_in_the_data_directory(tmp_path: Path):
    db = config.database_from_url("", data_dir=tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "dateline.sqlite3")
    pragmas = db["OPTIONS"]["init_command"]
    assert "journal_mode=WAL" in pragmas and "foreign_keys=ON" in pragmas
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_sqlite_url_needs_an_absolute_path(tmp_path: Path):
    for url in ("sqlite:///srv/x.db", "sqlite:////srv/x.db"):
        assert config.database_from_url(url, data_dir=tmp_path)["NAME"] == "/srv/x.db"
    with pytest.raises(ConfigurationError, match="absolute path"):
        config.database_from_url("sqlite:///", data_dir=tmp_path)
    with pytest.raises(ConfigurationError, match="absolute path"):
        config.database_from_url("sqlite://relative/x.db", data_dir=tmp_path)


def test_postgres_url_is_split_into_django_fields(tmp_path: Path):
    db = config.database_from_url(
        "postgres://news:s%40cret@db.internal:5433/dateline?sslmode=require", data_dir=tmp_path
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "dateline",
        "news",
        "s@cret",
        "db.internal",
        "5433",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/", "nonsense"])
def test_unsupported_database_urls_are_refused(url: str, tmp_path: Path):
    with pytest.raises(ConfigurationError):
        config.database_from_url(url, data_dir=tmp_path)


def test_development_generates_a_secret_key_once(tmp_path: Path):
    env = make(DATELINE_DATA_DIR=str(tmp_path))
    first = config.secret_key(env)
    assert len(first) > 40
    assert config.secret_key(env) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_development_allows_local_hosts(tmp_path: Path):
    assert "127.0.0.1" in config.allowed_hosts(make(DATELINE_DATA_DIR=str(tmp_path)))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATELINE_ALLOWED_HOSTS": "news.example.org"}, "DATELINE_SECRET_KEY"),
        ({"DATELINE_SECRET_KEY": "k3Y-9qZ_" * 7}, "DATELINE_ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_missing_essentials(env: dict[str, str], message: str, tmp_path: Path):
    cfg = make(DATELINE_ENV="production", DATELINE_DATA_DIR=str(tmp_path), **env)
    with pytest.raises(ConfigurationError, match=message):
        config.secret_key(cfg)
        config.allowed_hosts(cfg)
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_debug():
    with pytest.raises(ConfigurationError, match="DEBUG"):
        config.debug(make(DATELINE_ENV="production", DATELINE_DEBUG="true"))


def test_flags_and_numbers_are_checked():
    with pytest.raises(ConfigurationError, match="true or false"):
        make(DATELINE_DEBUG="maybe").flag("DATELINE_DEBUG")
    with pytest.raises(ConfigurationError, match="whole number"):
        make(DATELINE_WEB_WORKERS="two").integer("DATELINE_WEB_WORKERS")
    assert make(DATELINE_WEB_WORKERS=" 3 ").integer("DATELINE_WEB_WORKERS") == 3


def test_stories_close_after_one_day_or_more():
    assert config.story_close_after_days(make()) == 7
    assert config.story_close_after_days(make(DATELINE_STORY_CLOSE_AFTER_DAYS="30")) == 30
    for bad in ("0", "-3"):
        with pytest.raises(ConfigurationError, match="1 or more"):
            config.story_close_after_days(make(DATELINE_STORY_CLOSE_AFTER_DAYS=bad))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATELINE_WORKER_TICK_SECONDS", "-1", "0 or more"),
        ("DATELINE_ARTICLE_RETENTION_DAYS", "-5", "0 or more"),
        ("DATELINE_ARTICLE_RETENTION_DAYS", "99999999999", "36500 or less"),
        ("DATELINE_STORY_CLOSE_AFTER_DAYS", "99999999999", "36500 or less"),
        ("DATELINE_WEB_WORKERS", "0", "1 or more"),
    ],
)
def test_numbers_out_of_range_are_refused_at_start(name: str, value: str, message: str):
    # Before, these failed later in the worker's loop: a negative sleep, a timedelta overflow.
    readers = {
        "DATELINE_WORKER_TICK_SECONDS": config.worker_tick_seconds,
        "DATELINE_ARTICLE_RETENTION_DAYS": config.article_retention_days,
        "DATELINE_STORY_CLOSE_AFTER_DAYS": config.story_close_after_days,
        "DATELINE_WEB_WORKERS": config.web_workers,
    }
    with pytest.raises(ConfigurationError, match=f"{name} must be {message}"):
        readers[name](make(**{name: value}))


def test_numbers_in_range_are_read():
    assert config.worker_tick_seconds(make()) == 5
    assert config.worker_tick_seconds(make(DATELINE_WORKER_TICK_SECONDS="0")) == 0
    assert config.article_retention_days(make(DATELINE_ARTICLE_RETENTION_DAYS="0")) == 0
    assert config.article_retention_days(make(DATELINE_ARTICLE_RETENTION_DAYS="36500")) == 36500
    assert config.web_workers(make(DATELINE_WEB_WORKERS="8")) == 8


def test_time_zone_must_be_a_zone_name():
    assert config.time_zone(make()) == "UTC"
    assert config.time_zone(make(DATELINE_TIME_ZONE="Asia/Kolkata")) == "Asia/Kolkata"
    for bad in ("Mars/Olympus", "", "../../etc/passwd"):
        with pytest.raises(ConfigurationError, match="DATELINE_TIME_ZONE must be a time zone"):
            config.time_zone(make(DATELINE_TIME_ZONE=bad))


def test_log_level_must_be_a_level_name():
    assert config.log_level(make()) == "INFO"
    assert config.log_level(make(DATELINE_LOG_LEVEL="debug")) == "DEBUG"
    with pytest.raises(ConfigurationError, match="DATELINE_LOG_LEVEL must be one of DEBUG"):
        config.log_level(make(DATELINE_LOG_LEVEL="verbose"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgres://news:hunter2@db.internal:abc/dateline", "Port could not be cast"),
        ("postgres://news:hunter2@db.internal:99999/dateline", "Port out of range"),
        ("postgres://news:hunter2@[db.internal/dateline", "Invalid IPv6 URL"),
        ("postgres://news:hun/ter2@db.internal/dateline", "percent-encode"),
        ("postgres://news:hun#ter2@db.internal/dateline", "percent-encode"),
        ("postgres://news:hun?ter2@db.internal/dateline", "percent-encode"),
        ("mysql://news:hunter2@db.internal/dateline", "only sqlite"),
    ],
)
def test_a_bad_database_url_is_one_line_that_hides_the_password(
    url: str, message: str, tmp_path: Path
):
    with pytest.raises(ConfigurationError, match=message) as refused:
        config.database_from_url(url, data_dir=tmp_path)
    assert "postgres://news:***@" in str(refused.value) or "mysql://news:***@" in str(refused.value)
    assert "hunter2" not in str(refused.value) and "ter2" not in str(refused.value)


def test_a_password_with_encoded_or_unencoded_at_signs_is_read_whole(tmp_path: Path):
    for url in ("postgres://news:p@ss@db/dateline", "postgres://news:p%40ss@db/dateline"):
        db = config.database_from_url(url, data_dir=tmp_path)
        assert (db["PASSWORD"], db["HOST"], db["NAME"]) == ("p@ss", "db", "dateline")
    with pytest.raises(ConfigurationError, match="names no database"):
        config.database_from_url("postgres://news:pw@db", data_dir=tmp_path)


@pytest.mark.parametrize(
    "host", ["news.example.org:8000", "https://news.example.org", "[::1]:8000", "2001:db8::1"]
)
def test_allowed_hosts_with_a_port_or_scheme_are_refused(host: str):
    # Django matches the request's host without its port: such an entry made every page a 400.
    with pytest.raises(ConfigurationError, match="without a scheme or port"):
        config.allowed_hosts(make(DATELINE_ALLOWED_HOSTS=f"example.org, {host}"))


def test_allowed_hosts_keep_wildcards_and_bracketed_addresses():
    hosts = "news.example.org, .example.net, [2001:db8::1], *"
    assert config.allowed_hosts(make(DATELINE_ALLOWED_HOSTS=hosts)) == [
        "news.example.org",
        ".example.net",
        "[2001:db8::1]",
        "*",
    ]


def test_unknown_dateline_variables_are_named_with_the_setting_meant():
    # Spelt through a prefix: test_settings_documented flags any literal unregistered name.
    typo = "DATELINE_"
    environ = {
        f"{typo}DATBASE_URL": "postgres://news@db/dateline",
        f"{typo}ALOWED_HOSTS": "news.example.org",
        f"{typo}FOO": "1",
        "DATELINE_DEBUG": "false",
        "DATELINE_TEST_POSTGRES_URL": "postgres://localhost/test",
        "HOME": "/root",
    }
    assert config.unknown_settings(environ) == [
        f"{typo}ALOWED_HOSTS is not a Dateline setting and is ignored "
        "(did you mean DATELINE_ALLOWED_HOSTS?)",
        f"{typo}DATBASE_URL is not a Dateline setting and is ignored "
        "(did you mean DATELINE_DATABASE_URL?)",
        f"{typo}FOO is not a Dateline setting and is ignored",
    ]


def test_mail_goes_to_the_console_unless_a_server_is_named():
    from dateline.core.config import Config, email_backend

    assert email_backend(Config({}))["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = email_backend(Config({"DATELINE_EMAIL_URL": "smtps://me%40x.org:p%2Fw@mail.x.org"}))
    assert smtp["EMAIL_HOST"] == "mail.x.org" and smtp["EMAIL_PORT"] == 465
    assert smtp["EMAIL_HOST_USER"] == "me@x.org" and smtp["EMAIL_HOST_PASSWORD"] == "p/w"
    assert smtp["EMAIL_USE_SSL"] and not smtp["EMAIL_USE_TLS"]
    plain = email_backend(Config({"DATELINE_EMAIL_URL": "smtp://127.0.0.1:2525?starttls=true"}))
    assert plain["EMAIL_PORT"] == 2525 and plain["EMAIL_USE_TLS"] and not plain["EMAIL_USE_SSL"]


@pytest.mark.parametrize("url", ["http://mail.x.org", "smtp://", "smtp://host:99999"])
def test_a_mail_address_that_cannot_work_stops_the_start(url):
    from dateline.core.config import Config, email_backend

    with pytest.raises(ConfigurationError, match="DATELINE_EMAIL_URL"):
        email_backend(Config({"DATELINE_EMAIL_URL": url}))
