from django.conf import settings


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


class IgnoreBrowserLanguageMiddleware:
    """The app speaks Indonesian unless the user picks English with the switch (a cookie).
    Many office PCs run an English browser; their Accept-Language must not switch the UI."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
