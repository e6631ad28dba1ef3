from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

# No link of ours carries a parameter anywhere near this long (a search is cut at 100 characters,
# `next` is a path with a short query), and gunicorn refuses a request line over 4 KB anyway.
MAX_QUERY_VALUE_CHARS = 1000


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy header (no inline scripts) and a Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The Django admin ships inline scripts of its own; the policy covers our pages.
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class PrivateCacheMiddleware:
    """What a signed-in user sees and every download stays out of shared and browser caches
    (Cache-Control: private, no-store): an office PC's next user, or a proxy, must not get them.
    Static files never reach this: whitenoise answers them earlier in the chain."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or response.get("Content-Disposition", "").startswith("attachment"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class IgnoreBrowserLanguageMiddleware:
    """The app speaks Indonesian unless the user picks English with the switch (a cookie).
    Many office PCs run an English browser; their Accept-Language must not switch the UI."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RefuseBadAddressMiddleware:
    """An address holding a NUL, bytes that are not UTF-8 (an unpaired surrogate such as %ED%A0%80)
    or a GET parameter longer than MAX_QUERY_VALUE_CHARS gets the 400 page before any view reads it.
    PostgreSQL refuses a NUL in any query, so a page that looks up what it was given would answer
    500; Django quietly turns bad UTF-8 into U+FFFD, which no link of ours holds; and no one types
    a search of thousands of characters. One check here instead of one in every view that reads a
    parameter (tests/test_hostile_params.py tries them all)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _bad_address(request):
            reason = _(
                "Alamat halaman ini berisi karakter yang tidak sah atau isian yang terlalu panjang. "
                "Buka halaman dari menu, atau periksa alamat yang Anda ketik atau salin."
            )
            return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)


def _bad_address(request):
    if "\x00" in request.path_info:
        return True
    # The query as it was sent (WSGI hands it over one byte per character), percent-decoded.
    raw = unquote_to_bytes(request.META.get("QUERY_STRING", "").encode("iso-8859-1", "replace").replace(b"+", b" "))
    if b"\x00" in raw:
        return True
    try:
        raw.decode()
    except UnicodeDecodeError:
        return True
    return any(
        len(key) > MAX_QUERY_VALUE_CHARS or any(len(value) > MAX_QUERY_VALUE_CHARS for value in values)
        for key, values in request.GET.lists()
    )
