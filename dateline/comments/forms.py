from django import forms

from dateline.comments.domain.submission import MAX_BODY, MAX_NAME


class CommentForm(forms.Form):
    author_name = forms.CharField(
        label="Name",
        max_length=MAX_NAME,
        required=False,
        help_text="Leave empty to comment anonymously.",
    )
    body = forms.CharField(
        label="Comment", max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 5})
    )
    # People never see this field (hidden with CSS, skipped by keyboard focus); bots fill it.
    website = forms.CharField(required=False, label="Leave this empty")
    stamp = forms.CharField(widget=forms.HiddenInput)
