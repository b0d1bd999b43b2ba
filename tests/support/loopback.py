"""A real HTTP server on 127.0.0.1 for fetch tests: no mocked transport anywhere.

Tests declare what each path answers with `Reply` objects (status, headers, body, and the ways
servers misbehave: answering late, dripping the body, lying about its length). Every request is
recorded, so a test can check the headers the fetcher sent (User-Agent, If-None-Match...).

    with LoopbackServer() as server:
        server.route("/feed.xml", Reply(body=b"<rss/>", headers={"ETag": '"v1"'}))
        fetch(server.url("/feed.xml"))
"""

from __future__ import annotations

import contextlib
import gzip
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0  # seconds to wait before answering at all
    drip: float = 0.0  # when > 0, send the body one byte at a time with this pause
    gzip: bool = False  # compress the body and say so
    # 304 when the request's If-None-Match equals this ETag (also sent on the 200).
    etag: str | None = None
    # Send no Content-Length and end the body by closing the connection (sizes unknown upfront).
    unsized: bool = False


@dataclass(frozen=True)
class SeenRequest:
    path: str
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""  # a POST's body (fake APIs, e.g. an Akismet-compatible check)


Handler = Callable[[SeenRequest], Reply]


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up early are what the fetch tests are about (a body refused past its
    limit, a timeout): the server does not print a traceback for each."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoopbackServer:
    def __init__(self) -> None:
        self._routes: dict[str, Reply | Handler] = {}
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass  # tests read server.requests instead

            def do_GET(self) -> None:
                self._handle(b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._handle(self.rfile.read(length))

            def _handle(self, body: bytes) -> None:
                seen = SeenRequest(
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    method=self.command,
                    body=body,
                )
                with server._lock:
                    server.requests.append(seen)
                    route = server._routes.get(self.path.split("?", 1)[0])
                if route is None:
                    reply = Reply(status=404, body=b"not here")
                else:
                    reply = route(seen) if callable(route) else route
                # The client may give up mid-answer (a timeout or size test): expected.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer(seen, reply)

            def _answer(self, seen: SeenRequest, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                status, body = reply.status, reply.body
                headers = dict(reply.headers)
                if reply.etag is not None:
                    headers["ETag"] = reply.etag
                    if seen.headers.get("if-none-match") == reply.etag:
                        status, body = 304, b""
                if reply.gzip and body:
                    body = gzip.compress(body)
                    headers["Content-Encoding"] = "gzip"
                if reply.unsized:
                    headers["Connection"] = "close"
                    self.close_connection = True
                else:
                    headers.setdefault("Content-Length", str(len(body)))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if not reply.drip:
                    self.wfile.write(body)
                    return
                for index in range(len(body)):
                    self.wfile.write(body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(reply.drip)

        self._server = _QuietServer(("127.0.0.1", 0), RequestHandler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def route(self, path: str, reply: Reply | Handler) -> str:
        with self._lock:
            self._routes[path] = reply
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> list[SeenRequest]:
        with self._lock:
            return [seen for seen in self.requests if seen.path == path]

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
