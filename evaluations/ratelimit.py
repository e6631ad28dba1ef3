"""Counting requests per key in fixed time windows, in Django's cache (Redis when REDIS_URL is set,
so every app server sees the same counts).

A fixed window is coarse (a burst across a window edge may pass twice the limit) but costs one cache
call and never a database query, which is what a public page under load needs.
"""

import time

from django.core.cache import cache


def hit(scope, key, limit, window):
    """Count one request of `key` in `scope`; True when it goes over `limit` in the current window
    of `window` seconds. A limit of 0 or less turns the check off."""
    if limit <= 0:
        return False
    slot = int(time.time() // window)
    cache_key = f"ratelimit:{scope}:{key}:{slot}"
    # add() only sets a missing key, so concurrent first hits do not reset each other's count.
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    return count > limit


def first_time(scope, key, timeout):
    """True the first time `key` is seen in `scope` within `timeout` seconds, False after: one
    cache call (add() is atomic, so of two requests at once exactly one is first)."""
    return cache.add(f"ratelimit:{scope}:{key}:seen", 1, timeout=timeout)
