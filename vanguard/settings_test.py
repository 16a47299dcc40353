"""Settings for the test suite: the production settings with HTTPS redirects and secure cookies off,
since the test client speaks plain HTTP. The database still comes from DATABASE_URL when it is set."""

from __future__ import annotations

from vanguard.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
