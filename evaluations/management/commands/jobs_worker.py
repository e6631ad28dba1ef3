import logging
import os
import socket
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker

from evaluations.models import Job, WorkerBeat

logger = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    """Writes this worker's WorkerBeat row every WorkerBeat.BEAT_SECONDS, whether the worker runs a
    job or waits for one, on its own database connection; marks it stopped on `stop()`."""

    def __init__(self, queues):
        super().__init__(name="jobs-worker-heartbeat", daemon=True)
        host, pid = socket.gethostname()[:100], os.getpid()
        self.row = {"name": f"{host}:{pid}"[:120], "host": host, "pid": pid, "queues": ",".join(queues)}
        self.row["started_at"] = timezone.now()
        self.stopping = threading.Event()

    def run(self):
        try:
            while True:
                self._beat()
                if self.stopping.wait(WorkerBeat.BEAT_SECONDS):
                    break
            self._beat(stopped=True)
        finally:
            connection.close()

    def _beat(self, stopped=False):
        try:
            WorkerBeat.beat(**self.row, stopped=stopped)
        except DatabaseError:
            # A busy database (SQLite locked by the job) or a short outage: the next beat tries again.
            logger.warning("Worker heartbeat not written", exc_info=True)

    def stop(self):
        self.stopping.set()
        self.join(timeout=10)


class Command(BaseCommand):
    help = (
        "Runs a job worker for the configured queue (TASKS_BACKEND: database or rq) on the given queues, "
        "taken in the order given (default: default,imports, so short work never waits behind uploads), and "
        "writes its heartbeat every few seconds, running or idle, for the admin's page /kelola/pekerja/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queues", default=",".join(Job.QUEUES), help="comma-separated, in order (default: default,imports)"
        )
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="database queue: seconds between polls")

    def handle(self, *args, queues, batch, interval, **options):
        names = [name.strip() for name in queues.split(",") if name.strip()]
        unknown = set(names) - set(Job.QUEUES)
        if not names or unknown:
            raise CommandError(f"--queues takes {', '.join(Job.QUEUES)}; got {queues!r}.")
        heartbeat = Heartbeat(names)
        heartbeat.start()
        try:
            if settings.TASKS_BACKEND == "database":
                worker = DatabaseWorker(
                    queue_names=names,
                    interval=interval,
                    batch=batch,
                    backend_name="default",
                    startup_delay=not batch,
                    max_tasks=None,
                    worker_id=heartbeat.row["name"][:64],
                )
                worker.configure_signals()
                worker.run()
            elif settings.TASKS_BACKEND == "rq":
                call_command("rqworker", *names, job_class="django_tasks_rq.Job", burst=batch)
            else:
                raise CommandError("TASKS_BACKEND=immediate runs every job in its request: no worker to start.")
        finally:
            heartbeat.stop()
        self.stdout.write(f"jobs_worker: {heartbeat.row['name']} stopped ({', '.join(names)}).")
