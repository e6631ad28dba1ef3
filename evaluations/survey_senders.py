"""Who sends the impact survey's public form (/s/<token>/), as far as a server without accounts can
tell, and how much each may send.

- Keyed hashes (HMAC-SHA256 with the site's secret) recognise the same contact, device or network
  again without storing any of them: a contact is normalised first, so that one phone number or
  e-mail address written several ways is one person (normalise_contact).
- A network is the client's IPv4 address, or its IPv6 /64 (one subscriber's block: a phone or a
  home gets a whole /64 and may change address inside it at will).
- Limits per window (settings SURVEY_RATE_*): every post costs its sender's network; only a form
  that passed every check (its signed token included) costs the link, and one loaded form only
  once. Junk and replays cost the one who sends them, never the link's real respondents.
"""

import hashlib
import hmac
import ipaddress
import re

from django.conf import settings

from . import ratelimit

# Mail providers whose addresses ignore dots in the local part (j.o.h.n@ is john@), and the other
# name of the same mailbox.
DOTLESS_MAIL_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def normalise_contact(value):
    """The form of a contact that two spellings of it share.

    An e-mail address: in lower case, without its sub-address (orang+survei@ is orang@), and
    without the dots of a Gmail address. A phone number: its national number, read from any of
    the ways Indonesians write it (0812…, 00812…, +62 812…, 62 812…, 0062 812…, +62 (0)812…,
    with spaces, dashes, dots or parentheses)."""
    value = (value or "").strip()
    if "@" in value:
        local, _at, domain = value.lower().rpartition("@")
        local = local.split("+", 1)[0] or local
        if domain in DOTLESS_MAIL_DOMAINS:
            local, domain = local.replace(".", ""), DOTLESS_MAIL_DOMAINS[domain]
        return f"{local}@{domain}"
    digits = re.sub(r"\D", "", value)
    zeros = len(digits) - len(digits.lstrip("0"))
    digits = digits.lstrip("0")
    # 62 is the country code written first (+62, 62) or after the international prefix (0062);
    # after a single 0 it is an area code (0620-0629).
    if zeros != 1 and digits.startswith("62"):
        digits = digits[2:]
    return digits.lstrip("0")  # +62 (0)812: the trunk 0 written after the country code


def legacy_contact_key(value):
    """The contact as the first rule read it (before issue 28): an e-mail address in lower case, a
    phone number's digits without one leading 62 or 0. Responses stored then keep hashes of this."""
    value = (value or "").strip()
    if "@" in value:
        return value.lower()
    return re.sub(r"^(62|0)", "", re.sub(r"\D", "", value))


def _hmac(kind, value):
    return hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def keyed_hash(kind, value):
    """A keyed hash of `value`, so that two equal values can be recognised without either being
    stored: the same contact across pillars, the same device twice, one network's bursts. `kind`
    keeps a contact's hash apart from a device's; contacts are normalised first. "" for nothing."""
    value = (value or "").strip()
    if not value:
        return ""
    return _hmac(kind, normalise_contact(value) if kind == "contact" else value)


def legacy_contact_hash(value):
    """The hash the first rule gave this contact, when it differs from keyed_hash's ("" otherwise):
    hashes are keyed and the contacts were never stored, so responses saved before the rule
    changed cannot be re-hashed; a new response is compared with both."""
    value = (value or "").strip()
    if not value:
        return ""
    legacy = _hmac("contact", legacy_contact_key(value))
    return "" if legacy == keyed_hash("contact", value) else legacy


def network_of(address):
    """The network a client address stands for: an IPv4 address itself, an IPv6 address's /64
    (an IPv4 address mapped into IPv6 is the IPv4 address). "" when it is no address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        return str(ip)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def network_hash(address):
    return keyed_hash("network", network_of(address))


def sender_over_limit(address):
    """Count one post of the network of `address`; True when it went over SURVEY_RATE_PER_IP in the
    window. Every post counts, valid or not: junk costs its sender."""
    sender = network_of(address) or address
    return ratelimit.hit("survey-ip", sender, settings.SURVEY_RATE_PER_IP, settings.SURVEY_RATE_WINDOW)


def link_over_limit(link_token, nonce):
    """Count one valid submission (its signed token checked) of the loaded form `nonce` toward its
    link; True when the link went over SURVEY_RATE_PER_LINK in the window. A loaded form sent again
    (a replay, two taps) counts once, so replaying one good form cannot block the link."""
    window = settings.SURVEY_RATE_WINDOW
    if not ratelimit.first_time("survey-nonce", nonce, settings.SURVEY_TOKEN_MAX_AGE):
        return False
    return ratelimit.hit("survey-link", link_token, settings.SURVEY_RATE_PER_LINK, window)
