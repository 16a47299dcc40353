"""Vanguard settings. Everything that differs between machines comes from the environment.

Production sets at least SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; DEBUG is off unless DEBUG=1.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("VANGUARD_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def _kept_secret(name: str, generate) -> str:
    """A key from the environment variable `name`; on a developer's machine, one generated once and kept in
    var/ (its file named after the variable, in lower case)."""
    key = os.environ.get(name)
    if key:
        return key
    if not DEBUG and env_bool("REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured(f"{name} must be set in the environment.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name.lower()
    if not path.exists():
        path.write_text(generate())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _kept_secret("SECRET_KEY", lambda: secrets.token_urlsafe(64))
# The key that encrypts 身份证号 and phone numbers at rest (vanguard/core/crypto.py): 64 random bytes in
# base64. It is not derived from SECRET_KEY, so rotating that one leaves the data readable. Keep it apart
# from the backups: a backup holds the numbers encrypted. Rotation: put the old key in
# DATA_ENCRYPTION_KEY_FALLBACKS, set the new one, run `vanguard reencrypt`.
DATA_ENCRYPTION_KEY = _kept_secret(
    "DATA_ENCRYPTION_KEY", lambda: base64.b64encode(secrets.token_bytes(64)).decode()
)
DATA_ENCRYPTION_KEY_FALLBACKS = env_list("DATA_ENCRYPTION_KEY_FALLBACKS", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "vanguard.core",
    "vanguard.accounts",
    "vanguard.org",
    "vanguard.zones",
    "vanguard.contacts",
    "vanguard.reports",
    "vanguard.assessment",
    "vanguard.posts",
    "vanguard.timebank",
    "vanguard.community",
    "vanguard.service_requests",
    "vanguard.notifications",
    "vanguard.public",
    "vanguard.dashboard",
    "vanguard.audit",
    "vanguard.api",
    "vanguard.dataio",
    "vanguard.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise and everything that may answer early, so every response carries the policy.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vanguard.audit.middleware.AuditContextMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "vanguard.accounts.middleware.SessionPolicyMiddleware",
    "vanguard.accounts.middleware.AccessPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "vanguard.urls"
WSGI_APPLICATION = "vanguard.wsgi.application"

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
                "django.template.context_processors.i18n",
                "vanguard.notifications.context_processors.unread",
            ],
        },
    },
]

# SQLite by default: one file in var/, WAL so readers never wait for the writer, IMMEDIATE
# transactions so two writers queue on the busy timeout instead of failing with "database is locked".
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    # The embedded database lives in var/, which nothing else may have created when every key comes
    # from the environment.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "vanguard.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "vanguard.accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]

# Sessions end after 30 minutes idle and 12 hours in all (accounts.middleware enforces both); the cookie
# itself lives no longer than the absolute limit.
SESSION_COOKIE_AGE = 12 * 60 * 60
OTP_TOTP_ISSUER = "先锋 Vanguard"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names and pre-compressed files in production (after collectstatic); plain files when
        # developing or testing, where nothing has been collected.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security. Production runs behind HTTPS; a deployment that terminates TLS at a reverse proxy sets
# SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The page size of every list page and API list.
PAGE_SIZE = 50

# The REST API (vanguard/api): token authentication, JSON in and out, every error JSON with a message in
# Chinese, every list paginated.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["vanguard.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "vanguard.api.pagination.PageNumberPagination",
    "PAGE_SIZE": PAGE_SIZE,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "vanguard.api.errors.exception_handler",
}

# The OpenAPI schema and its docs page. Swagger UI comes from drf-spectacular-sidecar's static files, never
# from a CDN (intranet deployments), and its online validator badge is off so the page makes no request
# off the machine.
SPECTACULAR_SETTINGS = {
    "TITLE": "先锋 Vanguard API",
    "DESCRIPTION": (
        "党员责任区管理系统的接口。先以 POST /api/v1/auth/token/ 获取令牌,此后每个请求带"
        "“Authorization: Token <令牌>”请求头。列表分页返回 {count, next, previous, results};"
        "错误返回 {detail} 说明,数据有误时另附 {errors} 按字段列出。"
        "不在您管理范围内的对象与不存在的对象一样返回 404。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "vanguard.org.models.Organisation.Kind",
        "CellKindEnum": "vanguard.org.models.Cell.Kind",
        "CommunityTypeEnum": "vanguard.org.models.Cell.CommunityType",
        "GenderEnum": "vanguard.org.models.Person.Gender",
        "MemberStatusEnum": "vanguard.org.models.Member.Status",
        "MemberCategoryEnum": "vanguard.org.models.Member.Category",
        "ContactKindEnum": "vanguard.contacts.models.ContactAssignment.Kind",
        "TalkKindEnum": "vanguard.contacts.models.Talk.Kind",
        "TaskCategoryEnum": "vanguard.zones.models.Task.Category",
        "ZoneKindEnum": "vanguard.zones.models.Zone.Kind",
        "RoundStatusEnum": "vanguard.assessment.models.Round.Status",
        "IndicatorKindEnum": "vanguard.assessment.models.Indicator.Kind",
        "GradeEnum": "vanguard.assessment.models.Grade",
        "RectificationStatusEnum": "vanguard.assessment.models.Rectification.Status",
        "RectificationFilterStatusEnum": "vanguard.assessment.apis_year.RectificationFilterStatus",
        "AppraisalStatusEnum": "vanguard.assessment.models.Appraisal.Status",
        "ModelPostStatusEnum": "vanguard.posts.models.ModelPost.Status",
        "ModelPostKindEnum": "vanguard.posts.models.ModelPost.Kind",
        "StarEventKindEnum": "vanguard.posts.models.StarEvent.Kind",
        "OpinionKindEnum": "vanguard.posts.models.Opinion.Kind",
        "CommunityPostCategoryEnum": "vanguard.community.models.CommunityPost.Category",
        "AccountKindEnum": "vanguard.timebank.models.Account.Kind",
        "TransferKindEnum": "vanguard.timebank.models.Transfer.Kind",
        "ServiceRequestKindEnum": "vanguard.service_requests.models.Kind",
        "ServiceRequestCategoryEnum": "vanguard.service_requests.models.Category",
        "ServiceRequestUrgencyEnum": "vanguard.service_requests.models.Urgency",
        "ServiceRequestStatusEnum": "vanguard.service_requests.models.Status",
        "ServiceRequestChannelEnum": "vanguard.service_requests.models.Channel",
        "ServiceRequestEscalationEnum": "vanguard.service_requests.models.Escalation",
        "ServiceRequestEventActionEnum": "vanguard.service_requests.models.Event.Action",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": True,
        "persistAuthorization": True,
        "validatorUrl": None,
        "docExpansion": "none",
    },
}


def _hours(name: str, default: str) -> dict[str, float]:
    """Hours by urgency from e.g. "urgent=2,utilities=24,general=168,complex=360"."""
    pairs = (item.split("=", 1) for item in env_list(name, default))
    return {key.strip(): float(value) for key, value in pairs}


# Residents' requests (群众诉求). The deadline (办理时限) and the window for a first response (响应时限) of
# each urgency, in hours; the public form's rate limit per address; the rating that reopens a request; the
# days after which a resolved request nobody rated is closed; the version of the phone-number consent text.
REQUEST_DEADLINE_HOURS = _hours("REQUEST_DEADLINE_HOURS", "urgent=2,utilities=24,general=168,complex=360")
REQUEST_RESPONSE_HOURS = _hours("REQUEST_RESPONSE_HOURS", "urgent=1,utilities=4,general=24,complex=24")
REQUEST_ESCALATE_OFFICE_AFTER_HOURS = float(os.environ.get("REQUEST_ESCALATE_OFFICE_AFTER_HOURS", "24"))
REQUEST_RATE_PER_HOUR = int(os.environ.get("REQUEST_RATE_PER_HOUR", "5"))
REQUEST_RATE_PER_DAY = int(os.environ.get("REQUEST_RATE_PER_DAY", "20"))
REQUEST_LOW_RATING = int(os.environ.get("REQUEST_LOW_RATING", "2"))
REQUEST_RATING_DAYS = int(os.environ.get("REQUEST_RATING_DAYS", "7"))
REQUEST_CONSENT_VERSION = "2026-11"

# Reminders (`vanguard remind`, daily): a thing still due is told again after REMIND_EVERY_DAYS days (never
# twice a day); emails link to SITE_URL, the address users reach the site at. Email goes out only when
# EMAIL_HOST is set; otherwise reminders reach the notification centre alone.
REMIND_EVERY_DAYS = int(os.environ.get("REMIND_EVERY_DAYS", "3"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# Content-Security-Policy (django-csp) on every response: pages, the API's JSON, static and uploaded files.
# Scripts only from this site's own files: no inline <script>, no on*= handler, no javascript: URL, no
# eval. The one page that needs an inline script, the API docs (Swagger UI's start-up code), carries a
# nonce: templates/drf_spectacular/swagger_ui.html asks for request.csp_nonce, and django-csp adds that
# nonce to script-src on that response only. Styles allow 'unsafe-inline': ECharts' tooltips and htmx's
# indicator rule write inline styles, and the printable pages keep their <style> blocks for WeasyPrint;
# a style cannot run code, and every value a user typed is escaped by the templates anyway. A view that
# sets its own header (members' and requests' photos: default-src 'none') keeps it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],  # NONCE: added only to a response whose page asked for one
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
