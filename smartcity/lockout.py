"""Lifting a person's login lockout, whichever address they were locked out from
(`manage.py unlock_user`, the admin's "Buka kunci masuk" action on users).

The lockout counts failures per user name *and* address (settings.AXES_LOCKOUT_PARAMETERS). With the
database handler those counts are rows that carry the user name, and axes deletes them by name. With
the cache handler (Redis) each count's key is a hash of name and address, so axes_reset_username finds
nothing and axes_reset cannot clear a cache: here every lockout also notes its address under the user
name, for as long as the lockout lasts (the cool-off), and an unlock clears the count of each noted
address. The note keeps at most ADDRESSES_MAX addresses, the newest: enough for one person's office,
home and phone, bounded when someone locks a name from many addresses.

Imported once the apps are ready (axes' helpers import its models).
"""

import hashlib

from axes.handlers.cache import AxesCacheHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cache, get_cache_timeout

ADDRESSES_MAX = 50


def _addresses_key(username):
    return "lockout-addresses:" + hashlib.sha256(username.encode()).hexdigest()


def _counts_in_cache():
    return isinstance(AxesProxyHandler.get_implementation(), AxesCacheHandler)


def note_address(sender, request, username, ip_address, **kwargs):
    """axes' user_locked_out: with the cache handler, note the address under the user name."""
    if not username or not ip_address or not _counts_in_cache():
        return
    cache, key = get_cache(), _addresses_key(username)
    addresses = [address for address in cache.get(key, []) if address != ip_address] + [ip_address]
    cache.set(key, addresses[-ADDRESSES_MAX:], get_cache_timeout(request))


def unlock(username):
    """Clears this user name's failed attempts from every address; returns how many counts went."""
    if not _counts_in_cache():
        return AxesProxyHandler.reset_attempts(username=username)
    cache, key = get_cache(), _addresses_key(username)
    cleared = sum(AxesProxyHandler.reset_attempts(username=username, ip_address=a) for a in cache.get(key, []))
    cache.delete(key)
    return cleared
