"""Story lifecycle events other apps may listen to."""

from django.dispatch import Signal

# Sent when an article from an outlet the story did not have yet joins it.
# Arguments: story, article.
story_updated = Signal()
