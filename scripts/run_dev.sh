#!/bin/sh
# `make run`: the development server and one job worker (manage.py jobs_worker: the database queue's
# worker on both queues, with its heartbeat for /kelola/pekerja/) beside it. Both stop
# together: Ctrl+C, a TERM to this script, or either of them exiting stops the other, so no worker
# is left running. The worker does not reload on code changes: restart `make run` after editing a job.
set -eu
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

"$PY" manage.py jobs_worker --interval 1 &
worker=$!
"$PY" manage.py runserver "$HOST:$PORT" &
server=$!

stop() {
    trap - INT TERM EXIT
    # runserver's autoreloader runs the server as its child: stop the children first.
    for pid in "$server" "$worker"; do
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# Whichever ends first (normally the server, on Ctrl+C) ends the other.
while kill -0 "$server" 2>/dev/null && kill -0 "$worker" 2>/dev/null; do
    sleep 1
done
