"""Where polling's helper processes come from: the parse pool's workers and the fetch process.

They are forked by a fork server, from a clean process that has already imported what they run:
never from the poller itself, whose threads and database connection a fork would copy in an
unknown state, and without paying for the imports at each start.

Every helper ends with the poller, however the poller ends (a `kill -9` included): the fork
server watches the process that started it and exits when it is gone (`guard_fork_server`, run
by its first preload), and each helper it forks ends with it (`end_with_fork_server`: on Linux
the kernel kills it, elsewhere a thread watches). Left alone, a parse worker would wait for work
forever, holding the fork server up with it: both hold ends of pipes nobody else writes to.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from multiprocessing.context import ForkServerContext

# The guard first: a fork server whose poller died while it imported the rest ends all the same.
PRELOADED = [
    "dateline.wire.pipeline.fork_server_guard",
    "dateline.wire.pipeline.parse",
    "dateline.wire.pipeline.fetch",
]
# How often a watching thread looks whether its parent process is still there.
PARENT_CHECK_SECONDS = 0.5
# prctl(2): send this process a signal when the thread that forked it ends.
_PR_SET_PDEATHSIG = 1

# Set in the fork server by `guard_fork_server`; its helpers inherit it when forked.
_fork_server_pid: int | None = None


def context() -> ForkServerContext:
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOADED)
    return forkserver


def guard_fork_server() -> None:
    """In the fork server: exit as soon as the process that started it has ended.

    A thread watches the parent's pid rather than the kernel's parent-death signal, which fires
    when the *thread* that started the fork server ends: a poll run in a short-lived thread would
    then take the fork server, and the parse pool with it, from a process still running.
    """
    global _fork_server_pid
    _fork_server_pid = os.getpid()
    _exit_when_parent_is_not(os.getppid())


def end_with_fork_server() -> None:
    """In a helper the fork server forked (a parse worker, the fetch process): end when it ends."""
    server = _fork_server_pid if _fork_server_pid is not None else os.getppid()
    if not _kernel_kills_me_with_parent():
        _exit_when_parent_is_not(server)
    if os.getppid() != server:  # the fork server ended before the line above took effect
        os._exit(1)


def _kernel_kills_me_with_parent() -> bool:
    """Linux: SIGKILL this process when the thread that forked it ends (the fork server's only
    thread that forks is its main one, so: when the fork server ends). False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _exit_when_parent_is_not(parent: int) -> None:
    def watch() -> None:
        # An orphan is adopted by init or a subreaper: its parent's pid changes, never back.
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="dateline-parent-watch", daemon=True).start()
