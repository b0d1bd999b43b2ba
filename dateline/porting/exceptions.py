"""Porting's error tree: what an import or export can refuse, each a core error kind."""

from __future__ import annotations

from dateline.core.errors import InvalidInput


class PortingError(InvalidInput):
    """An export file could not be imported; nothing was written."""


class MalformedExport(PortingError):
    """The file is not well-formed XML: the message is `file:line:col: what is wrong`."""


class RefusedExport(PortingError):
    """The file declares a DTD or entities, which are refused."""


class UnknownFormat(PortingError):
    """The file is neither a Blogger export, a WordPress WXR file nor an OPML list."""
