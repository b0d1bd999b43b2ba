"""Lifecycle events of the blog other apps may hook.

Sent after the transaction that made the change commits, with `post` as the keyword argument.
"""

from django.dispatch import Signal

# A post became public (published now, or its scheduled time came).
post_published = Signal()
# A public post's content changed: an update was appended, it was edited, or its labels changed.
post_updated = Signal()
