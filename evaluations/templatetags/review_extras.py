"""Filters and tags for the review, dashboard and results pages."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format

from .. import formats, scoring
from ..models.instrument import format_score

register = template.Library()


@register.filter
def score(value):
    """A score rounded half up to 2 decimals in the active language's style (3,41); – when none."""
    return format_score(value)


@register.filter
def pct(value):
    """A percentage with 2 decimals in the active language's style (60,50); – when none."""
    return formats.format_percent(value)


@register.filter
def figure(value):
    """A table's figure: a count whole (1.234), a measure with 2 decimals (80,00); – when none."""
    return formats.format_figure(value)


@register.filter
def score_change(value):
    """A change between periods with its sign (+0,25 / −0,10); – when there is nothing to compare."""
    if value is None:
        return "–"
    rounded = scoring.round_score(value)
    text = number_format(abs(rounded), 2)
    if rounded > 0:
        return f"+{text}"
    if rounded < 0:
        return f"−{text}"
    return text


@register.simple_tag
def evidence_href(evidence):
    """Where an evidence item opens: its link, or the access-checked download view for a file.
    Empty when the download view is not installed (the title is then shown without a link)."""
    if not evidence.is_file:
        return evidence.url
    try:
        return reverse("evaluations:answering_evidence_download", args=[evidence.pk])
    except NoReverseMatch:
        return ""
