"""An unexpected error in a helper process, carried back to the poller as data.

The fetch process and the parse workers run code that can fail in ways no feed explains (a bug,
the machine). What crosses the process boundary is then this record, not a bare string or a
pickled exception whose class the other side may not rebuild: the poller logs its traceback and
goes on with the other feeds.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Crash:
    kind: str  # the exception's class name, e.g. "ValueError"
    message: str
    traceback: str  # formatted where it was raised

    @classmethod
    def of(cls, error: BaseException) -> Crash:
        return cls(
            kind=type(error).__name__,
            message=str(error),
            traceback="".join(traceback.format_exception(error)),
        )

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}" if self.message else self.kind
