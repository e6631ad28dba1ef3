"""One settings module for every environment, driven by environment variables.

A fresh clone runs with no configuration (SQLite, DEBUG on, a development secret).
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; a missing or wrong
value fails loudly with ImproperlyConfigured instead of running half-configured.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name):
    """A comma-separated list of addresses or networks (10.0.0.2, 10.0.0.0/24, ::1)."""
    networks = env_list(name)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must list IP addresses or networks, got {network!r}") from None
    return networks


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 50+ characters when DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "pillars",
    "evaluations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "smartcity.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "smartcity.middleware.IgnoreBrowserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "smartcity.middleware.PrivateCacheMiddleware",
    # Before any view reads a GET parameter; after the user is known, so the 400 page shows their menu.
    "smartcity.middleware.RefuseBadAddressMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Every query on a region's data runs in the region of the person asking (django-scopes).
    "evaluations.regions.RegionScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so a locked-out login attempt never reaches the view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smartcity.urls"
WSGI_APPLICATION = "smartcity.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "evaluations.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: wait for a concurrent writer instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Entries a per-process memory cache holds (without Redis, or while it is away): room for the figures
# of every region's period (the national table keeps one per region, 241 and more) with their charts.
# Django's default of 300 culled a third of them at each national table, which then computed them again.
CACHE_MEMORY_ENTRIES = env_int("CACHE_MEMORY_ENTRIES", 20_000)
if REDIS_URL:
    # While Redis is unreachable each alias answers from its fallback instead of failing the request
    # (smartcity/cache.py; README "Production": when Redis is gone).
    redis_cache = {
        "BACKEND": "smartcity.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        # Several installations (or test runs) may share one Redis.
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "smartcity"),
    }
    CACHES = {
        # The survey's rate counts: each process counts on its own while Redis is away.
        "default": {**redis_cache, "OPTIONS": {"FALLBACK": "memory"}},
        # Sessions: from the database alone while Redis is away; a copy per process could outlive a logout.
        "sessions": {**redis_cache, "OPTIONS": {"FALLBACK": "none"}},
    }
    # Sessions live in the database and are cached in Redis, so any app server can serve any user.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": CACHE_MEMORY_ENTRIES},
        }
    }

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "evaluations.roles.PermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "evaluations:common_home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout: 5 failed attempts per user name and address. The count lives in the database, so
# every app server behind a load balancer sees it and it holds while Redis is away (a login is rare
# enough for the few queries). Attempts refused during a lockout are not stored: a client hammering a
# locked account cannot grow its row, and the lockout ends AXES_COOLOFF_TIME after the last counted one.
# The address is the peer's, or behind the reverse proxy the one the proxy saw (smartcity/client_ip.py).
AXES_CLIENT_IP_CALLABLE = "smartcity.client_ip.client_ip"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Makassar"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap from npm (package.json), served from our own origin.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    # htmx from npm: the review page changes one answer card in place (progressive enhancement).
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]

# Uploaded files (evidence, data-set files) live outside static and the web root, and are
# never served as public media: only views that check access stream them. Several app hosts
# share them through an S3-compatible bucket (S3_BUCKET, below); one host keeps them on its disk.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "uploads"))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
# No URL pattern serves this prefix; it exists only because Django's test server needs a string.
MEDIA_URL = "/private-media-never-served/"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "smartcity.staticfiles.GzipManifestStaticFilesStorage"
        ),
    },
}
# Object storage: with S3_BUCKET set, uploaded files go to that bucket of any S3-compatible
# server (AWS, MinIO, Ceph, a cloud provider's "object storage"). The bucket stays private: the
# app reads each file and streams it to the user after its access check; no file has a public URL.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", ""),  # a folder inside a shared bucket
            "default_acl": None,  # the bucket's own policy (private), never public-read
            "file_overwrite": False,
            "querystring_expire": 300,
            # A file read from the bucket is downloaded whole first; past 1 MB into a temporary
            # file, not memory (django-storages' default keeps it all in memory): the evidence
            # package reads a period's every file.
            "max_memory_size": 1024 * 1024,
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,  # "path" for MinIO and most
        },
    }

# Long work (the workbook, reminders) runs as jobs through Django's tasks API (django-tasks, the
# same calls as Django 6's django.tasks). TASKS_BACKEND picks the queue:
#   database  (default) jobs wait in the database; `manage.py db_worker` runs them (`make run` starts one)
#   rq        Redis (REDIS_URL) through RQ; any number of `manage.py rqworker --job-class
#             django_tasks_rq.Job` processes on any number of hosts
#   immediate runs the job inside the request (tests, or an installation that wants no worker)
# Two queues: "default" for short work (the workbook, reminders, e-mails), "imports" for uploads;
# `manage.py jobs_worker` listens to both, the default first (README "Jobs").
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
JOB_QUEUES = ["default", "imports"]
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": JOB_QUEUES}}
elif TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL.")
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env_int("JOB_TIMEOUT", 3600)} for name in JOB_QUEUES}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": JOB_QUEUES}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be database, rq or immediate.")
# A running job writes a heartbeat at least after every step (a workbook sheet, an agency's
# reminders); one silent for longer than this is taken for a killed worker and queued again.
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 120)
# A job queued this long with no worker taking it: its page says so and asks to call the admin.
JOB_QUEUE_WARN_SECONDS = env_int("JOB_QUEUE_WARN_SECONDS", 120)
# Uploads one person may have waiting or running at once (one of each data set); a further one is
# refused with a message until one of them finishes.
JOB_MAX_ACTIVE_PER_USER = env_int("JOB_MAX_ACTIVE_PER_USER", 4)

# In development (and tests) whitenoise serves straight from the source folders; production
# serves the compressed, hashed files that collectstatic wrote to STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
DATASET_MAX_BYTES = env_int("DATASET_MAX_BYTES", 10 * 1024 * 1024)
DATASET_MAX_ROWS = env_int("DATASET_MAX_ROWS", 20_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds before an SMTP call gives up: a mail server that does not answer must not hold a request.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: the folder that gets one file
# per connection (a trial, or tests that count what several worker processes sent).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or None
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Smart City Kutim <smartcity@kutaitimurkab.go.id>")
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 7)
# The region of a single-region installation, and the region the migration puts existing data in
# (README "Regions"): Kemendagri's code; its name comes from evaluations/kemendagri.py, or REGION_NAME.
REGION_CODE = os.environ.get("REGION_CODE", "64.08")
REGION_NAME = os.environ.get("REGION_NAME", "")
# Impact survey monitor: a response sent faster than this many seconds per statement is flagged.
SURVEY_MIN_SECONDS_PER_STATEMENT = env_int("SURVEY_MIN_SECONDS_PER_STATEMENT", 3)
# The app's public address, for links in e-mail (e.g. https://smartcity.kutaitimurkab.go.id).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# Security. The production values follow from DEBUG being off; each can be overridden.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "evaluations.views.common.csrf_failure"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating reverse proxy: it says whether the request came over HTTPS and who the
# client is (smartcity/client_ip.py). Its headers are believed only with BEHIND_PROXY on.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PROXY_CLIENT_IP_HEADER = os.environ.get("PROXY_CLIENT_IP_HEADER", "").strip() or "X-Forwarded-For"
PROXY_COUNT = env_int("PROXY_COUNT", 1)
if PROXY_COUNT < 1:
    raise ImproperlyConfigured(f"PROXY_COUNT must be 1 or more (the proxies in front of the app), got {PROXY_COUNT}")
# The header is believed only from these peers: anyone reaching the app port could write it too.
PROXY_TRUSTED_IPS = env_networks("PROXY_TRUSTED_IPS")
if BEHIND_PROXY and not PROXY_TRUSTED_IPS:
    raise ImproperlyConfigured(
        "BEHIND_PROXY=1 needs PROXY_TRUSTED_IPS: the proxy's addresses (127.0.0.1 when nginx runs on this host)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The impact survey's public form (evaluations/survey_senders.py): at most this many posts per
# client address (an IPv6 client's /64), and valid submissions per link, within SURVEY_RATE_WINDOW
# seconds; beyond that a polite 429. Junk counts only against its sender. The address is the peer's,
# or behind the proxy the one the proxy saw (smartcity/client_ip.py). Phones on one mobile network
# often share an address, hence a generous per-address count. The counts live in the cache: with
# several app servers set REDIS_URL, or each server counts on its own.
SURVEY_RATE_PER_IP = env_int("SURVEY_RATE_PER_IP", 30)
SURVEY_RATE_PER_LINK = env_int("SURVEY_RATE_PER_LINK", 300)
SURVEY_RATE_WINDOW = env_int("SURVEY_RATE_WINDOW", 600)
# A loaded form may be sent within this many seconds; after that the respondent reloads it.
SURVEY_TOKEN_MAX_AGE = env_int("SURVEY_TOKEN_MAX_AGE", 6 * 60 * 60)
# More than SURVEY_BURST_LIMIT public-link responses of one form from one network within
# SURVEY_BURST_WINDOW seconds are a burst: saved, flagged and held for the coordinators' review
# (not counted until then). Enumerator links are never held. A limit of 0 turns it off.
SURVEY_BURST_LIMIT = env_int("SURVEY_BURST_LIMIT", 3)
SURVEY_BURST_WINDOW = env_int("SURVEY_BURST_WINDOW", 60 * 60)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
