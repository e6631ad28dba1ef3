"""The login form, in the users' words."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from .. import restore


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=User._meta.get_field("username").max_length,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    password = forms.CharField(label=_("Kata sandi"), strip=False, widget=forms.PasswordInput)
    # What an operator typed when their session expired (evaluations.restore.FIELD), signed by the
    # server; a successful login hands it to their session. Shown again after a wrong password.
    restore = forms.CharField(widget=forms.HiddenInput, required=False)

    error_messages = {
        "invalid_login": _("Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil."),
        "inactive": _("Akun ini tidak aktif. Hubungi admin Diskominfo."),
    }

    def clean_restore(self):
        value = self.cleaned_data["restore"]
        return value if len(value) <= restore.TOKEN_MAX_CHARS else ""

    def keeps_typed_post(self):
        """Whether the form carries what an operator typed before their session expired."""
        return bool(self[restore.FIELD].value())
