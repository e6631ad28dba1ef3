"""The app's configuration: what is connected once its models are loaded (the role groups' sync
after migrate, the session-expiry restore at login, the lockout's address note, the queue behind
evaluations.jobs) and the deploy checks of the proxy settings."""

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from smartcity import checks as deploy_checks

from . import restore


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluasi smart city")

    def ready(self):
        # These import models (axes' signals and helpers import axes' models), so they wait for the
        # app registry. tasks.py connects the queue to the seam the rules enqueue through
        # (evaluations.jobs), in every process: web, worker and management command alike.
        from axes.signals import user_locked_out  # noqa: PLC0415  (imports axes' models)

        from smartcity import lockout  # noqa: PLC0415  (imports axes' models)

        from . import roles, tasks  # noqa: PLC0415, F401  (they import the models: not before the app is ready)

        # Models added by later migrations get their permissions only after migrate; keep the
        # role groups in step with them.
        post_migrate.connect(roles.sync_after_migrate, sender=self)
        # A section post kept across a session expiry waits for the next login (evaluations.restore).
        user_logged_in.connect(restore.claim, dispatch_uid="evaluations.restore.claim")
        # An admin's unlock finds a lockout kept in Redis through the address noted at the lockout.
        user_locked_out.connect(lockout.note_address, dispatch_uid="smartcity.lockout.note_address")
        checks.register(deploy_checks.proxy_settings, checks.Tags.security, deploy=True)
