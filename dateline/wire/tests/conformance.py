"""Runs feedparser's own test corpus through Dateline's parser (test-side harness).

Each corpus file states its expectation as a Python expression over feedparser's result dict
(see ../shared/data/feeds/feedparser-conformance/README.md). ``FeedparserView`` builds that
vocabulary from Dateline's records by renaming only: ``summary`` is also ``description``,
``rights`` also ``copyright``, a datetime's ``*_parsed`` is its UTC time tuple, a record's
absent field is an absent key. It never looks at the expectation and never calls feedparser.

Per-suite rules (the corpus README): ``wellformed`` needs the feed unflagged and the
expression true; ``entities`` needs the expression true and the feed flagged (the entity is not
XML); ``illformed``, ``encoding`` and ``json`` need the expression. Files whose path contains
``http`` are served with their ``Header:`` lines by a real HTTP server on loopback and read from
there, as an HTTP fetch would; the harness passes the response headers to ``parse_feed``.
"""

from __future__ import annotations

import datetime as datetime_module
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from dateline.wire.adapters.feeds import parse_feed
from dateline.wire.domain.dates import parse_date
from dateline.wire.domain.records import (
    Category,
    Entry,
    FeedInfo,
    InReplyTo,
    Link,
    ParsedFeed,
    Person,
    Source,
    TextValue,
)
from dateline.wire.exceptions import ParseError

SUITES = ("wellformed", "sanitize", "entities", "encoding", "illformed", "json")

# Anything that would run script in a browser, in HTML output (plain text is shown escaped).
_EXECUTABLE = re.compile(
    r"<\s*(?:script|iframe|object|embed|applet|frame|frameset|meta|link|base|style|form|svg|math)\b"
    r"|\son[a-z]+\s*=|(?:java|vb|live)script\s*:|data\s*:\s*text/html|expression\s*\(|-moz-binding",
    re.IGNORECASE,
)


# feedparser's own alternative names for its keys (its FeedParserDict.keymap): renames only.
_ALIASES = {
    "channel": ("feed",),
    "items": ("entries",),
    "guid": ("id",),
    "date": ("updated",),
    "date_parsed": ("updated_parsed",),
    "description": ("summary", "subtitle"),
    "description_detail": ("summary_detail", "subtitle_detail"),
    "url": ("href",),
    "modified": ("updated",),
    "modified_parsed": ("updated_parsed",),
    "issued": ("published",),
    "issued_parsed": ("published_parsed",),
    "copyright": ("rights",),
    "copyright_detail": ("rights_detail",),
    "tagline": ("subtitle",),
    "tagline_detail": ("subtitle_detail",),
}


class ViewDict(dict[str, Any]):
    """A dict that also reads keys as attributes and by feedparser's alternative names."""

    def __missing__(self, name: str) -> Any:
        for alias in _ALIASES.get(name, ()):
            if dict.__contains__(self, alias):
                return dict.__getitem__(self, alias)
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        if dict.__contains__(self, name):
            return True
        return isinstance(name, str) and any(
            dict.__contains__(self, alias) for alias in _ALIASES.get(name, ())
        )

    def get(self, name: str, default: Any = None) -> Any:
        # Not dict.get: that would skip the alias lookup __getitem__ does.
        return self[name] if name in self else default  # noqa: SIM401

    def has_key(self, name: str) -> bool:
        return name in self

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _struct(moment: datetime | None) -> time.struct_time | None:
    return moment.utctimetuple() if moment is not None else None


def _text(value: TextValue | None) -> ViewDict | None:
    if value is None:
        return None
    view = ViewDict(value=value.value, type=value.type, language=value.language, base=value.base)
    _put(view, "src", value.src)
    return view


def _person(person: Person) -> ViewDict:
    view = ViewDict()
    if person.name is not None:
        view["name"] = person.name
    if person.email is not None:
        view["email"] = person.email
    if person.uri is not None:
        view["href"] = person.uri
    return view


