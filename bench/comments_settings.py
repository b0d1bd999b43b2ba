"""Settings for bench/comments.py only: Dateline's own, with the comment rate limits relaxed.

Twenty clients on one loopback address post thousands of comments a minute: the per-address and
per-network limits (dateline/settings.py) would refuse nearly all of them, which is their job.
Every other check stays on as shipped; the bench sets the moderation policy itself.
"""

from dateline.settings import *

COMMENT_RATE_LIMITS: dict[str, tuple[tuple[int, int], ...]] = {"address": (), "network": ()}
