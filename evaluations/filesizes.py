"""A file's size beside the limit it broke, as every "too large" message shows them (evidence,
data sets, the instrument)."""

from decimal import ROUND_HALF_UP, Decimal

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.html import avoid_wrapping
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# filesizeformat's units and labels (Django's catalogue translates them), largest first.
UNITS = [
    (1 << 40, gettext_noop("%s TB")),
    (1 << 30, gettext_noop("%s GB")),
    (1 << 20, gettext_noop("%s MB")),
    (1 << 10, gettext_noop("%s KB")),
]


def size_and_limit(size, limit):
    """(size, limit) as people read them, with as many decimals as it takes for a size over the
    limit never to read as equal to it: filesizeformat() shows 10.03 MB and 10 MB both as
    "10,0 MB"; here they read "10,03 MB" and "10,00 MB", and a file a few bytes over shows its bytes."""
    shown = filesizeformat(size), filesizeformat(limit)
    if shown[0] != shown[1]:
        return shown
    # The same text means the same unit, the limit's.
    unit, label = next(((unit, label) for unit, label in UNITS if limit >= unit), (1, None))
    for decimals in (2, 3) if label else ():
        shown = tuple(avoid_wrapping(_(label) % _in_unit(n, unit, decimals)) for n in (size, limit))
        if shown[0] != shown[1]:
            return shown
    return tuple(avoid_wrapping(_("%s byte") % number_format(n, force_grouping=True)) for n in (size, limit))


def _in_unit(size, unit, decimals):
    exact = Decimal(size) / Decimal(unit)
    return number_format(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP), decimals)
