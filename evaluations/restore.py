"""The session-expiry restore of the section form: what an operator typed after their session
expired is given back once, on the same page, after they log in again (evaluations.views.answering).

Anyone can post to a section address without signing in, so nothing of such a post is kept on the
server: the section view answers it with the login page, whose form carries what was typed in one
signed, compressed hidden field (`seal`, the login form's FIELD). Only a successful login through
that form moves it into the now signed-in session (`claim`, on user_logged_in), and the section page
takes it from there once (`pop`), keeping only that section's own fields.

Sealing looks nothing up, so the answer is the same whether or not the section exists. The field is
what the client sent, readable by that client; the signature only says that this server sealed it,
for that address, less than STASH_MAX_AGE ago. What is sealed is bounded: fields named like a
section form's (q<id>-<kind>) within the longest value of their kind, STASH_MAX_CHARS characters in
all; any other field is dropped, and a post with a field over its limit (or sent twice) keeps nothing.

No models here: apps.py connects `claim` to user_logged_in before the models are ready.
"""

import re
from datetime import timedelta

from django.core import signing
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

FIELD = "restore"  # the login form's hidden field (evaluations.forms.accounts.LoginForm)
SESSION_KEY = "answering_restore"
SALT = "evaluations.restore"
STASH_MAX_CHARS = 40_000
# The sealed field of STASH_MAX_CHARS characters of text that does not compress is about 40,000 long.
TOKEN_MAX_CHARS = 64_000
# Long enough to find one's password after the session expired, short enough not to surprise.
STASH_MAX_AGE = timedelta(hours=1)
_SECTION_FIELD = re.compile(r"q[0-9]{1,18}-([a-z_]{1,30})")


def seal(path, post, kinds):
    """The login form's field for a post to the section at `path`: its fields named like a section
    form's, `kinds` giving each kind's longest value ({"explanation": 5000, ...}), signed and
    compressed; "" when there is nothing to keep or too much."""
    data = {}
    for name, values in post.lists():
        match = _SECTION_FIELD.fullmatch(name)
        limit = kinds.get(match.group(1)) if match else None
        if limit is None:
            continue
        if len(values) != 1 or len(values[0]) > limit:
            return ""  # not from our form: keep nothing
        data[name] = values[0]
    if not data or sum(len(name) + len(value) for name, value in data.items()) > STASH_MAX_CHARS:
        return ""
    token = signing.dumps({"path": path, "data": data}, salt=SALT, compress=True)
    return token if len(token) <= TOKEN_MAX_CHARS else ""


def _unseal(token):
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX_CHARS:
        return None
    try:
        # The signature is checked before anything is decompressed: only what seal() wrote is.
        stash = signing.loads(token, salt=SALT, max_age=STASH_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(stash, dict) or not isinstance(stash.get("path"), str) or not isinstance(stash.get("data"), dict):
        return None
    return stash


def claim(sender, request, user, **kwargs):
    """user_logged_in: the post sealed in the login form becomes this user's, waiting in the session
    for its section page; what an earlier login claimed is dropped."""
    session = getattr(request, "session", None)
    if session is None:
        return
    stash = _unseal(getattr(request, "POST", {}).get(FIELD))
    if stash is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = {
            "path": stash["path"],
            "data": stash["data"],
            "user": user.pk,
            "at": timezone.now().isoformat(),
        }


def pop(session, path, user, fields):
    """What this user's login brought back for `path`, as POST data of the section's own `fields`
    ({field name: longest value}), once; else None."""
    stash = session.get(SESSION_KEY)
    if not isinstance(stash, dict) or stash.get("path") != path:
        return None
    del session[SESSION_KEY]
    saved_at = parse_datetime(stash.get("at") or "")
    if stash.get("user") != user.pk or saved_at is None or timezone.now() - saved_at > STASH_MAX_AGE:
        return None
    data = QueryDict(mutable=True)
    for name, value in stash["data"].items():
        if name in fields and isinstance(value, str) and len(value) <= fields[name]:
            data[name] = value
    return data or None
