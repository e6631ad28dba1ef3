"""The history of what the Django admin changes, and how every history row writes a value.

The app's own pages keep their own audit rows (SubmissionEvent and AnswerChange for submissions,
QuickWinChange and its field changes for quick wins). The admin is left to edit configuration
only: periods, the instrument (dimensions, indicators, questions, options, score bands), agencies,
their members and assignments. Each such change made there is an AdminChange per field: who,
when, which object, old and new value, as evaluations/admin.py records them.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .instrument import format_number


def value_text(instance, field):
    """`field` of `instance` as a person reads it in a history: the label of a choice, the name of
    a related object (names of many, sorted), Ya/Tidak, a number in the active language, a date
    as YYYY-MM-DD; "" when empty. Written when the change is made, like AnswerChange's values."""
    if field.many_to_many:
        return ", ".join(sorted(str(related) for related in getattr(instance, field.name).all()))
    value = getattr(instance, field.attname)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = getattr(instance, field.name, None)
        return "" if related is None else str(related)
    if isinstance(value, bool):
        return str(_("Ya") if value else _("Tidak"))
    if isinstance(value, Decimal | int | float):
        return format_number(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def history_fields(model, excluded=()):
    """The fields a history compares: concrete ones and many-to-many, but not the primary key,
    automatic timestamps or `excluded`."""
    fields = []
    for field in model._meta.get_fields():
        if field.auto_created or not (field.concrete or field.many_to_many) or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) or field.name in excluded:
            continue
        fields.append(field)
    return fields


class FieldChange(models.Model):
    """One changed field with its old and new value as a person reads them: what every audit row
    of answers, quick wins and the admin's configuration edits keeps."""

    field = models.CharField(_("isian"), max_length=40)
    old_value = models.TextField(_("nilai lama"), blank=True)
    new_value = models.TextField(_("nilai baru"), blank=True)

    class Meta:
        abstract = True


class AdminChangeQuerySet(models.QuerySet):
    def of(self, model, object_id):
        """The history of one object in the admin: its own rows and those of the rows changed on
        its page. Two queries (content types are cached)."""
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        own = models.Q(content_type=content_type, object_id=str(object_id))
        on_its_page = models.Q(parent_type=content_type, parent_id=str(object_id))
        return self.filter(own | on_its_page).select_related("actor", "content_type")


class AdminChange(FieldChange):
    """One field of an object added, changed or deleted in the Django admin."""

    class Action(models.TextChoices):
        ADDED = "added", _("Ditambahkan")
        CHANGED = "changed", _("Diubah")
        DELETED = "deleted", _("Dihapus")

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("jenis data")
    )
    object_id = models.CharField(_("id data"), max_length=64)
    object_repr = models.CharField(_("data"), max_length=200)
    # For a row changed on its parent's page (an option on its question's): the parent, whose
    # history then shows it too.
    parent_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("induk")
    )
    parent_id = models.CharField(_("id induk"), max_length=64, blank=True)
    action = models.CharField(_("tindakan"), max_length=10, choices=Action.choices)
    field = models.CharField(_("isian"), max_length=100, blank=True)  # blank: a whole object added or deleted
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("oleh")
    )
    at = models.DateTimeField(_("waktu"), auto_now_add=True)

    objects = AdminChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("riwayat perubahan di admin")
        verbose_name_plural = _("riwayat perubahan di admin")
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["parent_type", "parent_id"]),
        ]

    def __str__(self):
        return f"{self.object_repr} · {self.field_label()}"

    def field_label(self):
        model = self.content_type.model_class()
        try:
            return capfirst(model._meta.get_field(self.field).verbose_name)
        except (AttributeError, FieldDoesNotExist):  # a model or field removed since
            return self.field

    @classmethod
    def record(cls, actor, action, instance, before=None, parent=None):
        """Rows for `instance` added (every field with a value), deleted (every field with a
        value, as old values; call it before the deletion) or changed (every field whose value
        differs from `before`, a copy read before the change). Returns the rows saved."""
        content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
        parent_type = None if parent is None else ContentType.objects.get_for_model(parent, for_concrete_model=False)
        rows = []
        for field in history_fields(type(instance)):
            # A related object unchanged by key is unchanged: no query to name it.
            if (
                action == cls.Action.CHANGED
                and field.is_relation
                and not field.many_to_many
                and getattr(before, field.attname) == getattr(instance, field.attname)
            ):
                continue
            new = "" if action == cls.Action.DELETED else value_text(instance, field)
            if action == cls.Action.CHANGED:
                old = value_text(before, field)
            elif action == cls.Action.DELETED:
                old = value_text(instance, field)
            else:
                old = ""
            if old == new:
                continue
            rows.append(
                cls(
                    content_type=content_type,
                    object_id=str(instance.pk),
                    object_repr=str(instance)[:200],
                    parent_type=parent_type,
                    parent_id="" if parent is None else str(parent.pk),
                    action=action,
                    field=field.name,
                    old_value=old,
                    new_value=new,
                    actor=actor,
                )
            )
        return cls.objects.bulk_create(rows)
