"""Django's database sessions, refusing session keys Django could never have made.

Django writes keys of 32 lower-case letters and digits, but looks up whatever the cookie holds. A
cookie holding a NUL byte (`sessionid=%00...`) then reaches the database, and PostgreSQL refuses
a query with NUL in it: every page that reads the session was a 500 for that visitor. A key that
is not letters and digits is treated as no session, as a too-short one already was.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        if not super()._validate_session_key(key):
            return False
        return isinstance(key, str) and key.isascii() and key.isalnum()
