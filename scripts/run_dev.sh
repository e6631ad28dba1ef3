#!/bin/sh
# `make run`: the development server and one job worker (manage.py db_worker) beside it. The
# worker stops with the server (Ctrl+C, or the server exiting), so nothing is left running.
set -eu
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

"$PY" manage.py db_worker --interval 1 &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null || true' EXIT INT TERM
"$PY" manage.py runserver "$HOST:$PORT"
