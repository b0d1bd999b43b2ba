"""Story lifecycle events other apps may listen to."""

from django.dispatch import Signal

# Sent once the transaction commits, when the clusterer puts into a story an article from an outlet
# the story did not have yet (not for a story's first article, nor for editors' merges).
# Arguments: story (the Story, coverage up to date), article (the wire Article that joined).
story_updated = Signal()
