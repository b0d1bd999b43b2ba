from django import forms

from dateline.blog.services import MAX_HEADLINE


class ComposeForm(forms.Form):
    """A post from one article: the blog's headline, the quote, and the editor's commentary."""

    headline = forms.CharField(max_length=MAX_HEADLINE)
    dateline_place = forms.CharField(
        max_length=200, required=False, help_text='Optional, e.g. "RAQQA, Syria".'
    )
    quoted_excerpt = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))
    commentary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Your own take, shown as commentary after the quote.",
    )
    labels = forms.CharField(
        max_length=500, required=False, help_text="Comma-separated, e.g. Iceland, Volcanoes."
    )

    def label_names(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["labels"].split(",") if name.strip()]
