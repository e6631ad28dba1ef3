from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from . import restore


def _sync_roles(sender, **kwargs):
    # Models added by later migrations get their permissions only after migrate; keep the
    # role groups in step with them.
    from .roles import sync_role_groups  # noqa: PLC0415  (roles imports the models: not before the app is ready)

    sync_role_groups()


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluasi smart city")

    def ready(self):
        post_migrate.connect(_sync_roles, sender=self)
        # A section post kept across a session expiry waits for the next login (evaluations.restore).
        user_logged_in.connect(restore.claim, dispatch_uid="evaluations.restore.claim")
