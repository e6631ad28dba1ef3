"""Every text people type has a length limit: on the model (a CharField's max_length, a
MaxLengthValidator on a TextField, which also gives the form field its max_length) and on every
form field, so a 100,000-character note is refused with a message instead of being stored."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models

import evaluations.forms

# Text the app writes itself, never typed into a form.
WRITTEN_BY_THE_APP = {
    ("evaluations", "answerchange", "old_value"),
    ("evaluations", "answerchange", "new_value"),
    ("evaluations", "quickwinchange", "fields"),
    ("evaluations", "quickwinfieldchange", "old_value"),
    ("evaluations", "quickwinfieldchange", "new_value"),
    ("evaluations", "adminchange", "old_value"),
    ("evaluations", "adminchange", "new_value"),
    ("evaluations", "instrumentchange", "summary"),
    ("evaluations", "reviewplanchange", "old_value"),
    ("evaluations", "reviewplanchange", "new_value"),
}
# Form fields replaced per question in __init__ (the text control gets its max_length there), the
# password, which is checked, never stored, and the bulk review's list of "<pk>:<stamp>" items, each
# checked for its shape and length in clean_jawaban.
FORM_EXCEPTIONS = {("AnswerForm", "value"), ("LoginForm", "password"), ("BulkActionForm", "jawaban")}


def text_fields():
    for app in ("evaluations", "pillars"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.TextField):
                    yield pytest.param(field, id=f"{model.__name__}.{field.name}")


@pytest.mark.parametrize("field", list(text_fields()))
def test_every_text_field_people_type_has_a_length_limit(field):
    if (field.model._meta.app_label, field.model._meta.model_name, field.name) in WRITTEN_BY_THE_APP:
        return
    limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
    assert limits and field.max_length == limits[0], f"{field}: no MaxLengthValidator matching max_length"


def form_classes():
    for module_info in pkgutil.iter_modules(evaluations.forms.__path__):
        module = importlib.import_module(f"evaluations.forms.{module_info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield pytest.param(cls, id=name)


@pytest.mark.parametrize("form_class", list(form_classes()))
def test_every_text_field_of_every_form_has_a_max_length(form_class):
    for name, field in form_class.base_fields.items():
        if (form_class.__name__, name) in FORM_EXCEPTIONS:
            continue
        if type(field) in (forms.CharField, forms.URLField) or isinstance(field, forms.URLField):
            assert field.max_length, f"{form_class.__name__}.{name} has no max_length"
