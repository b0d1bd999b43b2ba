"""A post's revisions: the list, the difference between two, and restoring one (as a new one)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dateline.blog import services as blog_services
from dateline.blog.domain.revisions import diff
from dateline.blog.exceptions import BlogError, PostGone, StaleEdit
from dateline.blog.models import Post, Revision
from dateline.desk.access import editor_required

REVISIONS_SHOWN = 100


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@editor_required
def revisions(request: HttpRequest, post_id: int) -> HttpResponse:
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        raise Http404("no such post")
    if request.method == "POST":
        return _restore(request, post)
    listed = list(
        Revision.objects.filter(post=post)
        .select_related("author")
        .order_by("-number")[:REVISIONS_SHOWN]
    )
    newest = listed[0].number if listed else None
    # By default the newest against the one before it.
    newer = _number(request.GET.get("b")) or newest
    older = _number(request.GET.get("a")) or (newer - 1 if newer else None)
    pair = {
        r.number: r for r in Revision.objects.filter(post=post, number__in=[older or 0, newer or 0])
    }
    lines = None
    if older in pair and newer in pair:
        lines = diff(
            blog_services.revision_content(pair[older]),
            blog_services.revision_content(pair[newer]),
        )
    return render(
        request,
        "desk/revisions.html",
        {
            "post": post,
            "revisions": listed,
            "older": older,
            "newer": newer,
            "lines": lines,
            "newest": newest,
        },
    )


def _restore(request: HttpRequest, post: Post) -> HttpResponse:
    number = _number(request.POST.get("restore"))
    base = _number(request.POST.get("base_revision"))
    if number is None:
        messages.error(request, "Pick a revision to restore.")
        return redirect("desk:revisions", post_id=post.pk)
    try:
        blog_services.restore_revision(post, number, editor=request.user, base_revision=base)
    except StaleEdit as stale:
        messages.error(
            request,
            f"Not restored: the post was saved again (revision {stale.current}) since this page "
            "was loaded. Look again, then restore.",
        )
    except PostGone:
        raise Http404("the post was deleted meanwhile") from None
    except BlogError as error:
        messages.error(request, f"Not restored: {error}")
    else:
        messages.success(request, f"Revision {number} restored, as a new revision.")
    return redirect("desk:revisions", post_id=post.pk)