def _link(link: Link) -> ViewDict:
    view = ViewDict(href=link.href, rel=link.rel)
    for name in ("type", "title", "length", "hreflang"):
        value = getattr(link, name)
        if value is not None:
            view[name] = value
    return view


def _tag(category: Category) -> ViewDict:
    return ViewDict(term=category.term, scheme=category.scheme, label=category.label)


def _put(view: ViewDict, name: str, value: Any) -> None:
    if value is not None and value != () and value != []:
        view[name] = value


def _put_text(view: ViewDict, names: tuple[str, ...], value: TextValue | None) -> None:
    detail = _text(value)
    if detail is None:
        return
    for name in names:
        view[name] = detail["value"]
        view[name + "_detail"] = detail


def _put_date(view: ViewDict, names: tuple[str, ...], moment: datetime | None, raw: str | None):
    for name in names:
        if raw is not None:
            view[name] = raw
        elif moment is not None:
            view[name] = moment.isoformat()
        if moment is not None:
            view[name + "_parsed"] = _struct(moment)


def _put_people(view: ViewDict, authors: tuple[Person, ...], contributors: tuple[Person, ...]):
    if authors:
        view["authors"] = [_person(person) for person in authors]
        first = authors[0]
        view["author_detail"] = _person(first)
        if first.name and first.email:
            view["author"] = f"{first.name} ({first.email})"
        else:
            view["author"] = first.name or first.email or first.uri or ""
    if contributors:
        view["contributors"] = [_person(person) for person in contributors]


def _put_itunes(view: ViewDict, itunes: Any) -> None:
    if itunes is None:
        return
    view["itunes_block"] = 1 if itunes.block else 0
    view["itunes_explicit"] = itunes.explicit
    for name in ("duration", "episode", "season", "episode_type", "subtitle", "summary"):
        _put(view, "itunes_" + name, getattr(itunes, name))
    if itunes.owner is not None:
        view["itunes_owner"] = _person(itunes.owner)


def _put_replies(view: ViewDict, replies: tuple[InReplyTo, ...]) -> None:
    if replies:  # feedparser's key holds one reply; the view shows the first
        first = replies[0]
        reply = ViewDict(ref=first.ref)
        for name in ("href", "type", "source"):
            _put(reply, name, getattr(first, name))
        view["thr_in-reply-to"] = reply


def _source(source: Source) -> ViewDict:
    view = ViewDict()
    _put_text(view, ("title",), source.title)
    _put(view, "href", source.url)
    _put(view, "id", source.id)
    _put(view, "link", source.link)
    if source.links:
        view["links"] = [_link(link) for link in source.links]
    _put_date(view, ("updated",), source.updated, None)
    _put_people(view, source.authors, source.contributors)
    if source.categories:
        view["tags"] = [_tag(category) for category in source.categories]
    if source.generator is not None:
        view["generator"] = source.generator.name
        view["generator_detail"] = ViewDict(
            name=source.generator.name, href=source.generator.uri, version=source.generator.version
        )
    _put(view, "icon", source.icon)
    _put(view, "logo", source.logo)
    _put_text(view, ("rights", "copyright"), source.rights)
    _put_text(view, ("subtitle", "tagline"), source.subtitle)
    return view


