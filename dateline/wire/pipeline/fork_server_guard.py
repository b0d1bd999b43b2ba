"""Imported by the fork server only, as the first of its preloads (`processes.PRELOADED`): the
fork server then ends as soon as the poller that started it does. Nothing else imports it."""

from dateline.wire.pipeline import processes

processes.guard_fork_server()
