"""Keel's one settings module, read from the environment with safe defaults.

Every setting a deployment may change is an environment variable named here; nothing else
needs editing. See the README's "Configuration" section.
"""

import os
import secrets
import sys
import time
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def default_data_dir() -> Path:
    """The user's data folder: where Keel keeps its database, secret key and uploads."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "Keel"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Keel"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "keel"


DATA_DIR = Path(os.environ.get("KEEL_DATA_DIR") or default_data_dir()).expanduser()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    # Generated once and kept beside the database, so sessions survive restarts
    # without anyone having to invent a key.
    if os.environ.get("KEEL_SECRET_KEY"):
        return os.environ["KEEL_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    try:
        # Created readable by the owner only, and atomically: of two processes starting on a
        # new data folder at once, one writes the key and both read the same one.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50))
    for _ in range(50):
        if key := path.read_text().strip():
            return key
        time.sleep(0.02)  # the other process has created the file and is writing it
    raise RuntimeError(f"{path} is empty: delete it and start Keel again.")


SECRET_KEY = _secret_key()
DEBUG = env_bool("KEEL_DEBUG")
ALLOWED_HOSTS = env_list("KEEL_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("KEEL_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Keel's apps, bottom layer first (docs/architecture.md).
    "keel.core",
    "keel.common",
    "keel.register",
    "keel.actions",
    "keel.assessments",
    "keel.activity",
    "keel.outcomes",
    "keel.decisions",
    "keel.portfolio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "keel.core.middleware.WorkspaceMiddleware",
]

ROOT_URLCONF = "keel.urls"
WSGI_APPLICATION = "keel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "keel.core.context_processors.workspace",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'keel.sqlite3'}",
        conn_max_age=int(os.environ.get("KEEL_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer writes; the busy timeout makes a second
    # writer wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("KEEL_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing one, though it serves from the apps
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Served from the app's own static folders without a collectstatic step, so `keel serve`
# works straight from an install.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "uploads/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024  # form fields other than files
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads spill to a temporary file

EMAIL_BACKEND = os.environ.get("KEEL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("KEEL_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KEEL_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KEEL_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KEEL_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KEEL_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("KEEL_EMAIL_FROM", "Keel <keel@localhost>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("KEEL_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# A page a person can act on, not Django's technical one (respondents are not signed in to Keel).
CSRF_FAILURE_VIEW = "keel.core.views.csrf_failure"

# The largest spreadsheet an import accepts, in bytes.
KEEL_IMPORT_MAX_BYTES = int(os.environ.get("KEEL_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEEL_LOG_LEVEL", "WARNING")},
}
