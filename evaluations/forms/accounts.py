"""The login form, in the users' words."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=User._meta.get_field("username").max_length,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    password = forms.CharField(label=_("Kata sandi"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": _("Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil."),
        "inactive": _("Akun ini tidak aktif. Hubungi admin Diskominfo."),
    }
