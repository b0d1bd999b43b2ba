"""A real SMTP server on 127.0.0.1 for mail tests (aiosmtpd), collecting what it receives.

    with SmtpServer() as smtp:
        settings.EMAIL_PORT = smtp.port  # with the SMTP backend on 127.0.0.1
        ...
        smtp.messages  # email.message.Message objects, in arrival order

`refuse = True` makes it answer every message with a temporary failure (a server in trouble).
"""

from __future__ import annotations

import email
import socket
import threading
from email.message import Message
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = False
        self._lock = threading.Lock()
        self.port = _free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 Try again later"
        with self._lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._controller.stop()
