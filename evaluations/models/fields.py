"""Model fields shared by the topics."""

from django.core.validators import MaxLengthValidator
from django.db import models


def limited_text(verbose_name, max_length, **kwargs):
    """A TextField people type into, with a length limit: max_length gives the form field (and its
    textarea) the limit, the validator makes the model refuse longer text as well (a TextField's
    max_length alone is not enforced)."""
    return models.TextField(verbose_name, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs)
