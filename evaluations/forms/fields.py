"""Fields for what people type the way they type it, shared by the forms of every topic."""

from decimal import Decimal

from django import forms
from django.utils.formats import get_format, number_format
from django.utils.text import normalize_newlines
from django.utils.translation import gettext_lazy as _

from ..excel.cells import NumberError, parse_number
from ..models.instrument import format_number


class LinkField(forms.URLField):
    """A link as people type it: "kutaitimurkab.go.id/..." becomes https://kutaitimurkab.go.id/...
    A text control, not type=url: the browser's own bubble would block the whole save (and hide
    behind the save bar); a bad link gets our message next to the field instead."""

    widget = forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url", "spellcheck": "false"})
    default_error_messages = {
        "invalid": _("Tautan tidak valid. Tulis alamat lengkap, mis. https://kutaitimurkab.go.id/…")
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("help_text", _("Mis. kutaitimurkab.go.id/… (https:// ditambahkan sendiri)."))
        super().__init__(**kwargs)


class DecimalInput(forms.DecimalField):
    """Numbers as people type them in the active language (evaluations.excel.cells.parse_number):
    in Indonesian "1.250", "1.234,5", "75,5 %"; in English "1,250", "1,234.5"; plain digits in
    both. `whole` refuses fractions (counts)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    default_error_messages = {
        "invalid": _("Tulis angka, mis. 1.250 atau 1.234,5."),
        "ambiguous": _("Angka ini tidak jelas. Tulis ribuan dengan titik dan desimal dengan koma, mis. 1.234,5."),
        "whole": _("Isi dengan bilangan bulat, tanpa angka di belakang koma."),
        "max_decimal_places": _("Paling banyak %(max)s angka di belakang koma."),
        "max_whole_digits": _("Angka terlalu besar."),
        "max_digits": _("Angka terlalu besar."),
    }

    def __init__(self, *, whole=False, shown_places=None, **kwargs):
        self.whole = whole
        self.shown_places = shown_places  # e.g. 2 for scores (3,00); None: no trailing zeros
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # Shown the way it is read back: 1.234,5 in Indonesian, 1,234.5 in English.
        if not isinstance(value, (Decimal, int, float)) or isinstance(value, bool):
            return value
        if self.shown_places is not None:
            return number_format(value, self.shown_places, use_l10n=True, force_grouping=True)
        return format_number(value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = parse_number(value, decimal_mark=get_format("DECIMAL_SEPARATOR"))
        except NumberError as error:
            raise forms.ValidationError(self.error_messages[error.code], code=error.code) from None
        if self.whole and number != number.to_integral_value():
            raise forms.ValidationError(self.error_messages["whole"], code="whole")
        return number


class MultilineField(forms.CharField):
    """Text typed in a textarea. Browsers post its line ends as CRLF, while text written by the app
    (demo data, imports, copies) has LF: read as LF, so text posted back unchanged is unchanged."""

    widget = forms.Textarea(attrs={"rows": 2})

    def to_python(self, value):
        return normalize_newlines(super().to_python(value))

    def has_changed(self, initial, data):
        return super().has_changed(normalize_newlines(initial) if initial else initial, data)


class RegionChoicesMixin:
    """A choice among a region-owned model's rows, read when each form is made (in the request's
    region scope), never when the module is imported: there is no scope then and the query would
    fail (django-scopes). `queryset` may be the model, or the queryset a ModelForm passes."""

    def __init__(self, queryset, **kwargs):
        self.scoped_model = queryset if isinstance(queryset, type) else queryset.model
        super().__init__(queryset=self.scoped_model.objects.none(), **kwargs)

    def __deepcopy__(self, memo):
        field = super().__deepcopy__(memo)
        field.queryset = self.scoped_model.objects.all()
        return field


class RegionModelChoiceField(RegionChoicesMixin, forms.ModelChoiceField):
    pass


class RegionModelMultipleChoiceField(RegionChoicesMixin, forms.ModelMultipleChoiceField):
    pass
