"""The report notes page: one form per scope (the region as a whole, or a pillar) with its
Kekuatan, Kelemahan and Rekomendasi."""

from django import forms

from ..models import ReportNote
from ..models.reports import NOTE_MAX_LENGTH


class ScopeForm(forms.Form):
    """Three texts, each with the id of the newest note the page showed (a colleague's later save
    is then refused, not overwritten) and the suggestion it was started from, if any (recorded as
    the note's origin). Prefixed with the scope's key, so every scope's fields on the page differ."""

    def __init__(self, *args, scope, use_suggestions=False, **kwargs):
        super().__init__(*args, prefix=scope.key, **kwargs)
        self.scope = scope
        for kind, label in ReportNote.Kind.choices:
            note = scope.notes.get(kind)
            suggestion = scope.suggestions.get(kind, "") if use_suggestions else ""
            self.fields[kind] = forms.CharField(
                label=label,
                required=False,
                max_length=NOTE_MAX_LENGTH,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=suggestion or (note.text if note else ""),
            )
            self.fields[f"{kind}_seen"] = forms.IntegerField(
                required=False, min_value=1, widget=forms.HiddenInput, initial=note.pk if note else None
            )
            self.fields[f"{kind}_saran"] = forms.CharField(
                required=False, max_length=NOTE_MAX_LENGTH, strip=True, widget=forms.HiddenInput, initial=suggestion
            )

    def texts(self):
        """{kind: (text, origin)} of the cleaned form."""
        texts = {}
        for kind in ReportNote.Kind.values:
            text, suggestion = self.cleaned_data[kind], self.cleaned_data[f"{kind}_saran"]
            if not suggestion:
                origin = ReportNote.Origin.WRITTEN
            elif text == suggestion:
                origin = ReportNote.Origin.SUGGESTION_ACCEPTED
            else:
                origin = ReportNote.Origin.SUGGESTION_EDITED
            texts[kind] = (text, origin)
        return texts

    def seen(self):
        return {kind: self.cleaned_data[f"{kind}_seen"] for kind in ReportNote.Kind.values}

    def text_fields(self):
        return [self[kind] for kind in ReportNote.Kind.values]

    def hidden(self):
        return [self[f"{kind}_{suffix}"] for kind in ReportNote.Kind.values for suffix in ("seen", "saran")]
