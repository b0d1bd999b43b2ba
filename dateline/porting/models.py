"""What porting remembers of each import: every source item, so a second import of the same file
creates nothing twice and nothing of the source is lost."""

from __future__ import annotations

from django.db import models

from dateline.blog.models import Post
from dateline.comments.models import Comment


class SourceKind(models.TextChoices):
    POST = "post", "Post"
    PAGE = "page", "Page"
    COMMENT = "comment", "Comment"
    # Read but not imported (a trashed post, an auto-draft): its source is kept here.
    SKIPPED = "skipped", "Skipped"


class SourceRecord(models.Model):
    """One item of an imported file, by the id the source gave it."""

    # The blog it came from ("blogger:tag:blogger.com,1999:blog-123", "wxr:https://example.org").
    source = models.CharField(max_length=300)
    source_id = models.CharField(max_length=500)
    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why it was skipped ("trashed", "auto-draft").
    reason = models.CharField(max_length=100, blank=True)
    title = models.TextField(blank=True)
    # The body as the source had it, beside the parts recovered from it: should the recovery
    # be wrong, nothing is lost.
    original_html = models.TextField(blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="porting_source_once")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.source_id}"
