"""Readers' comments on posts."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class CommentQuerySet(models.QuerySet["Comment"]):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=CommentStatus.APPROVED)

    def pending(self) -> CommentQuerySet:
        return self.filter(status=CommentStatus.PENDING)


class Comment(models.Model):
    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="comments")
    # Replies: threads come with the comments issue; the column is here so imports keep them.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # Empty means the reader chose to stay anonymous.
    author_name = models.CharField(max_length=100, blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    body = models.TextField()
    status = models.CharField(
        max_length=16, choices=CommentStatus.choices, default=CommentStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.display_name} on post {self.post_id}"

    @property
    def display_name(self) -> str:
        return self.author_name or "Anonymous"
