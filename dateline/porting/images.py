"""`dateline import --fetch-images`: the pictures a post shows, downloaded through the safe
fetcher (no private addresses, size and time limits) into the blog's storage, and the post's
links rewritten to the stored copies. A picture that cannot be fetched keeps its old link."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile

from dateline.blog import services as blog
from dateline.blog.exceptions import InvalidImage
from dateline.core.safehttp import FetchError, FetchPolicy, fetch
from dateline.porting.domain.html_text import image_sources


class ImageFetcher:
    def __init__(self) -> None:
        self.stored: dict[str, str] = {}  # old address -> new address
        self.failed: set[str] = set()
        self.policy = FetchPolicy(
            allow_loopback=settings.FETCH_ALLOW_LOOPBACK, max_bytes=blog.MAX_IMAGE_BYTES
        )

    def localise(self, body: str) -> str:
        """`body` with each picture it shows stored here and its link rewritten."""
        for url in image_sources(body):
            new = self._store(url)
            if new is not None:
                for written in {url, html.escape(url)}:
                    body = body.replace(f'"{written}"', f'"{new}"').replace(
                        f"'{written}'", f"'{new}'"
                    )
        return body

    def _store(self, url: str) -> str | None:
        if url in self.stored:
            return self.stored[url]
        if url in self.failed:
            return None
        absolute = "https:" + url if url.startswith("//") else url
        try:
            answer = fetch(absolute, policy=self.policy)
            if answer.status != 200:
                raise InvalidImage(f"answered {answer.status}")
            name = urlsplit(answer.url).path.rsplit("/", 1)[-1] or "image"
            image = blog.upload_image(ContentFile(answer.body, name=name))
        except (FetchError, InvalidImage):
            self.failed.add(url)
            return None
        self.stored[url] = image.original.url
        return self.stored[url]
