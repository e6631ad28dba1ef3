"""What a person typed, read the same way everywhere: in a data-set upload, an instrument file and
the answer form.

CellError is the one error about a spreadsheet cell (or a row, a sheet, the whole file);
YES_WORDS / NO_WORDS and yes_no() the one yes/no vocabulary; machine_number() and to_decimal() the
one number parser; cell_text(), is_blank() and short_text() the small helpers both readers need.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

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


def machine_number(text, decimal_mark=None):
    """A number as a person typed it, as a string Decimal() reads ("1.234,5" -> "1234.5").

    Without `decimal_mark` (spreadsheets, where we cannot know the writer's language) both
    Indonesian and international writing are read: spaces of any kind are dropped; with both "."
    and "," the last one is the decimal mark and the other groups thousands; several of the same
    mark group thousands; a single one is the decimal mark. The answer form passes the active
    language's mark and keeps the rule it has always had.
    """
    if decimal_mark is not None:
        text = text.strip().replace(" ", "")
        if decimal_mark == ",":
            return text.replace(".", "").replace(",", ".") if "," in text else text
        return text.replace(",", "")
    text = "".join(text.split())
    last_comma, last_dot = text.rfind(","), text.rfind(".")
    if last_comma >= 0 and last_dot >= 0:
        mark, grouping = (",", ".") if last_comma > last_dot else (".", ",")
        return text.replace(grouping, "").replace(mark, ".")
    if text.count(",") > 1 or text.count(".") > 1:
        return text.replace(",", "").replace(".", "")
    return text.replace(",", ".")


def to_decimal(value):
    """A cell's value as a finite Decimal, None when empty. Raises ValueError for anything else
    (text that is no number, a yes/no cell, a date, NaN or infinity)."""
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
        try:
            number = Decimal(machine_number(str(value)))
        except InvalidOperation:
            raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number
