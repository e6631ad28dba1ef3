"""Filters and tags for the review, dashboard and results pages."""

import html

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.template.defaultfilters import urlencode
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


@register.simple_tag(takes_context=True)
def review_section_links(context):
    """The section navigator's list (_sections.html): a link to each section in the filter shown,
    the current one marked, with its verified / scored count and its marks. Written here: through
    the template the 30 sections of a large form cost more than the rest of the navigator."""
    url, show, current = context.get("review_url") or "", context.get("show"), context.get("section")
    current_key = getattr(current, "key", None)
    tampil = f"&amp;tampil={fast_escape(show)}" if show else ""
    general = _("Umum")
    parts = []
    for section in context.get("sections") or ():
        key = fast_escape(section.key)
        here = ' aria-current="page" class="fw-bold"' if section.key == current_key else ""
        badge = "text-bg-success" if section.is_verified else "text-bg-light border"
        marks = ""
        if section.marked:
            words = ngettext("%(n)s perlu perbaikan", "%(n)s perlu perbaikan", section.marked) % {"n": section.marked}
            marks = f' <span class="badge text-bg-danger">{words}</span>'
        parts.append(
            f'<li><a href="{fast_escape(url)}?bagian={fast_escape(urlencode(section.key))}{tampil}"{here}>'
            f"{fast_escape(section.dimension)} · {fast_escape(section.pillar or general)}</a> "
            f'<span class="badge {badge} section-verified-count" data-section="{key}">'
            f"{section.verified}/{section.scorable}</span>{marks}</li>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped where it is written


# The widgets review_field draws itself (with the class crispy-forms gives each: its class name),
# and the templates Django would draw them with.
PLAIN_WIDGETS = {
    forms.TextInput: "django/forms/widgets/text.html",
    forms.Textarea: "django/forms/widgets/textarea.html",
    forms.CheckboxInput: "django/forms/widgets/checkbox.html",
}
HIDDEN_TEMPLATE = "django/forms/widgets/hidden.html"
REQUIRED_MARK = mark_safe('<span class="asteriskField">*</span>')


@register.simple_tag
def review_field(field):
    """A field of a review card's form as crispy-forms' bootstrap5 pack draws it (as_crispy_field:
    the same elements, classes, ids and attributes), without its template machinery: a page of 25
    cards drew 100 fields through crispy's nested templates, a fifth of the page's time. Only the
    plain case is drawn here, a text input, text area or checkbox with its label (and help text)
    and no error, or a hidden input (crispy draws it alone); any other field (a refused value
    with its message, above all) goes to crispy itself. tests/test_review_fields.py compares the
    two for every field of the cards' and the actions box's forms."""
    widget = field.field.widget
    if type(widget) is forms.HiddenInput and widget.template_name == HIDDEN_TEMPLATE:
        return widget_html(field)
    if (
        field.errors
        or field.is_hidden
        or not field.label
        or field.css_classes()
        or "class" in widget.attrs
        or PLAIN_WIDGETS.get(type(widget)) != widget.template_name
    ):
        return as_crispy_field(field)
    required = field.field.required
    label_class = " requiredField" if required else ""
    mark = REQUIRED_MARK if required else ""
    kind = type(widget).__name__.lower()
    label = fast_escape(field.label)
    # crispy's help_text.html: the help text is not escaped (Django's convention for help texts).
    help_text = (
        f'<div id="{fast_escape(field.auto_id)}_helptext" class="form-text">{field.help_text}</div>'
        if field.help_text
        else ""
    )
    if isinstance(widget, forms.CheckboxInput):
        markup = (
            f'<div class="mb-3"><div id="div_{fast_escape(field.auto_id)}" class="form-check">'
            f"{_widget(field, f'{kind} form-check-input')}"
            f'<label for="{fast_escape(field.id_for_label)}" class="form-check-label{label_class}">{label}{mark}'
            f"</label>{help_text}</div></div>"
        )
    else:
        markup = (
            f'<div id="div_{fast_escape(field.auto_id)}" class="mb-3">'
            f'<label for="{fast_escape(field.id_for_label)}" class="form-label{label_class}">{label}{mark}</label>'
            f"{_widget(field, f'{kind} form-control')}{help_text}</div>"
        )
    return mark_safe(markup)  # noqa: S308 - every value is escaped where it is written


def unbound_field(form, name):
    """review_field(form[name]) for a field of an unbound form, written from the field and the
    form's initial value without building its BoundField (and the hidden input alone, as
    review_field draws it): each of a page's 25 cards draws five such fields, and the bound
    field's machinery was most of a card's time. A field outside the plain case (required,
    disabled, localised, with a help text or an id or class of its own) goes to review_field.
    tests/test_review_fields.py compares the two."""
    field = form.fields[name]
    widget = field.widget
    hidden = type(widget) is forms.HiddenInput and widget.template_name == HIDDEN_TEMPLATE
    if (
        form.is_bound
        or form.auto_id != "id_%s"
        or field.required
        or field.disabled
        or field.localize
        or field.help_text
        or "class" in widget.attrs
        or "id" in widget.attrs
        or "aria-describedby" in widget.attrs
        or not (hidden or (field.label and PLAIN_WIDGETS.get(type(widget)) == widget.template_name))
    ):
        return review_field(form[name])
    html_name = form.add_prefix(name)
    auto_id = f"id_{html_name}"
    value = field.prepare_value(form.get_initial_for_field(field, name))
    # As BoundField.build_widget_attrs and the widget's get_context put them together.
    kind = type(widget).__name__.lower()
    if hidden:
        extra = {"id": auto_id}
    elif isinstance(widget, forms.CheckboxInput):
        extra = {"class": f"{kind} form-check-input", "id": auto_id}
        if widget.check_test(value):
            extra["checked"] = True
    else:
        extra = {"class": f"{kind} form-control", "id": auto_id}
    control = _control(widget, html_name, widget.format_value(value), {**widget.attrs, **extra})
    if hidden:
        return mark_safe(control)  # noqa: S308 - escaped in _control
    label = fast_escape(field.label)
    if isinstance(widget, forms.CheckboxInput):
        markup = (
            f'<div class="mb-3"><div id="div_{fast_escape(auto_id)}" class="form-check">{control}'
            f'<label for="{fast_escape(auto_id)}" class="form-check-label">{label}</label></div></div>'
        )
    else:
        markup = (
            f'<div id="div_{fast_escape(auto_id)}" class="mb-3">'
            f'<label for="{fast_escape(auto_id)}" class="form-label">{label}</label>{control}</div>'
        )
    return mark_safe(markup)  # noqa: S308 - every value is escaped where it is written


def widget_html(field):
    """`{{ field }}` (the widget alone) of a hidden input or one of the PLAIN_WIDGETS."""
    return _widget(field, None)


def fast_escape(value):
    """conditional_escape for the many short values of a page's cards: the same text, without the
    lazy-string wrappers around django.utils.html.escape (a third of a card's time)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _widget(field, css_class):
    """field.as_widget(attrs={"class": css_class}) for the PLAIN_WIDGETS and hidden inputs (no
    class: None), written out as their templates (django/forms/widgets/input.html, textarea.html,
    attrs.html) write them: each widget drawn through the template engine cost more than the rest
    of its card's field."""
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({"class": css_class} if css_class else {}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    return mark_safe(_control(widget, context["name"], context["value"], context["attrs"]))  # noqa: S308


def _control(widget, name, value, attrs):
    """The element as django/forms/widgets/input.html, textarea.html and attrs.html write it,
    every value escaped; `value` as the widget's format_value gives it."""
    # attrs.html: False leaves the attribute out, True writes its name alone.
    attributes = "".join(
        f" {fast_escape(key)}" if item is True else f' {fast_escape(key)}="{fast_escape(item)}"'
        for key, item in attrs.items()
        if item is not False
    )
    if isinstance(widget, forms.Textarea):
        return f'<textarea name="{fast_escape(name)}"{attributes}>\n{fast_escape(value or "")}</textarea>'
    shown = "" if value is None else f' value="{fast_escape(value)}"'
    return f'<input type="{fast_escape(widget.input_type)}" name="{fast_escape(name)}"{shown}{attributes}>'
