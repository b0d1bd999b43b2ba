"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API, in a thread of its
own.

Playwright's sync API runs an asyncio event loop in the thread that starts it, and Django refuses
database access from a thread with a running loop (SynchronousOnlyOperation). Rather than switch
that guard off for the whole suite (DJANGO_ALLOW_ASYNC_UNSAFE), the browser lives in one worker
thread: tests write their data through the ORM in the test thread, then hand the browser a
function to run. Assertions inside it raise in the test as usual.

Every request that does not go to loopback is refused (embedded players would fetch YouTube), so
the tests stay offline.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Playwright, Route, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# One step in the browser (a page load, an axe run) should never take this long.
STEP_TIMEOUT_S = 120

T = TypeVar("T")


def _offline(route: Route) -> None:
    if urlsplit(route.request.url).hostname in LOOPBACK_HOSTS:
        route.continue_()
    else:
        route.abort("blockedbyclient")


class Chromium:
    """One Chromium for a test session, used only from its own thread."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._playwright: Playwright | None = None
        self._browser: Browser = self._call(self._launch)

    def _call(self, work: Callable[[], T]) -> T:
        return self._thread.submit(work).result(timeout=STEP_TIMEOUT_S * 3)

    def _launch(self) -> Browser:
        self._playwright = sync_playwright().start()
        return self._playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )

    def run(self, work: Callable[[BrowserContext], T], **context_options: object) -> T:
        """Runs `work(context)` in a fresh browser context (cookies, viewport, color scheme,
        JavaScript on or off as given), closed afterwards."""

        def in_thread() -> T:
            context = self._browser.new_context(**context_options)  # type: ignore[arg-type]
            context.set_default_timeout(STEP_TIMEOUT_S * 1000 // 4)
            context.route("**/*", _offline)
            try:
                return work(context)
            finally:
                context.close()

        return self._call(in_thread)

    def close(self) -> None:
        def shut() -> None:
            self._browser.close()
            if self._playwright is not None:
                self._playwright.stop()

        try:
            self._call(shut)
        finally:
            self._thread.shutdown(wait=True)
