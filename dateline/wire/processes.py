"""Where polling's helper processes come from: the parse pool's workers and the fetch process.

They are forked by a fork server, from a clean process that has already imported what they run:
never from the poller itself, whose threads and database connection a fork would copy in an
unknown state, and without paying for the imports at each start.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import ForkServerContext

PRELOADED = ["dateline.wire.parsing", "dateline.wire.fetching"]


def context() -> ForkServerContext:
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOADED)
    return forkserver
