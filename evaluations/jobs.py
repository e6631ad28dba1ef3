"""The seam between the rules and the queue. tasks.py is the outer layer: it imports the rules whose
work it runs (notifications, reminders, the data sets, the instrument, the workbook), so a rule that
hands work to the queue (notifications.notify queues its e-mails) must not import tasks.py back. It
enqueues through here instead, and tasks.py connects its `enqueue` when it is imported, which
EvaluationsConfig.ready does in every process (web, worker, management command) before any rule runs.

The Job row itself (models/jobs.py) is written by the rule, in its own transaction; the queue only
ever carries the row's id.
"""

from functools import partial

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

# The queue's enqueue(job), as tasks.py connected it.
_queue = {}


def connect(enqueue):
    """Called by tasks.py at import: how a job reaches the queue."""
    _queue["enqueue"] = enqueue


def _enqueue():
    if "enqueue" not in _queue:
        raise ImproperlyConfigured("evaluations.tasks is not loaded: EvaluationsConfig.ready imports it.")
    return _queue["enqueue"]


def enqueue(job):
    """Hand a written Job row to the queue now."""
    return _enqueue()(job)


def enqueue_on_commit(job):
    """Hand a Job row to the queue once the surrounding transaction commits: a rollback queues
    nothing, and the queue never runs a job whose row it cannot see yet."""
    transaction.on_commit(partial(_enqueue(), job))
