"""The client's address for the login lockout (django-axes' AXES_CLIENT_IP_CALLABLE) and the impact
survey's rate limit.

Behind the reverse proxy (BEHIND_PROXY=1) every request comes from the proxy's address, so a lockout
keyed on user and address would let anyone keep a named account locked for everybody. There the
address is the one the proxy saw, read from the header it writes (PROXY_CLIENT_IP_HEADER,
X-Forwarded-For by default). Each of the PROXY_COUNT proxies appends the address it saw, so the
client's is that many entries from the right; anything further left was sent by the client and may
be forged.

The header is believed only from a peer in PROXY_TRUSTED_IPS: anyone who reaches the app port
directly could write it too. Settings refuse to start with BEHIND_PROXY=1 and no trusted address;
should they be changed at run time to none, no peer is believed. A request from any other peer, and
every request when BEHIND_PROXY is off, keeps its own address.
"""

import ipaddress

from django.conf import settings


def _parse(address):
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    # An IPv4 proxy seen through a dual-stack socket arrives as ::ffff:a.b.c.d.
    return getattr(parsed, "ipv4_mapped", None) or parsed


def _trusted(peer):
    return peer is not None and any(
        peer in ipaddress.ip_network(network, strict=False) for network in settings.PROXY_TRUSTED_IPS
    )


def client_ip(request):
    peer = request.META.get("REMOTE_ADDR", "")
    if not settings.BEHIND_PROXY or not _trusted(_parse(peer)):
        return peer
    header = "HTTP_" + settings.PROXY_CLIENT_IP_HEADER.upper().replace("-", "_")
    chain = request.META.get(header, "").split(",")
    if len(chain) < settings.PROXY_COUNT:
        return peer
    client = _parse(chain[-settings.PROXY_COUNT])
    return str(client) if client is not None else peer
