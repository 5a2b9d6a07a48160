"""EnvReg settings: one file, every production switch read from the environment.

Unknown or malformed values are refused at start-up rather than silently defaulted
(the strict-helper habit of healthchecks' ``envbool``).
"""

import datetime
import re
from pathlib import Path

import csp.constants as csp
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything but the usual spellings is an error."""
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole number not below ``minimum``; anything else is an error."""
    raw = env.str(name, default="").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, at least {minimum}, not {value}"
        )
    return value


def env_https_url(name: str, default: str) -> str:
    """Read an https:// address; anything else is an error (it becomes a link on a page)."""
    raw = env.str(name, default="").strip()
    if raw == "":
        return default
    if not raw.startswith("https://") or any(c.isspace() for c in raw):
        raise ImproperlyConfigured(f"{name} must be an https:// address, not {raw!r}")
    return raw


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=true for local work)."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "facilities",
    "inspections",
    "compliance",
    "compliance.excel",
    "django_tasks",
    "config.apps.TasksDatabaseConfig",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before anything reads the body: notes the uploads Django drops for a non-UTF-8 name.
    "facilities.middleware.UploadNameWatchMiddleware",
    # Vietnamese unless the language switch says otherwise (pages ignore Accept-Language).
    "facilities.middleware.ChosenLanguageMiddleware",
    # JSON errors (unknown paths, over-large bodies) and no-store under /api/; inside the
    # language middleware so that its messages are in the request's language.
    "facilities.api.middleware.ApiErrorMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Gives every history row written during a request its user (simple-history) ...
    "simple_history.middleware.HistoryRequestMiddleware",
    # ... and its reason (X-Change-Reason header or a description of the request).
    "facilities.history.ChangeReasonMiddleware",
    # Turns a login refused for too many failures into a 429 (last, as django-axes asks).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "facilities.context_processors.registry",
                "facilities.context_processors.department",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
# SQLite file in the project folder unless DATABASE_URL says otherwise (postgres://...).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'envreg.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers proceed while one writer commits; the busy timeout makes a
            # second writer wait for the lock instead of failing with "database is locked",
            # and IMMEDIATE transactions take the write lock up front so that a read-then-
            # write transaction cannot deadlock on lock upgrade.
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
    # Tests use a file rather than shared-cache memory: in memory, a second connection
    # fails at once with "table is locked" instead of waiting, so the tests that run two
    # writers at the same moment (tax-code race) could not show the real behaviour.
    # pytest-xdist gives each worker its own file (suffix _gw0, _gw1, ...).
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-envreg.sqlite3")}
    # Some indexes carry extra columns (INCLUDE) so that PostgreSQL answers the work list
    # and the standing's reads from the index alone (docs/performance.md); SQLite builds
    # them without those columns, which changes no result. Its warning on every command
    # of the embedded default would only be noise.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif DATABASES["default"]["ENGINE"] in {
    "django.db.backends.postgresql",
    "django.db.backends.postgresql_psycopg2",
}:
    DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
else:
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's four validators, with Vietnamese messages (facilities/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "facilities.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "facilities.passwords.MinimumLengthValidator"},
    {"NAME": "facilities.passwords.CommonPasswordValidator"},
    {"NAME": "facilities.passwords.NumericPasswordValidator"},
]
# django-axes refuses a login, before any password is checked, while its username or
# its address is locked out; the model backend then checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language, time -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy and 1.234,5 in Vietnamese (config/formats/vi); templates group thousands
# with floatformat:"g"/intcomma only where a figure is shown, never in ids or URLs.
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
# Inspection attachments (photos, documents) are served only through a view that checks
# who may see the inspection; MEDIA_URL is never mounted.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

# Where a business renews each kind of certificate (the portal links each certificate
# row there, docs/web.md): by default the national public-service portal; a province
# sets the exact procedure pages. A legacy standards certificate is no longer issued
# (Law on Environmental Protection 2020): it is renewed by applying for a permit.
PUBLIC_SERVICE_PORTAL = "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"
RENEWAL_URL_ENVIRONMENTAL_PERMIT = env_https_url(
    "RENEWAL_URL_ENVIRONMENTAL_PERMIT", PUBLIC_SERVICE_PORTAL
)
RENEWAL_URLS = {
    "environmental_permit": RENEWAL_URL_ENVIRONMENTAL_PERMIT,
    "environmental_registration": env_https_url(
        "RENEWAL_URL_ENVIRONMENTAL_REGISTRATION", PUBLIC_SERVICE_PORTAL
    ),
    "standards_certificate": env_https_url(
        "RENEWAL_URL_STANDARDS_CERTIFICATE", RENEWAL_URL_ENVIRONMENTAL_PERMIT
    ),
}

# --- Security (production switches, docs/deployment.md) -------------------------------
# Cookies only over HTTPS unless DEBUG is on (local work over plain http).
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Redirect http:// to https:// (off when a proxy in front already does it).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Strict-Transport-Security: 0 sends no header. Start low (300) and raise to a year
# (31536000) once HTTPS is known to work; browsers remember the value.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy: the header the proxy sets (and strips from clients),
# e.g. "X-Forwarded-Proto". Empty means no proxy: request.is_secure() is the socket's.
_proxy_header = env.str("SECURE_PROXY_SSL_HEADER", default="").strip()
if _proxy_header:
    if not re.fullmatch(r"[A-Za-z0-9-]+", _proxy_header):
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER must be a header name such as X-Forwarded-Proto, "
            f"not {_proxy_header!r}"
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp): scripts, styles, images and
# fonts from this site only. Templates carry no inline <script>, <style> or style=""
# (tests/web/test_security_headers.py checks every template).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        # Swagger UI (the API docs page) draws its icons as data: images.
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        # The service worker of the field pages (/sw.js, inspections.views.service_worker).
        "worker-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

