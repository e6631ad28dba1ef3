"""`{{ form.field|as_field }}` and `{{ form|as_form }}`: crispy-forms' Bootstrap 5 markup, in Python.

The section page shows five fields per question, and `|as_crispy_field` renders each through a
dozen nested templates (about 1.3 ms a field, half of the page's rendering). This filter writes the
same markup (`bootstrap5/field.html` with its defaults: labels and errors shown, no helper) for the
widgets the answer forms use: text inputs, text areas, selects, radio buttons and file inputs, and
hands any other widget to crispy. tests/test_form_fields.py renders every field of the answer form
both ways, bound and unbound, with errors, help texts and disabled fields, and compares them.
"""

import html

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

CONTROL_WIDGETS = (forms.TextInput, forms.NumberInput, forms.DateInput, forms.Textarea)
# Widgets that are Inputs but are not written as a plain control by crispy.
OTHER_INPUTS = (forms.FileInput, forms.CheckboxInput, forms.HiddenInput, forms.MultipleHiddenInput)


@register.filter
def as_form(form):
    """`{{ form|crispy }}` for a form without a helper: its errors, then every field."""
    if getattr(form, "helper", None) is not None:
        return as_crispy_form(form)
    parts = []
    if form.non_field_errors():
        items = "".join(f"<li>{conditional_escape(error)}</li>" for error in form.non_field_errors())
        parts.append(f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>')
    parts.extend(as_field(bound) for bound in form)
    return mark_safe("".join(parts))  # noqa: S308 - the parts are escaped where they are written


@register.filter
def as_field(bound):
    # Labels and help texts are lazy translations, read several times below: translated once.
    bound.label, bound.help_text = str(bound.label), str(bound.help_text)
    widget = bound.field.widget
    if bound.is_hidden:
        if type(widget) is forms.HiddenInput:
            return mark_safe(_input(bound))  # noqa: S308 - escaped in _input
        return bound.as_widget()
    if isinstance(widget, forms.RadioSelect) and not isinstance(widget, forms.CheckboxSelectMultiple):
        body = _choices(bound)
    elif isinstance(widget, forms.FileInput):
        body = _file(bound)
    elif type(widget) is forms.Select:
        body = _control(bound, "form-select") + _help_and_errors(bound)
    elif isinstance(widget, CONTROL_WIDGETS) and not isinstance(widget, OTHER_INPUTS):
        body = _control(bound, "form-control") + _help_and_errors(bound)
    else:
        return as_crispy_field(bound)
    css = bound.css_classes()
    parts = [f'<div id="div_{bound.auto_id}" class="mb-3{" " + css if css else ""}">']
    fieldset = bound.use_fieldset and bound.label
    if bound.label:
        if fieldset:
            described = bound.aria_describedby
            parts.append(f'<fieldset aria-describedby="{described}">' if described else "<fieldset>")
        tag = "legend" if bound.use_fieldset else "label"
        target = f' for="{bound.id_for_label}"' if bound.id_for_label else ""
        classes = "form-label" + (" requiredField" if bound.field.required else "")
        classes += " fs-6" if bound.use_fieldset else ""
        asterisk = '<span class="asteriskField">*</span>' if bound.field.required else ""
        parts.append(f'<{tag}{target} class="{classes}">{conditional_escape(bound.label)}{asterisk}</{tag}>')
    parts.append(body)
    if fieldset:
        parts.append("</fieldset>")
    parts.append("</div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped where it is written


def _escape(value):
    """conditional_escape without the check for lazy arguments around it (django.utils.functional.keep_lazy):
    the markup of a page's fields calls it for every attribute and choice."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs):
    """As django/forms/widgets/attrs.html writes them."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _css_class(widget, extra):
    """The class crispy's `crispy_field` tag gives the widget: its own class, the widget's name
    in lower case, then `extra`."""
    name = widget.__class__.__name__.lower()
    css = widget.attrs.get("class", "")
    if css:
        if css.find(name) == -1:
            css += f" {name}"
    else:
        css = name
    for token in extra.split():
        if token not in css.split():
            css += f" {token}"
    return css


def _control(bound, css):
    """An input, text area or select as Django writes it, with crispy's classes."""
    widget = bound.field.widget
    extra = f"{css} is-invalid" if bound.errors else css
    return _input(bound, _css_class(widget, extra))


def _input(bound, css_class=None):
    """The widget as Django's own templates write it (django/forms/widgets/*.html)."""
    widget = bound.field.widget
    if bound.field.localize:
        widget.is_localized = True
    attrs = bound.build_widget_attrs({}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    context = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]
    attrs = context["attrs"]
    if css_class is not None:
        attrs["class"] = css_class
    name = _escape(context["name"])
    if isinstance(widget, forms.Textarea):
        value = context["value"]
        return f'<textarea name="{name}"{_attrs(attrs)}>\n{_escape(value) if value else ""}</textarea>'
    if isinstance(widget, forms.Select):
        return f'<select name="{name}"{_attrs(attrs)}>{_options(context["optgroups"])}\n</select>'
    value = context["value"]
    shown = f' value="{_escape(value)}"' if value is not None else ""
    return f'<input type="{_escape(context["type"])}" name="{name}"{shown}{_attrs(attrs)}>'


def _options(optgroups):
    parts = []
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_escape(option['label'])}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    return "".join(parts)


def _choices(bound):
    """Radio buttons as bootstrap5/layout/radio_checkbox_select.html writes them: the errors
    after the last button, the help text below them all."""
    widget = bound.field.widget
    id_ = widget.attrs.get("id") or bound.auto_id
    attrs = bound.build_widget_attrs({"id": id_} if id_ else {})
    groups = list(widget.optgroups(bound.html_name, widget.format_value(bound.value()), attrs))
    invalid = " is-invalid" if bound.errors else ""
    name = _escape(bound.html_name)
    parts = ["<div >"]
    for group_number, (group_name, options, _index) in enumerate(groups, start=1):
        if group_name:
            parts.append(f"<strong>{_escape(group_name)}</strong>")
        for number, option in enumerate(options, start=1):
            parts.append(
                f'<div class="form-check"><input type="{_escape(option["type"])}" class="form-check-input{invalid}"  '
                f'name="{name}" value="{_escape(option["value"])}" {_attrs(option["attrs"])}>'
                f'<label for="{_escape(option["attrs"].get("id", ""))}" class="form-check-label">'
                f"{_escape(option['label'])}</label>"
            )
            if bound.errors and number == len(options) and group_number == len(groups):
                parts.append(_errors(bound))
            parts.append("</div>")
    parts.append("</div>")
    parts.append(_help(bound))
    return "".join(parts)


def _file(bound):
    """A file input as bootstrap5/layout/field_file.html writes it (a new file only: the answer
    forms never show a stored file in the input)."""
    parts = []
    disabled = " disabled" if bound.field.disabled else ""
    invalid = " is-invalid" if bound.errors else ""
    for widget in bound.subwidgets:
        data = widget.data
        if data.get("is_initial"):
            return as_crispy_field(bound)
        attrs = dict(data["attrs"])
        extra = f" {conditional_escape(attrs.pop('class'))}" if attrs.get("class") else ""
        attrs.pop("class", None)
        wrapper = '<div class="is-invalid">' if bound.errors else "<div>"
        parts.append(
            f'{wrapper}<input type="{_escape(data["type"])}" name="{_escape(data["name"])}" '
            f'class="form-control{extra}{invalid}"{disabled}{_attrs(attrs)}>{_help_and_errors(bound)}</div>'
        )
    return "".join(parts)


def _help_and_errors(bound):
    """bootstrap5/layout/help_text_and_errors.html with its defaults: the errors, then the help."""
    return _errors(bound) + _help(bound)


def _help(bound):
    """bootstrap5/layout/help_text.html (the help text is written as it is: it is ours, not typed)."""
    if not bound.help_text:
        return ""
    where = f'id="{bound.auto_id}_helptext" ' if bound.auto_id else ""
    return f'<div {where}class="form-text">{bound.help_text}</div>'


def _errors(bound):
    if not bound.errors:
        return ""
    field_id = getattr(bound.errors, "field_id", None)
    items = "".join(
        f'<p id="error_{number}_{bound.auto_id}"><strong>{conditional_escape(error)}</strong></p>'
        for number, error in enumerate(bound.errors, start=1)
    )
    return f'<div id="{field_id}_error" class="invalid-feedback">{items}</div>'
