"""System checks of the deployment settings (`manage.py check --deploy`), registered in
evaluations/apps.py."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, Warning

# Wider than this, a "proxy" network takes in addresses no proxy fleet has (0.0.0.0/0, ::/0...).
WIDEST_PROXY_NETWORK = {4: 8, 6: 32}


def proxy_settings(app_configs, **kwargs):
    """The client's address is taken from X-Forwarded-For only when it comes from a named proxy
    (smartcity/client_ip.py); anyone else who writes the header would escape the login lockout and
    the survey's rate limit."""
    trusted = [ipaddress.ip_network(network, strict=False) for network in settings.PROXY_TRUSTED_IPS]
    if settings.BEHIND_PROXY and not trusted:
        return [
            Error(
                "BEHIND_PROXY is on but PROXY_TRUSTED_IPS names no proxy.",
                hint="Set PROXY_TRUSTED_IPS to the proxy's addresses (127.0.0.1 when nginx runs on this host).",
                id="smartcity.E001",
            )
        ]
    issues = []
    wide = [str(n) for n in trusted if n.prefixlen < WIDEST_PROXY_NETWORK[n.version]]
    if settings.BEHIND_PROXY and wide:
        issues.append(
            Warning(
                f"PROXY_TRUSTED_IPS trusts {', '.join(wide)}: a client there can forge its address "
                "and escape the login lockout and the survey's rate limit.",
                hint="Name only the proxies' own addresses or networks.",
                id="smartcity.W001",
            )
        )
    if trusted and not settings.BEHIND_PROXY:
        issues.append(
            Warning(
                "PROXY_TRUSTED_IPS is set but BEHIND_PROXY is off: the proxy's header is not read, so "
                "every client behind it shares the proxy's address (one lockout, one survey limit).",
                hint="Set BEHIND_PROXY=1 behind the proxy, or unset PROXY_TRUSTED_IPS.",
                id="smartcity.W002",
            )
        )
    return issues
