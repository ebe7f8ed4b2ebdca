"""Django settings, read from the environment. SQLite is the default; DATABASE_URL selects
PostgreSQL (psycopg 3)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kaohe.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("KAOHE_VAR_DIR", Path.cwd() / "var"))


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = envbool("KAOHE_DEBUG", False)
SECRET_KEY = os.environ.get("KAOHE_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not envbool("KAOHE_ALLOW_DEV_KEY", True):
        raise RuntimeError("Set KAOHE_SECRET_KEY in production.")
    SECRET_KEY = "kaohe-development-key-not-for-production"  # noqa: S105 (web/checks.py flags it)
ALLOWED_HOSTS = os.environ.get("KAOHE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KAOHE_CSRF_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "kaohe.audit",
    "kaohe.people",
    "kaohe.years",
    "kaohe.monthly",
    "kaohe.yearend",
    "kaohe.workdays",
    "kaohe.jobs",
    "kaohe.web",
]

MIDDLEWARE = [
    "kaohe.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kaohe.web.middleware.ChosenLanguageMiddleware",
    "kaohe.web.middleware.BodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "kaohe.web.session_policy.SessionPolicyMiddleware",
]

ROOT_URLCONF = "kaohe.urls"
WSGI_APPLICATION = "kaohe.wsgi.application"
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "django.template.context_processors.csp",
                "kaohe.web.context.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'kaohe.sqlite3'}", conn_max_age=60
    )
}
if os.environ.get("KAOHE_TEST_DB_NAME"):  # parallel checkouts sharing one PostgreSQL server
    DATABASES["default"]["TEST"] = {"NAME": os.environ["KAOHE_TEST_DB_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # a file opens cheaply; no connection kept per thread
    # tests use a file too: the browser tests' live server threads then open their own
    # connections instead of sharing an in-memory one across threads
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-kaohe.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,  # busy timeout, seconds
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Every password set anywhere (own change, the office's reset, the admin, createsuperuser) passes
# these, with the reason in Chinese (kaohe.people.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "kaohe.people.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "email")},
    },
    {"NAME": "kaohe.people.passwords.UnitNameValidator"},
    {"NAME": "kaohe.people.passwords.StrengthValidator", "OPTIONS": {"min_score": 3}},
]
# Sessions (kaohe.web.session_policy): ended after KAOHE_SESSION_IDLE_MINUTES without a request
# and KAOHE_SESSION_MAX_HOURS after the login whatever happens; the cookie dies with the browser.
KAOHE_SESSION_IDLE_MINUTES = envint("KAOHE_SESSION_IDLE_MINUTES", 30)
KAOHE_SESSION_MAX_HOURS = envint("KAOHE_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = KAOHE_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
# Production accounts: debugging off and a real secret key (the demo runs on the public
# development key). There, office and leader accounts need a second factor (TOTP) and the demo's
# accounts must change the printed password at first login; either can be set explicitly.
KAOHE_PRODUCTION_ACCOUNTS = not DEBUG and bool(os.environ.get("KAOHE_SECRET_KEY"))
KAOHE_REQUIRE_2FA = envbool("KAOHE_REQUIRE_2FA", KAOHE_PRODUCTION_ACCOUNTS)
KAOHE_DEMO_KEEP_PASSWORDS = envbool("KAOHE_DEMO_KEEP_PASSWORDS", not KAOHE_PRODUCTION_ACCOUNTS)
OTP_TOTP_ISSUER = "Kaohe"
OTP_TOTP_THROTTLE_FACTOR = 1  # 1, 2, 4, 8 … seconds after each wrong code
OTP_STATIC_THROTTLE_FACTOR = 1
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Background work (kaohe.jobs) through Django's tasks framework, queued in the database: the
# embedded default needs no other server (`kaohe run` runs a worker beside the web server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
KAOHE_JOBS_INLINE = False  # the tests run jobs where they are queued (tests/web/conftest.py)
KAOHE_NOTICE_PDF_AT_PUBLISH = True  # publishing queues the notice's PDF (tests: where asked)
AXES_FAILURE_LIMIT = envint("KAOHE_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = 0.25  # hours
# Lock the (username, address) pair, not each alone: failures under many usernames from one
# address lock none of those accounts, so nobody can lock another user out from their own address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Keys the audit chain's hashes (HMAC-SHA-256): without it, an edited record cannot be re-hashed
# unnoticed. The development key below is public: fine for DEBUG, tests and demos only; set
# KAOHE_AUDIT_KEY (and keep it) before real use, since events are verified with the key in force.
KAOHE_AUDIT_KEY = os.environ.get("KAOHE_AUDIT_KEY", "")
KAOHE_AUDIT_DEV_KEY = not KAOHE_AUDIT_KEY
if KAOHE_AUDIT_DEV_KEY:
    if not DEBUG and not envbool("KAOHE_ALLOW_DEV_KEY", True):
        raise RuntimeError("Set KAOHE_AUDIT_KEY in production.")
    KAOHE_AUDIT_KEY = "kaohe-development-audit-key-not-for-production"
KAOHE_AUDIT_ANCHOR_FILE = Path(
    os.environ.get("KAOHE_AUDIT_ANCHOR_FILE", VAR_DIR / "audit-anchors.txt")
)  # `kaohe audit anchor` appends the chain head here; copy it somewhere the database is not

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# whitenoise serves the finders and this root. Settings create no folder and no file: only
# `kaohe run` and `kaohe manage migrate` do (kaohe.cli), so a command run elsewhere leaves nothing.
NOTICE_ROOT = VAR_DIR / "notices"  # each published notice as PDF, rendered once (web/notice_files)
EVIDENCE_ROOT = Path(os.environ.get("KAOHE_EVIDENCE_DIR", VAR_DIR / "evidence"))  # not static
EVIDENCE_MAX_BYTES = envint("KAOHE_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)  # one file
EVIDENCE_QUOTA_BYTES = envint("KAOHE_EVIDENCE_QUOTA_BYTES", 200 * 1024 * 1024)  # unit, year
# A request body over this is refused (413) from its Content-Length, before it is read
# (kaohe.web.middleware.BodyLimitMiddleware): five evidence files of 10 MB and the form.
REQUEST_MAX_BYTES = envint("KAOHE_REQUEST_MAX_BYTES", 55 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields (not files) of one request
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger files stream to a temporary file
DATA_UPLOAD_MAX_NUMBER_FILES = 10
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Reminders are in-app; email is extra. KAOHE_EMAIL_HOST selects SMTP (production), else the
# console (development). docs/deploy.md lists the variables.
if os.environ.get("KAOHE_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["KAOHE_EMAIL_HOST"],
                "port": envint("KAOHE_EMAIL_PORT", 25),
                "username": os.environ.get("KAOHE_EMAIL_USER", ""),
                "password": os.environ.get("KAOHE_EMAIL_PASSWORD", ""),
                "use_tls": envbool("KAOHE_EMAIL_TLS", False),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": os.environ.get(
                "KAOHE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
            )
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("KAOHE_FROM_EMAIL", "kaohe@localhost")
KAOHE_REMIND_DAYS = envint("KAOHE_REMIND_DAYS", 3)

SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
}
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG and envbool("KAOHE_HTTPS", False):
    # behind the reverse proxy of docs/deploy.md, which terminates HTTPS and says so
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("KAOHE_HSTS_SUBDOMAINS", True)
# An intranet host name cannot be on the browsers' public HSTS preload list.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# JSON lines on the console and in a rotating file (kaohe.logs); the folder is made by the
# commands that create the database, never by the settings.
LOG_DIR = Path(os.environ.get("KAOHE_LOG_DIR", VAR_DIR / "log"))
LOGGING = logging_config(
    LOG_DIR,
    level=os.environ.get("KAOHE_LOG_LEVEL", "INFO"),
    max_bytes=envint("KAOHE_LOG_MAX_BYTES", 20 * 1024 * 1024),
    backups=envint("KAOHE_LOG_BACKUPS", 10),
)
