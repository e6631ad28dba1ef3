"""What a person typed, read the same way everywhere: in a data-set upload, an instrument file and
the answer form.

CellError is the one error about a spreadsheet cell (or a row, a sheet, the whole file);
YES_WORDS / NO_WORDS and yes_no() the one yes/no vocabulary; parse_number() (typed text) and
to_decimal() (a cell, typed or stored as a number) the one number parser; cell_text(), is_blank()
and short_text() the small helpers both readers need.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

YES_WORDS = frozenset({"ya", "y", "yes", "true", "1", "benar", "wajib"})
NO_WORDS = frozenset({"tidak", "t", "no", "false", "0", "salah"})


@dataclass
class CellError:
    row: int | None  # the row number in the file (1 = header row); None for a whole sheet or file
    column: str
    message: str
    sheet: str = ""  # named when the file has several sheets that mean different things

    def __str__(self):
        where = []
        if self.sheet:
            where.append(_('lembar "%(sheet)s"') % {"sheet": self.sheet})
        if self.row:
            where.append(_("baris %(row)s") % {"row": self.row})
        if self.column:
            where.append(_('kolom "%(column)s"') % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message


def is_blank(value):
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    # pandas gives NaN (or NaT) for an empty cell: the only values that differ from themselves.
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def cell_text(value):
    """The cell as text, "" when blank; a whole number Excel stored as 12.0 reads as "12"."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def short_text(value):
    """The value as a message quotes it: cut to 40 characters."""
    text = str(value).strip()
    return text if len(text) <= 40 else text[:37] + "..."


def yes_no(value):
    """True or False for a yes/no word (or a real boolean cell), None for anything else."""
    if isinstance(value, bool):
        return value
    word = cell_text(value).casefold()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


class NumberError(ValueError):
    """Typed text that is not a number we can read without guessing. `code` is "invalid" (no number
    at all) or "ambiguous" (separators that make no sense, e.g. "1.23.4" or "1,234,5")."""

    def __init__(self, code, text):
        super().__init__(text)
        self.code = code


NUMBER = re.compile(r"([+-]?)([0-9][0-9.,]*)([^0-9.,]*)")


def _grouped(integer, grouping):
    """The digits of an integer part written with a thousands separator, or None if the groups are
    not 1-3 digits followed by groups of exactly 3."""
    groups = integer.split(grouping)
    head, tail = groups[0], groups[1:]
    if not (head.isdigit() and len(head) <= 3 and all(len(g) == 3 and g.isdigit() for g in tail)):
        return None
    return "".join(groups)


def parse_number(text, decimal_mark=","):
    """A number as a person typed it, in the writer's convention: `decimal_mark` "," (Indonesian:
    the UI's default and our spreadsheets') or "." (English).

    - Spaces of any kind are ignored, and so is a unit or "%" typed after the number ("75,5 %").
    - With both "." and "," the last one is the decimal mark and the other groups thousands:
      "1.234,5" and "1,234.5" are 1234.5 whatever the language.
    - Several of the same mark group thousands: "1.250.000".
    - A single mark is the decimal mark, except the language's thousands separator followed by
      exactly three digits after one to three digits: in Indonesian "1.250" is 1250 (the rule for
      the ambiguous case, written once here), while "1250.5", "12.5" and "0.125" are decimals.
    Groups that are not of three digits ("1.23.4") are refused as ambiguous rather than guessed.
    """
    match = NUMBER.fullmatch("".join(str(text).split()))
    if match is None:
        raise NumberError("invalid", text)
    sign, body, _unit = match.groups()
    last = max(body.rfind(","), body.rfind("."))
    integer, fraction = body, ""
    if "," in body and "." in body:
        mark = body[last]
        integer, fraction = _grouped(body[:last], "." if mark == "," else ","), body[last + 1 :]
    elif last >= 0:
        sep = body[last]
        parts = body.split(sep)
        thousands = sep != decimal_mark and len(parts[1]) == 3 and 1 <= len(parts[0]) <= 3 and parts[0][0] != "0"
        if len(parts) > 2 or thousands:
            integer = _grouped(body, sep)
        else:
            integer, fraction = parts
    if integer is None or (fraction and not fraction.isdigit()):
        raise NumberError("ambiguous", text)
    # Trailing zeros after the mark say nothing ("1,50" is 1,5) and would count as decimal places.
    fraction = fraction.rstrip("0")
    return Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")


def to_decimal(value):
    """A cell's value as a finite Decimal, None when empty. Raises ValueError for anything else
    (text that is no number, a yes/no cell, a date, NaN or infinity). Text is read with
    parse_number in the Indonesian convention, like the forms of the Indonesian UI."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 0.1, not 0.1000000000000000055...
        # (float() first, so that a numpy float is not written as "np.float64(0.1)").
        number = Decimal(repr(float(value)))
    else:
        number = parse_number(str(value))
    if not number.is_finite():
        raise ValueError(value)
    return number
