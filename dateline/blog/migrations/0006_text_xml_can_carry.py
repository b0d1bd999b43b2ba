"""Drops the characters XML 1.0 forbids from posts written before the services did (0041).

One such character in a stored post made the Atom and RSS feeds answer 500 (the feeds now drop
them too) and puts it in the post's page, where HTML forbids it; the write services now drop
them, and this cleans what is already stored. Citation URLs keep their meaning: the
characters are percent-encoded, as a browser would send them. Safe to run again.
"""

from urllib.parse import quote

from django.db import migrations

from dateline.blog.domain.text import xml_safe
from dateline.core.xml_text import NOT_IN_XML


def _one_line(text):
    return " ".join(xml_safe(text).split())


def _trimmed(text):
    return xml_safe(text).strip()


def _url(text):
    return NOT_IN_XML.sub(lambda found: quote(found.group(0)), text)


POST_FIELDS = {"headline": _one_line, "byline": _trimmed, "dateline_place": _trimmed}
PART_FIELDS = {
    "body": xml_safe,
    "quoted_excerpt": xml_safe,
    "speaker": _one_line,
    "outlet_name": _one_line,
    "source_headline": _one_line,
    "url": _url,
}
IMAGE_FIELDS = {"alt_text": _one_line}


def _clean_rows(model, fields):
    """Only rows holding such a character change, and only those fields."""
    for row in model.objects.only("pk", *fields).iterator(chunk_size=2000):
        changed = [name for name in fields if NOT_IN_XML.search(getattr(row, name))]
        for name in changed:
            setattr(row, name, fields[name](getattr(row, name)))
        if changed:
            row.save(update_fields=changed)


def _clean_labels(label_model):
    for label in label_model.objects.all():
        if not NOT_IN_XML.search(label.name):
            continue
        name = _one_line(label.name) or label.slug
        same = label_model.objects.filter(name=name).exclude(pk=label.pk).first()
        if same is None:
            label.name = name
            label.save(update_fields=["name"])
        else:  # the clean name is another label's: its posts join that one
            same.posts.add(*label.posts.all())
            label.delete()


def forwards(apps, schema_editor):
    _clean_rows(apps.get_model("blog", "Post"), POST_FIELDS)
    _clean_rows(apps.get_model("blog", "PostPart"), PART_FIELDS)
    _clean_rows(apps.get_model("blog", "Image"), IMAGE_FIELDS)
    _clean_labels(apps.get_model("blog", "Label"))


class Migration(migrations.Migration):
    dependencies = [("blog", "0005_post_sequence_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
