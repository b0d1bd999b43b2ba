"""The compose screen's forms: the post, and one form per citation (a formset)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from dateline.blog.services import MAX_HEADLINE, MAX_LABEL

HEADLINE_NEEDED = "Type a headline: a post needs one."


class ComposeForm(forms.Form):
    """The post's own fields. Citations are `CitationForm`s beside it."""

    headline = forms.CharField(
        max_length=MAX_HEADLINE, required=False, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    dateline_place = forms.CharField(
        max_length=200,
        required=False,
        label="Dateline",
        help_text='Where it happened, e.g. "RAQQA, Syria".',
    )
    prose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        required=False,
        label="Prose",
        help_text="Paragraphs of the post's own, after the quotes. A blank line starts a new one.",
    )
    commentary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        required=False,
        help_text="Your own take, shown after the quotes and signed.",
    )
    signature = forms.CharField(
        max_length=200,
        required=False,
        label="Signed",
        help_text="Remembered as yours when you change it.",
    )
    suggested = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, label="Suggested labels"
    )
    labels = forms.CharField(
        max_length=1000,
        required=False,
        label="More labels",
        help_text="Comma-separated, e.g. Iceland, Volcanoes.",
    )
    publish_at = forms.DateTimeField(
        required=False,
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    raw_html = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        label="Imported body (HTML)",
    )
    base_revision = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=10**9
    )

    def __init__(self, *args: Any, suggestions: list[str] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["suggested"].choices = [(name, name) for name in suggestions]
        self.fields[
            "publish_at"
        ].help_text = f"In the site's time zone ({timezone.get_current_timezone_name()})."

    def clean_headline(self) -> str:
        headline = " ".join(self.cleaned_data["headline"].split())
        if not headline:
            raise forms.ValidationError(HEADLINE_NEEDED, code="required")
        return headline

    def clean_labels(self) -> str:
        for name in self.cleaned_data["labels"].split(","):
            if len(name.strip()) > MAX_LABEL:
                raise forms.ValidationError(f"A label is at most {MAX_LABEL} characters.")
        return self.cleaned_data["labels"]


class CitationForm(forms.Form):
    """One quoted source: the outlet, its headline and address, and the quote, built by ticking
    paragraphs of the article (their choices are set per form from its article) and/or typed."""

    article = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=10**15
    )
    outlet_name = forms.CharField(max_length=200, label="Outlet")
    source_headline = forms.CharField(
        max_length=2000,
        required=False,
        label="Their headline",
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    url = forms.URLField(max_length=2000, label="Address", assume_scheme="https")
    paragraphs = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.CheckboxSelectMultiple, required=False, label="Quote"
    )
    quote = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        required=False,
        label="Quote, typed",
        help_text="Quoted after the ticked paragraphs.",
    )
    leave_out = forms.BooleanField(required=False, label="Leave this citation out")

    def offer(self, paragraphs: tuple[str, ...]) -> None:
        self.fields["paragraphs"].choices = list(enumerate(paragraphs))


CitationFormSet = forms.formset_factory(CitationForm, extra=0, max_num=20, absolute_max=20)
