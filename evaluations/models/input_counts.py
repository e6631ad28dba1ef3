"""How often the rows the results are computed from have changed, counted by the database.

Triggers (evaluations/input_counts.py) add one to an owner's count on every insert, update and
delete of a counted table's rows, whoever writes them (the app, a bulk update, the admin, a
hand-typed SQL statement): the results' stamp (results_cache.input_stamps) reads these few counts
instead of scanning every answer and hashing every question of a period on each page.
Nothing in the app writes this table.
"""

from django.db import models


class InputCount(models.Model):
    class Kind(models.TextChoices):
        SUBMISSION = "u", "pengisian"  # owner: a submission (its answers and events); period: its period
        PERIOD = "p", "periode"  # owner: a region's period (its assignments, survey, agencies)
        NATIONAL = "n", "periode nasional"  # owner: a national period (its instrument)
        SHARED = "s", "bersama"  # owner 0: what every period reads (pillars)

    kind = models.CharField(max_length=1, choices=Kind.choices)
    owner = models.BigIntegerField()
    period = models.BigIntegerField(null=True)
    changes = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "owner"], name="input_count_owner")]
        indexes = [models.Index(fields=["kind", "period"], name="input_count_period")]
        verbose_name = "hitungan perubahan"
        verbose_name_plural = "hitungan perubahan"

    def __str__(self):
        return f"{self.kind}:{self.owner} {self.changes}"
