"""Forms of the feeds screen."""

from __future__ import annotations

from django import forms


class AddFeedForm(forms.Form):
    url = forms.CharField(
        label="Feed or site address",
        max_length=2000,
        help_text="A feed's address, or a site's: its page is read for the feeds it names.",
        # Text, not type=url: a browser would refuse "example.org", which the wire accepts, and
        # would keep the editor's mistyped address from reaching the wire's clearer message.
        widget=forms.TextInput(attrs={"placeholder": "https://example.org/", "inputmode": "url"}),
    )
    outlet_name = forms.CharField(
        label="Outlet name",
        max_length=200,
        required=False,
        help_text="Optional: the feed's own title is used when empty.",
    )


class ImportOpmlForm(forms.Form):
    opml = forms.FileField(
        label="OPML file",
        help_text="From another feed reader; its folders become the feeds' labels.",
        widget=forms.ClearableFileInput(attrs={"accept": ".opml,.xml,text/x-opml,text/xml"}),
    )
