from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import set_language

from evaluations.forms.accounts import LoginForm

handler400 = "evaluations.views.common.bad_request"


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says (a download, a JSON answer): the icon,
    not a 404 in the console. Unnamed: it is no page of the app."""
    return redirect(static("img/favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon),
    path(
        "akun/masuk/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("akun/keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("akun/kata-sandi/selesai/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # The language switch also works on the login page.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("pilar/", include("pillars.urls")),
    path("", include("evaluations.urls")),
]
