"""Wire lifecycle events other apps may listen to."""

from django.dispatch import Signal

# Sent after the transaction that stored a new article commits. Arguments: article.
article_ingested = Signal()