def feed_view(info: FeedInfo) -> ViewDict:
    view = ViewDict()
    _put_text(view, ("title",), info.title)
    _put_text(view, ("subtitle", "tagline", "description"), info.subtitle)
    _put_text(view, ("rights", "copyright"), info.rights)
    _put_text(view, ("info",), info.info)
    _put(view, "link", info.link)
    if info.links:
        view["links"] = [_link(link) for link in info.links]
    _put(view, "id", info.id)
    if info.id is not None:
        view["guid"] = info.id
    _put(view, "language", info.language)
    _put(view, "icon", info.icon)
    _put(view, "logo", info.logo)
    if info.image is not None:
        image = ViewDict()
        for name in ("title", "link", "width", "height", "description"):
            _put(image, name, getattr(info.image, name))
        _put(image, "href", info.image.url)
        view["image"] = image
    _put_date(view, ("updated", "modified"), info.updated, info.updated_text)
    _put_date(view, ("published", "issued"), info.published, info.published_text)
    _put_date(view, ("created",), info.created, info.created_text)
    _put_date(view, ("validity_start",), info.valid_from, info.valid_from_text)
    _put_date(view, ("validity_end",), info.valid_until, info.valid_until_text)
    _put_people(view, info.authors, info.contributors)
    if info.publisher is not None:
        view["publisher_detail"] = _person(info.publisher)
        view["publisher"] = info.publisher.name or info.publisher.email
    if info.categories:
        view["tags"] = [_tag(category) for category in info.categories]
        view["category"] = info.categories[0].term
    if info.generator is not None:
        view["generator"] = info.generator.name
        detail = ViewDict()
        _put(detail, "name", info.generator.name)
        _put(detail, "href", info.generator.uri)
        _put(detail, "version", info.generator.version)
        view["generator_detail"] = detail
    _put(view, "docs", info.docs)
    _put(view, "newlocation", info.new_location)
    _put_replies(view, info.in_reply_to)
    _put(view, "ttl", info.ttl)
    if info.cloud is not None:
        cloud = ViewDict()
        _put(cloud, "domain", info.cloud.domain)
        _put(cloud, "port", info.cloud.port)
        _put(cloud, "path", info.cloud.path)
        _put(cloud, "registerprocedure", info.cloud.register_procedure)
        _put(cloud, "protocol", info.cloud.protocol)
        view["cloud"] = cloud
    if info.text_input is not None:
        text_input = ViewDict()
        for name in ("title", "description", "name", "link"):
            _put(text_input, name, getattr(info.text_input, name))
        view["textinput"] = text_input
    _put_itunes(view, info.itunes)
    return view


def entry_view(entry: Entry) -> ViewDict:
    view = ViewDict()
    if entry.id_from_feed:
        view["id"] = entry.id
        view["guid"] = entry.id
    view["guidislink"] = entry.link_from_id
    _put_text(view, ("title",), entry.title)
    _put_text(view, ("summary", "description"), entry.summary)
    if entry.content:
        view["content"] = [_text(value) for value in entry.content]
    _put_text(view, ("rights", "copyright"), entry.rights)
    _put(view, "link", entry.link)
    if entry.links:
        view["links"] = [_link(link) for link in entry.links]
    _put_date(view, ("published", "issued"), entry.published, entry.published_text)
    _put_date(view, ("updated", "modified"), entry.updated, entry.updated_text)
    _put_date(view, ("created",), entry.created, entry.created_text)
    _put_date(view, ("expired",), entry.expired, entry.expired_text)
    _put_date(view, ("validity_start",), entry.valid_from, entry.valid_from_text)
    _put_date(view, ("validity_end",), entry.valid_until, entry.valid_until_text)
    _put_people(view, entry.authors, entry.contributors)
    if entry.publisher is not None:
        view["publisher_detail"] = _person(entry.publisher)
        view["publisher"] = entry.publisher.name or entry.publisher.email
    if entry.categories:
        view["tags"] = [_tag(category) for category in entry.categories]
        view["category"] = entry.categories[0].term
    if entry.enclosures:
        enclosures = []
        for enclosure in entry.enclosures:
            item = ViewDict(href=enclosure.url)
            _put(item, "type", enclosure.type)
            _put(item, "length", enclosure.length)
            enclosures.append(item)
        view["enclosures"] = enclosures
    if entry.source is not None:
        view["source"] = _source(entry.source)
    _put(view, "comments", entry.comments)
    _put(view, "wfw_commentrss", entry.comments_feed)
    _put(view, "wfw_comment", entry.comment_api)
    _put_replies(view, entry.in_reply_to)
    _put(view, "license", entry.license)
    if entry.image is not None:
        view["image"] = ViewDict(href=entry.image)
    if entry.itunes is not None and entry.itunes.subtitle is not None:
        view.setdefault("subtitle", entry.itunes.subtitle)
    _put(view, "language", entry.language)
    if entry.where is not None:
        view["where"] = ViewDict()
        if entry.where.type:  # an unreadable location has no shape to show
            view["where"].update(type=entry.where.type, coordinates=entry.where.coordinates)
    _put_itunes(view, entry.itunes)
    if entry.media is not None:
        media = entry.media
        if media.contents:
            view["media_content"] = [
                ViewDict({k: v for k, v in _media_item(item).items() if v is not None})
                for item in media.contents
            ]
        if media.thumbnails:
            view["media_thumbnail"] = [
                ViewDict({k: v for k, v in _media_item(item).items() if v is not None})
                for item in media.thumbnails
            ]
        if media.credits:
            view["media_credit"] = [
                ViewDict(content=person.name) for person in media.credits if person.name
            ]
        _put(view, "media_title", media.title)
        _put(view, "media_description", media.description)
        _put(view, "media_rating", media.rating)
        _put(view, "media_license", media.license)
        _put(view, "media_restriction", media.restriction)
        if media.player is not None:
            view["media_player"] = ViewDict(url=media.player)
        if media.keywords:
            view["media_keywords"] = ",".join(media.keywords)
    if entry.chapters:
        view["psc_chapters"] = ViewDict(
            chapters=[
                ViewDict({k: v for k, v in _chapter(chapter).items() if v is not None})
                for chapter in entry.chapters
            ]
        )
        _put(view["psc_chapters"], "version", entry.chapters_version)
    return view


