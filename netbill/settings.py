"""netbill settings: every deploy-time value comes from the environment.

The defaults give the one-command demo: SQLite, no Redis (Celery uses a filesystem
broker), DEBUG on.  Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and DEBUG=0.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "netbill-demo-insecure-secret-key-change-me")
ALLOWED_HOSTS = [
    h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Key for secrets stored encrypted at rest (router/gateway credentials, TOTP seeds).
# Defaults to one derived from SECRET_KEY so the demo needs no set-up.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "netbill.core",
    "netbill.tenancy",
    "netbill.accounts",
    "netbill.catalog",
    "netbill.customers",
    "netbill.ledger",
    "netbill.billing",
    "netbill.payments",
    "netbill.reports",
    "netbill.network",
    "netbill.radius",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "netbill.accounts.middleware.GetAccessMiddleware",
    "netbill.core.middleware.TenantTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "netbill.urls"
WSGI_APPLICATION = "netbill.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "netbill" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "netbill.core.context_processors.panel",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'demo.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["netbill.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"

# Failed-login throttling: this many failures within the window lock the account
# (and the source address) for LOGIN_LOCKOUT_SECONDS.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
# Behind nginx every request comes from 127.0.0.1: trust the proxy's X-Forwarded-For /
# X-Real-IP for the client address (auth log, IP throttling) only when this is set.
TRUST_PROXY_HEADERS = env_bool("TRUST_PROXY_HEADERS", False)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("bn", "বাংলা")]
LOCALE_PATHS = [BASE_DIR / "netbill" / "locale"]
TIME_ZONE = "Asia/Dhaka"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "netbill" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "netbill.accounts.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "netbill.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "netbill.core.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "netbill API",
    "DESCRIPTION": "ISP billing and network management. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind": name each choice set after what it is.
    "ENUM_NAME_OVERRIDES": {
        "PoolKindEnum": "netbill.network.models.PoolKind",
        "NasRequestKindEnum": "netbill.radius.models.NasRequestKind",
    },
}

# Background work.  With REDIS_URL set, Celery uses Redis; without it (the demo) a
# filesystem broker under var/ so the worker and beat still run with no extra service.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    _broker_dir = BASE_DIR / "var" / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
# RADIUS sessions (netbill/radius/sessions.py): the usage collector looks back this far for
# sessions that started and ended between two runs; open sessions without an accounting
# update for this long are closed; the offline list's default "not seen for" days.
RADIUS_USAGE_LOOKBACK_HOURS = int(os.environ.get("RADIUS_USAGE_LOOKBACK_HOURS", "48"))
RADIUS_STALE_SESSION_MINUTES = int(os.environ.get("RADIUS_STALE_SESSION_MINUTES", "20"))
RADIUS_OFFLINE_DAYS = int(os.environ.get("RADIUS_OFFLINE_DAYS", "3"))

CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "drain-outbox": {"task": "netbill.core.tasks.drain_outbox", "schedule": 15.0},
    # Billing (catch-up run through today per tenant timezone) then the dunning sweep:
    # daily just after midnight, and hourly as a safety net (idempotent).
    "billing-daily": {
        "task": "netbill.billing.tasks.billing_daily",
        "schedule": crontab(hour=0, minute=10),
    },
    "billing-hourly": {
        "task": "netbill.billing.tasks.billing_daily",
        "schedule": crontab(minute=40),
    },
    # Usage from accounting, fair usage and stale sessions: every 5 minutes.
    "radius-usage": {"task": "netbill.radius.tasks.radius_usage", "schedule": 300.0},
    # Compare every customer with the RADIUS tables and repair drift: nightly.
    "radius-reconcile": {
        "task": "netbill.radius.tasks.radius_reconcile",
        "schedule": crontab(hour=3, minute=20),
    },
}
# The outbox is drained right after each commit too; off in tests so a test drains it
# itself and can see the pending rows.
OUTBOX_DRAIN_ON_COMMIT = env_bool("OUTBOX_DRAIN_ON_COMMIT", True)
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "6"))

# Disconnect / CoA to the NAS (netbill.radius.coa): pyrad sends a request RETRIES times in
# all, waiting TIMEOUT seconds after each; the outbox then retries the whole request with its
# back-off.  A router answers in milliseconds; an unreachable one holds a drain worker for
# TIMEOUT x RETRIES seconds per request, so keep the product small.  SOURCE_ADDRESS: the local address to send from (routers accept dynamic
# authorization only from their RADIUS server's address); empty = the system's choice.
RADIUS_COA_TIMEOUT = float(os.environ.get("RADIUS_COA_TIMEOUT", "2"))
RADIUS_COA_RETRIES = int(os.environ.get("RADIUS_COA_RETRIES", "2"))
RADIUS_COA_SOURCE_ADDRESS = os.environ.get("RADIUS_COA_SOURCE_ADDRESS", "")

# Network: the WireGuard server routers behind NAT dial (docs/network.md, "VPN accounts"),
# and the ping test.
VPN_SERVER_PUBLIC_KEY = os.environ.get("VPN_SERVER_PUBLIC_KEY", "")
VPN_SERVER_ENDPOINT = os.environ.get("VPN_SERVER_ENDPOINT", "")  # host:port
VPN_SERVER_ADDRESS = os.environ.get("VPN_SERVER_ADDRESS", "")  # the server's tunnel address
PING_BINARY = os.environ.get("PING_BINARY", "")  # default: `ping` on the PATH
PING_COUNT = int(os.environ.get("PING_COUNT", "4"))
PING_DEADLINE_SECONDS = int(os.environ.get("PING_DEADLINE_SECONDS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "netbill": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    },
}

# The demo's SQLite cannot enforce "one account code per book" for the ISP's own book
# (NULLS NOT DISTINCT); PostgreSQL, which production and the tests use, does.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