# --- Failed logins (django-axes): API token, login page and admin alike ---------------
# After LOGIN_FAILURE_LIMIT failures for one username, or from one address, further
# logins for it are refused with 429 until LOGIN_LOCKOUT_MINUTES after the last counted
# failure. A successful login does not wipe earlier failures.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Tries during a lock are refused without a database write (a flood of them costs
# little), and so do not prolong it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "facilities.lockout.lockout_response"
# Behind LOGIN_PROXY_COUNT reverse proxies the address is the one the outermost proxy
# appended to X-Forwarded-For (facilities.lockout.client_address); with none, the
# connection's.
LOGIN_PROXY_COUNT = env_int("LOGIN_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "facilities.lockout.client_address"
# Axes' own admin pages of attempts and logs (in English only) stay off; releasing a
# lock early is `manage.py axes_reset_username USERNAME` / `axes_reset_ip ADDRESS`.
AXES_ENABLE_ADMIN = False
# Successful logins are not written to a table of their own.
AXES_DISABLE_ACCESS_LOG = True

# --- API tokens (django-rest-knox): stored as SHA-512 digests, with an expiry ---------
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=env_int("API_TOKEN_DAYS", 30, minimum=1)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# Working tokens one user may hold; a new login past it ends the user's oldest token.
API_TOKENS_PER_USER = env_int("API_TOKENS_PER_USER", 10, minimum=1)

# --- REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "facilities.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON that is too deep, too large or not UTF-8 is a 400/413, never a 500.
    "DEFAULT_PARSER_CLASSES": [
        "facilities.api.parsers.RegistryJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_SCHEMA_CLASS": "facilities.api.schema.RegistryAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "facilities.api.pagination.RegistryPagination",
    "EXCEPTION_HANDLER": "facilities.api.exceptions.exception_handler",
    "DATE_FORMAT": "iso-8601",
    "DATE_INPUT_FORMATS": ["iso-8601"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "EnvReg API",
    "DESCRIPTION": "Environmental compliance registry of Lai Châu province",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Codes that share a field name across models get distinct enum names in the schema.
    "ENUM_NAME_OVERRIDES": {
        "FindingCategoryEnum": "inspections.choices.FindingCategory",
        "MeasureCategoryEnum": "compliance.choices.MeasureCategory",
        "InspectionStatusEnum": "inspections.choices.InspectionStatus",
        "CertificateStatusEnum": "compliance.choices.CertificateStatus",
        "OutcomeEnum": "inspections.choices.Outcome",
    },
}

# --- Registry rules (docs/methodology.md) ---------------------------------------------------
# First day of operation that makes a facility a "new build": the date of Decision 1498.
NEW_BUILD_SINCE = env.str("NEW_BUILD_SINCE", default="2012-11-30")
# How many years a finalized inspection keeps a facility's assessment current.
ASSESSMENT_VALID_YEARS = env.int("ASSESSMENT_VALID_YEARS", default=3)

# Name of the account that history rows fall back to when a write has no human user
# (management commands without --user, data migrations).
SYSTEM_USERNAME = env.str("SYSTEM_USERNAME", default="envreg-system")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    # Lockouts and their release (facilities.lockout) are always logged.
    "loggers": {"envreg.auth": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# --- Change history -------------------------------------------------------------------
# Reasons are free text from users and imports ("import: <file name>"): no 100-char cap.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# History is evidence: the admin shows it and never edits it.
SIMPLE_HISTORY_EDIT = False

# --- Excel import/export and background jobs (docs/excel.md) ------------------------
# Django does not cap file uploads: the import view refuses larger files itself.
EXCEL_IMPORT_MAX_BYTES = env.int("EXCEL_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
# Zip-bomb guard: the members of an uploaded workbook may not unpack to more than this.
EXCEL_IMPORT_MAX_UNCOMPRESSED = env.int("EXCEL_IMPORT_MAX_UNCOMPRESSED", default=200 * 1024 * 1024)
# Rows read per sheet at most (a lying dimension cannot make the reader walk further).
EXCEL_IMPORT_MAX_ROWS = env.int("EXCEL_IMPORT_MAX_ROWS", default=50_000)
# Rows (all sheets together) that an import may have to run inside a request; larger
# files must use a background job. Sized so that a commit ends well inside gunicorn's
# timeout (config/gunicorn.conf.py, docs/deployment.md).
EXCEL_SYNC_IMPORT_MAX_ROWS = env_int("EXCEL_SYNC_IMPORT_MAX_ROWS", 2_000, minimum=1)
# Background jobs: a running job writes a heartbeat every JOB_HEARTBEAT_SECONDS; one whose
# heartbeat is older than JOB_STALE_AFTER_SECONDS (its worker died) is marked failed,
# and none may run longer than JOB_TIME_LIMIT_SECONDS.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 10, minimum=1)
JOB_STALE_AFTER_SECONDS = env_int("JOB_STALE_AFTER_SECONDS", 120, minimum=2)
JOB_TIME_LIMIT_SECONDS = env_int("JOB_TIME_LIMIT_SECONDS", 3600, minimum=1)
# The database is the queue by default (worker: manage.py db_worker); TASKS_BACKEND may
# name another django-tasks backend (a broker) without code changes.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