def _media_item(item: Any) -> dict[str, Any]:
    return {
        "url": item.url,
        "type": item.type,
        "medium": item.medium,
        "width": item.width,
        "height": item.height,
        "duration": item.duration,
        "filesize": item.file_size,
    }


def _chapter(chapter: Any) -> dict[str, Any]:
    return {"start": chapter.start, "start_parsed": chapter.offset, "title": chapter.title,
            "href": chapter.href, "image": chapter.image}  # fmt: skip


def result_view(parsed: ParsedFeed | None, error: ParseError | None, http: dict[str, Any]):
    """The names an Expect expression uses, over Dateline's result."""
    view = ViewDict(http)
    if parsed is None:
        view.update(bozo=True, bozo_exception=error, feed=ViewDict(), entries=[], encoding="")
        view["version"] = ""
        view["namespaces"] = {}
        return view
    view["bozo"] = not parsed.well_formed
    view["bozo_exception"] = parsed.warnings[0] if parsed.warnings else None
    view["feed"] = feed_view(parsed.feed)
    view["entries"] = [entry_view(entry) for entry in parsed.entries]
    view["encoding"] = parsed.encoding
    view["version"] = parsed.format
    view["namespaces"] = dict(parsed.namespaces)
    return view


# --------------------------------------------------------------------------------- serving


class _CorpusServer:
    """Serves corpus files over HTTP on loopback with each case's Header: lines."""

    def __init__(self, root: Path, headers: dict[str, dict[str, str]]) -> None:
        corpus, case_headers = root, headers

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.lstrip("/")
                file = corpus / path
                if not file.is_file():
                    self.send_error(404)
                    return
                body = file.read_bytes()
                self.send_response(200)
                sent = {name.lower() for name in case_headers.get(path, {})}
                for name, value in case_headers.get(path, {}).items():
                    self.send_header(name, value)
                if "content-type" not in sent:
                    self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        try:  # the corpus's expectations name port 8097
            self.server = ThreadingHTTPServer(("127.0.0.1", 8097), Handler)
        except OSError:
            self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _CorpusServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def serving(root: Path, cases: list[dict[str, Any]]) -> Iterator[str]:
    headers = {case["path"]: case["http_headers"] for case in cases}
    with _CorpusServer(root, headers) as server:
        yield server.base


# --------------------------------------------------------------------------------- running


