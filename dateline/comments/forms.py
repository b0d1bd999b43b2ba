from django import forms


class CommentForm(forms.Form):
    # No lengths and nothing required here: the submission rules (domain.submission) judge every
    # field and say what is wrong in words for the reader, naming the field. A Django form error
    # could only say "check the fields" (a NUL byte made it do exactly that).
    author_name = forms.CharField(label="Name", required=False, strip=False)
    email = forms.CharField(label="Email", required=False, strip=False)
    url = forms.CharField(label="Website", required=False, strip=False)
    body = forms.CharField(
        label="Comment", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    notify = forms.BooleanField(required=False)
    parent = forms.CharField(required=False)
    # People never see this field (hidden with CSS, skipped by keyboard focus); bots fill it.
    website = forms.CharField(required=False, label="Leave this empty", strip=False)
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)


FIELDS = ("author_name", "email", "url", "body", "notify", "parent", "website", "stamp")


def raw_fields(data: dict[str, str]) -> dict[str, str]:
    """The posted fields as text, NUL kept (Django's form refuses NUL without saying where:
    the submission rules name the field instead)."""
    return {name: str(data.get(name, "")) for name in FIELDS}
