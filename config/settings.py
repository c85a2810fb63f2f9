"""Kefu settings, read from the environment (12-factor).

The embedded tier (a laptop) needs no variable at all: an SQLite file and a generated
secret key live in ``KEFU_DATA_DIR`` (default ``./var``). Production sets
``KEFU_ENV=production``, ``SECRET_KEY`` and ``DATABASE_URL=postgres://...`` and
refuses to start without its secret.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


KEFU_ENV = os.environ.get("KEFU_ENV", "embedded")
PRODUCTION = KEFU_ENV == "production"
DATA_DIR = Path(os.environ.get("KEFU_DATA_DIR", "var")).resolve()


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when KEFU_ENV=production.")
    # The embedded tier keeps a generated key beside its database, so sessions and
    # signed tokens survive restarts without the user having to configure anything.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
if PRODUCTION and not os.environ.get("KEFU_DATA_KEY"):
    # The key that encrypts personal data at rest (kefu.core.crypto); never derived from SECRET_KEY.
    raise ImproperlyConfigured("KEFU_DATA_KEY must be set when KEFU_ENV=production.")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "kefu.core",
    "kefu.shops",
    "kefu.accounts",
    "kefu.customers",
    "kefu.conversations",
    "kefu.commerce",
    "kefu.presence",
    "kefu.intake",
    "kefu.demo",
    "kefu.metrics",
    "kefu.dashboards",
    "kefu.notify",
    "kefu.reports",
    "kefu.qa",
    "kefu.review",
    "kefu.tickets",
    "kefu.scripts",
    "kefu.routing",
    "kefu.wfm",
    "kefu.live",
    "kefu.insights",
    "kefu.web",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# The live chat's channel layer (kefu.live): in memory in the embedded tier (one server
# process); Redis when REDIS_URL is set (several processes or machines).
REDIS_URL = os.environ.get("REDIS_URL", "")
CHANNEL_LAYERS = {
    "default": (
        {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
        if REDIS_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kefu.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while an import writes; IMMEDIATE avoids
        # "database is locked" on write upgrades inside transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get("DB_POOL", "1") != "0":
    # A connection pool (psycopg_pool): under ASGI every request may run on another
    # thread, and persistent per-thread connections ran PostgreSQL out of connection
    # slots under load ("too many clients"). The pool bounds them per process; Django
    # requires CONN_MAX_AGE = 0 with it. DB_POOL=0 turns it off (e.g. behind PgBouncer).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
        "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
        "timeout": int(os.environ.get("DB_POOL_TIMEOUT", "30")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# Background work (metric rollups, report deliveries): Django's tasks framework.
# "database" (default): queued in the database (django-tasks-db), run by the worker that
# `kefu serve` / `kefu demo` start in-process, or by `kefu worker` on other machines.
# "immediate": run at once in the process that enqueues (tests, scripts).
KEFU_TASKS = os.environ.get("KEFU_TASKS", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }[KEFU_TASKS],
        "QUEUES": ["default"],
    }
}
# Idempotent jobs the worker runs every minute (kefu.core.worker).
KEFU_PERIODIC = [
    "kefu.metrics.rollups.rollups_tick",
    "kefu.intake.services.pending_replay",
    "kefu.notify.services.notify_tick",
    "kefu.reports.services.reports_tick",
    "kefu.qa.services.qa_tick",
    "kefu.review.sampling.review_tick",
    "kefu.tickets.sla.tickets_tick",
    "kefu.routing.services.routing_tick",
]

# The supervisor's dashboard is recomputed at most this often per set of shops (0: always).
KEFU_DASHBOARD_CACHE_SECONDS = int(os.environ.get("KEFU_DASHBOARD_CACHE_SECONDS", "30"))

# Kefu's address as people reach it: links in report e-mails and group-robot messages.
KEFU_BASE_URL = os.environ.get("KEFU_BASE_URL", "http://127.0.0.1:8000")

# E-mail (report subscriptions): an SMTP server from the environment.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kefu@localhost")
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("KEFU_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": os.environ.get("KEFU_SMTP_HOST", "localhost"),
                "port": int(os.environ.get("KEFU_SMTP_PORT", "25")),
                "username": os.environ.get("KEFU_SMTP_USER"),
                "password": os.environ.get("KEFU_SMTP_PASSWORD"),
                "use_tls": os.environ.get("KEFU_SMTP_TLS", "").lower() in ("1", "true", "yes"),
                "timeout": 30,
            }.items()
            if value is not None
        }
        if os.environ.get("KEFU_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend").endswith("smtp.EmailBackend")
        else {},
    }
}

LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Stored in UTC; shown in Asia/Shanghai (or the shop's own timezone where it has one).
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# Files customers send in the live chat (kefu.live): under the data directory.
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the finders, so a fresh checkout works without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Intake limits (events.md): one API batch holds at most this many records.
KEFU_API_MAX_BATCH = 10_000
KEFU_API_MAX_BODY_BYTES = int(os.environ.get("KEFU_API_MAX_BODY_BYTES", 64 * 1024 * 1024))
