from django import forms


class CommentForm(forms.Form):
    # No lengths and nothing required here: the submission rules (domain.submission) judge every
    # field and say what is wrong in words for the reader; a form error could only say "check
    # the fields" on a page that shows no field errors.
    author_name = forms.CharField(
        label="Name",
        required=False,
        help_text="Leave empty to comment anonymously.",
    )
    body = forms.CharField(
        label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    # People never see this field (hidden with CSS, skipped by keyboard focus); bots fill it.
    website = forms.CharField(required=False, label="Leave this empty")
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)
