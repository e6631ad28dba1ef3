"""Numbers as people read them, one format per kind and per language (issue 24): scores are
models.instrument.format_score (3,41), stored numbers format_number (1.234,5); here percentages
and the figures of a table, which sit side by side and so always carry the same decimals."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

CENT = Decimal("0.01")


def format_percent(value):
    """A percentage (an achievement, a target, a share of km): 2 decimals in the active language's
    style (60,50; 80,00); – when there is none. The % sign is the caller's."""
    if value is None or value == "":
        return "–"
    return number_format(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP), 2, force_grouping=True)


def format_figure(value):
    """A cell of a table of figures: a count as a whole number (1.234), a measure with 2 decimals
    (12,50 km beside 80,00 km), a label as it is; – when there is none."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value  # a label (a level, a status) in a column of its own
    if isinstance(value, int):
        return number_format(value, 0, force_grouping=True)
    return format_percent(value)


def whole_percent(part, whole):
    """A count against its target as a whole-number percentage, rounded half up (5 of 30 is 17%),
    but never 100% before the target is reached (49.9 of 50 is 99%); 0 without a target."""
    if not whole:
        return 0
    rounded = (part * 200 + whole) // (2 * whole)
    return min(rounded, 99) if part < whole else rounded
