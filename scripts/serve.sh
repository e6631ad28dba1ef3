#!/usr/bin/env bash
# Production server: gunicorn with production settings (DEBUG off, whitenoise serving compressed,
# hashed static files). Used by `make serve` and by tests/test_production_server.py.
#
# Reads the same environment variables as the app (README "Configuration"). Defaults suit a trial
# on 127.0.0.1 over plain HTTP; in production run it behind a TLS-terminating proxy with
# BEHIND_PROXY=1 and leave SECURE_SSL_REDIRECT and the secure-cookie settings on (their defaults
# when those variables are unset).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

export DEBUG=0
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
if [ -z "${SECRET_KEY:-}" ]; then
  mkdir -p var
  [ -s var/secret_key ] || "$PY" -c "import secrets; print(secrets.token_urlsafe(64))" > var/secret_key
  SECRET_KEY=$(cat var/secret_key)
  export SECRET_KEY
fi
if [ "${SERVE_PLAIN_HTTP:-1}" = "1" ]; then
  # Plain HTTP on the loopback address: no TLS redirect, cookies allowed without HTTPS.
  export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-0}
  export SESSION_COOKIE_SECURE=${SESSION_COOKIE_SECURE:-0}
  export CSRF_COOKIE_SECURE=${CSRF_COOKIE_SECURE:-0}
  export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0}
fi

"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0
exec "$(dirname "$PY")/gunicorn" smartcity.wsgi:application \
  --bind "${HOST:-127.0.0.1}:${PORT:-8000}" \
  --workers "${WORKERS:-3}" \
  --timeout 60 \
  --access-logfile - \
  --error-logfile -
