from django.conf import settings
from django.utils.cache import patch_cache_control


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
