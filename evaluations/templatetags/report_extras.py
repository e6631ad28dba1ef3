"""Filters of the region's report (templates/evaluations/reports/)."""

from django import template
from django.utils.translation import gettext

from ..models.instrument import format_score

register = template.Library()


@register.filter
def report_score(value):
    """A score rounded half up to 2 decimals (3,41), or "belum ada data" where nothing counts
    towards it: the report never prints a zero that nothing was measured for."""
    if value is None:
        return gettext("belum ada data")
    return format_score(value)


@register.filter
def get_note(notes, kind):
    """The scope's note of one kind ({kind: ReportNote}), or None."""
    return notes.get(kind)