@dataclass(frozen=True, slots=True)
class CaseResult:
    path: str
    suite: str  # one of SUITES ("sanitize" for wellformed/sanitize/)
    passed: bool
    reason: str  # why it failed; "" when it passed
    unsafe: bool = False


def _suite(case: dict[str, Any]) -> str:
    if case["suite"] == "wellformed" and case["path"].startswith("wellformed/sanitize/"):
        return "sanitize"
    return str(case["suite"])


def _unsafe(parsed: ParsedFeed | None) -> bool:
    if parsed is None:
        return False
    values: list[TextValue] = []
    for info_value in (parsed.feed.title, parsed.feed.subtitle, parsed.feed.rights,
                       parsed.feed.info):  # fmt: skip
        if info_value is not None:
            values.append(info_value)
    for entry in parsed.entries:
        for value in (entry.title, entry.summary, entry.rights, *entry.content):
            if value is not None:
                values.append(value)
    return any(value.type != "text/plain" and _EXECUTABLE.search(value.value) for value in values)


def _fetch(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=10) as response:  # loopback only
        return response.read(), {name: value for name, value in response.headers.items()}


def run_case(case: dict[str, Any], root: Path, http_base: str) -> CaseResult:
    return evaluate_case(case, root, http_base)[0]


def evaluate_case(case: dict[str, Any], root: Path, http_base: str) -> tuple[CaseResult, ViewDict]:
    """Runs one case: its result and the view its expectation was evaluated over."""
    suite = _suite(case)
    path = case["path"]
    over_http = "http" in path or case["served_over_http"]
    http: dict[str, Any] = {}
    parsed: ParsedFeed | None = None
    error: ParseError | None = None
    try:
        if over_http:
            url = http_base + path
            data, headers = _fetch(url)
            lowered = {name.lower(): value for name, value in headers.items()}
            location = lowered.get("content-location")
            http["headers"] = headers
            http["href"] = url
            if lowered.get("etag"):
                http["etag"] = lowered["etag"]
            if lowered.get("last-modified"):
                http["modified"] = lowered["last-modified"]
                http["modified_parsed"] = _struct(parse_date(lowered["last-modified"]))
            parsed = parse_feed(
                data,
                content_type=lowered.get("content-type"),
                content_location=urljoin(url, location) if location else None,
                content_language=lowered.get("content-language"),
                base_url=url,
            )
        else:
            parsed = parse_feed((root / path).read_bytes())
    except ParseError as parse_error:
        error = parse_error
    view = result_view(parsed, error, http)
    try:
        holds = bool(eval(case["expect"], {"datetime": datetime_module}, view))
        reason = "" if holds else "expectation false"
    except Exception as failure:
        holds, reason = False, f"expectation raised {type(failure).__name__}: {failure}"
    if holds and suite == "wellformed" and view["bozo"]:
        holds, reason = False, f"flagged: {view['bozo_exception']}"
    if holds and suite == "entities" and not view["bozo"]:
        holds, reason = False, "undefined entity not flagged"
    if error is not None and not holds:
        reason = f"ParseError: {error}"
    return CaseResult(path, suite, holds, reason[:300], _unsafe(parsed)), view


def load_manifest(root: Path) -> list[dict[str, Any]]:
    with (root / "manifest.jsonl").open(encoding="utf-8") as manifest:
        return [json.loads(line) for line in manifest if line.strip()]


def run_corpus(root: Path) -> list[CaseResult]:
    cases = load_manifest(root)
    with serving(root, cases) as http_base:
        return [run_case(case, root, http_base) for case in cases]


def summarise(results: list[CaseResult]) -> dict[str, dict[str, int]]:
    summary: dict[str, dict[str, int]] = {}
    for suite in SUITES:
        chosen = [result for result in results if result.suite == suite]
        counts = {"passed": sum(r.passed for r in chosen), "total": len(chosen)}
        if suite == "sanitize":
            counts["unsafe"] = sum(r.unsafe for r in chosen)
        summary[suite] = counts
    return summary
