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
    # server; a successful login hands it to their session. Shown again after a wrong password. The
    # server never seals more than TOKEN_MAX_CHARS, so only a forged field is refused by the limit.
    restore = forms.CharField(widget=forms.HiddenInput, required=False, max_length=restore.TOKEN_MAX_CHARS)

    error_messages = {
        "invalid_login": _("Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil."),
        "inactive": _("Akun ini tidak aktif. Hubungi admin Diskominfo."),
    }

    def keeps_typed_post(self):
        """Whether the form carries what an operator typed before their session expired."""
        return bool(self[restore.FIELD].value())
