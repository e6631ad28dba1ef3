"""Django's Redis cache backend, made to keep the site up while Redis is not.

Wiring, like the rest of this package: settings.py names it for every cache alias when REDIS_URL
is set. Nothing in the app calls it directly.

When a call cannot reach Redis (refused, reset, or no answer within the short socket timeouts
below), the call is answered by a fallback instead, and for the next RETRY_AFTER seconds this
process does not try Redis at all, so a dead Redis costs one failed connection per process every few
seconds, never a failed page. The fallback is chosen per alias with OPTIONS["FALLBACK"]:

- "none" (the default): reads miss, writes do nothing, as with DummyCache. For sessions (the
  cached_db engine then reads and writes the database alone) and anything whose entries must be the
  same in every process.
- "memory": a per-process LocMemCache. For counters such as the survey's rate limits: each process
  counts on its own until Redis is back.

A key written or deleted while Redis was unreachable (a logout, a changed session) may still hold
its old value in a Redis that was only hung or cut off, not emptied. The process remembers such keys
and a timer deletes them from Redis within RETRY_AFTER seconds of its return (and before the
process's own next call to it), so that no process reads their old values after that.

One warning goes to the log when a process finds Redis unreachable, a reminder each REMIND_EVERY
seconds while it stays so, and one when it is back.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# Seconds; redis-py's own defaults are 5 s each, and a hung Redis then held every page for 20 s.
SOCKET_TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
RETRY_AFTER = 5
REMIND_EVERY = 60
# Keys remembered while Redis is unreachable; changes beyond this many are not (the log says so).
DIRTY_KEYS_MAX = 50_000


class Outage:
    """What one process knows about one Redis server, shared by its threads and cache aliases."""

    def __init__(self, retry_after):
        self.retry_after = retry_after
        self.lock = threading.Lock()
        self.down_since = None  # time.monotonic() of the first failure, None while Redis answers
        self.retry_at = 0.0
        self.reminded_at = 0.0
        self.dirty = set()
        self.dirty_dropped = 0
        self.undo_scheduled = False

    def skipping(self):
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, error):
        now = time.monotonic()
        with self.lock:
            self.retry_at = now + self.retry_after
            if self.down_since is None:
                self.down_since = self.reminded_at = now
                logger.warning(
                    "Redis unreachable (%s): the cache works without it, sessions from the database, "
                    "rate limits counted per process; trying again every %d s.",
                    error,
                    self.retry_after,
                )
            elif now - self.reminded_at >= REMIND_EVERY:
                self.reminded_at = now
                logger.warning("Redis unreachable for %d s now (%s).", now - self.down_since, error)

    def remember(self, keys, delete_many):
        """Keys changed while Redis was unreachable; a timer deletes them from Redis once it answers."""
        with self.lock:
            for key in keys:
                if len(self.dirty) < DIRTY_KEYS_MAX:
                    self.dirty.add(key)
                else:
                    self.dirty_dropped += 1
            if self.dirty and not self.undo_scheduled:
                self._schedule_undo(delete_many)

    def _schedule_undo(self, delete_many):
        # Not left to this process's next request: another process may serve the old values from
        # Redis meanwhile, and a process may go long without a request.
        self.undo_scheduled = True
        timer = threading.Timer(self.retry_after, self._undo_later, args=(delete_many,))
        timer.daemon = True
        timer.start()

    def _undo_later(self, delete_many):
        try:
            self.undo_changes(delete_many)
        except UNREACHABLE:
            pass
        with self.lock:
            self.undo_scheduled = False
            if self.dirty:  # still unreachable, or remembered meanwhile
                self._schedule_undo(delete_many)

    def undo_changes(self, delete_many):
        """Delete from Redis the keys changed while it was unreachable, so it never serves their
        old values. Raises UNREACHABLE if it still is."""
        with self.lock:
            keys = list(self.dirty)
            if keys:
                delete_many(keys)
                self.dirty.difference_update(keys)

    def recovered(self):
        with self.lock:
            if self.down_since is None:
                return
            seconds, dropped = time.monotonic() - self.down_since, self.dirty_dropped
            self.down_since, self.dirty_dropped = None, 0
        logger.warning(
            "Redis reachable again after %d s%s.",
            seconds,
            f"; {dropped} entries changed meanwhile were not remembered and may be stale" if dropped else "",
        )


_outages = {}


class ResilientRedisCache(RedisCache):
    """RedisCache that answers from its fallback while Redis is unreachable (module docstring)."""

    def __init__(self, server, params):
        options = {**SOCKET_TIMEOUTS, **params.get("OPTIONS", {})}
        fallback = options.pop("FALLBACK", "none")
        retry_after = options.pop("RETRY_AFTER", RETRY_AFTER)
        super().__init__(server, {**params, "OPTIONS": options})
        # Django makes a backend per thread: the state and the memory fallback are per process.
        self._outage = _outages.setdefault(str(server), Outage(retry_after))
        fallback_params = {key: params[key] for key in ("TIMEOUT", "KEY_PREFIX", "VERSION") if key in params}
        if fallback == "memory":
            room = {"MAX_ENTRIES": settings.CACHE_MEMORY_ENTRIES}
            self._fallback = LocMemCache(f"redis-fallback:{server}", {**fallback_params, "OPTIONS": room})
        elif fallback == "none":
            self._fallback = DummyCache(server, fallback_params)
        else:
            raise ImproperlyConfigured(f'FALLBACK must be "none" or "memory", got {fallback!r}')

    def _call(self, method, *args, changes=(), version=None, **kwargs):
        """`method` on Redis, else on the fallback; `changes` are the keys a write touches."""
        outage = self._outage
        if not outage.skipping():
            try:
                if outage.down_since is not None:
                    outage.undo_changes(self._cache.delete_many)
                result = getattr(super(), method)(*args, version=version, **kwargs)
            except UNREACHABLE as error:
                outage.failed(error)
            else:
                if outage.down_since is not None:
                    outage.recovered()
                return result
        if changes:
            outage.remember([self.make_key(key, version=version) for key in changes], self._cache.delete_many)
        return getattr(self._fallback, method)(*args, version=version, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, changes=[key], version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, changes=[key], version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, changes=[key], version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, changes=[key], version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, changes=[key], version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, changes=list(data), version=version)

    def delete_many(self, keys, version=None):
        keys = list(keys)  # read twice
        return self._call("delete_many", keys, changes=keys, version=version)

    def clear(self):
        # While Redis is unreachable only the fallback is cleared: flushing Redis once it is back could
        # drop what other processes wrote since.
        if self._outage.skipping():
            return self._fallback.clear()
        try:
            return super().clear()
        except UNREACHABLE as error:
            self._outage.failed(error)
            return self._fallback.clear()
