"""Uploaded files kept by the app (answer evidence, quick-win evidence, data-set uploads).

Files are stored under a random name through Django's storage API (private, never served
directly: downloads go through access-checked views); the name the person chose is kept in
`original_name` for display. The `*_upload_to` functions are named in the migrations: keep them.
"""

import os
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _random_name(folder, filename):
    ext = os.path.splitext(filename)[1].lower()
    return f"{folder}/{uuid.uuid4().hex}{ext}"


def evidence_upload_to(instance, filename):
    return _random_name("evidence", filename)


def pending_evidence_upload_to(instance, filename):
    return _random_name("pending", filename)


def quick_win_evidence_upload_to(instance, filename):
    return _random_name("quickwins", filename)


def dataset_upload_to(instance, filename):
    # Always .xlsx: the upload has been checked to be one.
    return f"datasets/{instance.kind}/{uuid.uuid4().hex}.xlsx"


class StoredFile(models.Model):
    """The fields every stored file has. Each subclass declares its own `file` field, because
    where it is stored (upload_to) and whether it may be empty differ."""

    original_name = models.CharField(_("nama berkas asli"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("ukuran (byte)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("diunggah oleh"),
    )
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def is_file(self):
        return bool(self.file)

    def take(self, uploaded_file):
        """Keep an uploaded (already validated) file; it is written to storage when the row is saved."""
        self.file = uploaded_file
        self.original_name = os.path.basename(uploaded_file.name or "")[:255]
        self.size = uploaded_file.size or 0


class RemovableFileQuerySet(models.QuerySet):
    def live(self):
        """Files not removed (removal keeps the row and the stored file for the record)."""
        return self.filter(removed_at__isnull=True)


class RemovableFile(StoredFile):
    """A stored file its owner can take off (a duplicate, a wrong file): answer evidence and
    quick-win evidence. The row says who removed it and when; pages and exports show `live()` ones."""

    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dihapus oleh"),
    )
    removed_at = models.DateTimeField(_("dihapus"), null=True, blank=True)

    objects = RemovableFileQuerySet.as_manager()

    class Meta:
        abstract = True
