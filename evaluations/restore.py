"""The session-expiry restore of the section form: what an operator typed after their session
expired is kept in their (then anonymous) session and given back once, on the same page, after they
log in again (evaluations.views.answering).

Anyone can post to a section address without signing in, so what is kept is bounded. The view
passes the fields of one real section's questions with the longest value the form takes; any other
field is dropped, and a post with a field over its limit (or sent twice) is not kept at all. One
stash holds at most STASH_MAX_CHARS characters; a session holds at most MAX_STASHES stashes and
SESSION_MAX_CHARS characters, the newest winning. A stash waits at most STASH_MAX_AGE.

Django keeps the session data when an anonymous session logs in (it only changes the key), so a
stash survives the login it waits for: that login claims it for the user. It is dropped once used,
at any later login, and when stale.

No models here: apps.py connects `claim` to user_logged_in before the models are ready.
"""

from datetime import timedelta

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

SESSION_KEY = "answering_restore"
MAX_STASHES = 3
STASH_MAX_CHARS = 40_000
SESSION_MAX_CHARS = 80_000
# Long enough to find one's password after the session expired, short enough not to surprise.
STASH_MAX_AGE = timedelta(hours=1)


def _size(stash):
    return sum(len(name) + len(value) for name, value in stash["data"].items())


def _fresh(session):
    """The session's stashes that are still usable, oldest first."""
    stashes = session.get(SESSION_KEY)
    if not isinstance(stashes, list):
        return []
    now = timezone.now()
    fresh = []
    for stash in stashes:
        saved_at = parse_datetime(stash.get("at", "")) if isinstance(stash, dict) else None
        if saved_at is not None and now - saved_at <= STASH_MAX_AGE and isinstance(stash.get("data"), dict):
            fresh.append(stash)
    return fresh


def _store(session, stashes):
    if stashes:
        session[SESSION_KEY] = stashes
    else:
        session.pop(SESSION_KEY, None)


def stash(session, path, post, limits):
    """Keep the fields of `post` named in `limits` ({field name: longest value}) for `path`.
    Returns whether anything was kept."""
    new = _kept(path, post, limits)
    stashes = _fresh(session)
    if new is not None:
        stashes = [s for s in stashes if s["path"] != path] + [new]
        while len(stashes) > MAX_STASHES or sum(_size(s) for s in stashes) > SESSION_MAX_CHARS:
            stashes.pop(0)
    # Written even when nothing was kept, so that the answer (a session cookie) is the same
    # whether or not the address is a real section.
    session[SESSION_KEY] = stashes
    return new is not None


def _kept(path, post, limits):
    data = {}
    for name, values in post.lists():
        limit = limits.get(name)
        if limit is None:
            continue
        if len(values) != 1 or len(values[0]) > limit:
            return None  # not from our form: keep nothing
        data[name] = values[0]
    new = {"path": path, "data": data, "at": timezone.now().isoformat()}
    return new if data and _size(new) <= STASH_MAX_CHARS else None


def claim(sender, request, user, **kwargs):
    """user_logged_in: the fresh stashes waiting for a login become this user's; stale ones and
    those an earlier login claimed are dropped."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return
    _store(session, [{**s, "user": user.pk} for s in _fresh(session) if "user" not in s])


def pop(session, path, user):
    """The stash this user's login claimed for `path`, as POST data, once; else None."""
    if SESSION_KEY not in session:
        return None
    stashes = _fresh(session)
    found = next((s for s in stashes if s["path"] == path and s.get("user") == user.pk), None)
    _store(session, [s for s in stashes if s is not found])
    if found is None:
        return None
    data = QueryDict(mutable=True)
    for name, value in found["data"].items():
        data[name] = value
    return data
