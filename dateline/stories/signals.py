"""Story lifecycle events other apps may listen to."""

import logging
from typing import Any

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent once the transaction commits, when the clusterer puts into a story an article from an outlet
# the story did not have yet (not for a story's first article, nor for editors' merges).
# Arguments: story (the Story, coverage up to date), article (the wire Article that joined).
story_updated = Signal()

# Sent once the transaction commits, when one story was merged into another, whoever merged them
# (an editor through the desk, a command, an automatic pass): every article of ``absorbed`` is now
# in ``keep``, and ``absorbed`` is closed with ``merged_into`` pointing to ``keep``. The blog moves
# the absorbed story's posts to the kept one on it. Receivers are called robustly: one that raises
# is logged and the others still run (the merge has committed; it cannot be undone by a listener).
stories_merged = Signal()


def send_to_every_receiver(signal: Signal, sender: Any, **arguments: Any) -> None:
    """Calls each receiver of ``signal``, logging each one that raises, and never raises itself.

    These signals are sent after a commit: what they report has happened, and a receiver that
    failed must neither stop the others nor unwind through the code that committed it (the
    clustering worker would drop its in-memory clusterer and rebuild it on the next batch).
    Logged under ``dateline``: Django's own record of the error goes to ``django.dispatch``,
    which the default logging shows only with DEBUG on.
    """
    for receiver, result in signal.send_robust(sender, **arguments):
        if isinstance(result, Exception):
            described = ", ".join(f"{name}={getattr(v, 'pk', v)}" for name, v in arguments.items())
            logger.error(
                "A receiver (%s) failed for %s",
                getattr(receiver, "__qualname__", repr(receiver)),
                described,
                exc_info=result,
            )
