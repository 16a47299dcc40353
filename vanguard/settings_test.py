"""Settings for the test suite: the production settings with HTTPS redirects and secure cookies off,
since the test client speaks plain HTTP. The database still comes from DATABASE_URL when it is set."""

from __future__ import annotations

import os
import tempfile

# A fixed key for 身份证号 and phone numbers at rest, set in the environment so that the servers and commands
# the tests start as subprocesses read what the tests wrote. Tests only: production keeps its own.
os.environ.setdefault(
    "DATA_ENCRYPTION_KEY",
    "dGVzdC1vbmx5LWtleS1mb3ItdmFuZ3VhcmQtdGVzdHMtbm90LWZvci1wcm9kdWN0aW9uLXVzZS0wMTIzNDU2Nw==",
)

from vanguard.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# SQLite tests use a file, not the default shared in-memory database, so that tests with several threads
# (concurrent writers) exercise SQLite's real locking: WAL, IMMEDIATE transactions and the busy timeout.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per run, so two runs at once (two terminals, CI and a developer) never share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"vanguard-test-{os.getpid()}.sqlite3")
    }

# Uploads (model posts' photos, import files) go to a directory of this run, never into var/media: the
# access sweep and other tests that store a file leave nothing behind in a developer's media.
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"vanguard-test-media-{os.getpid()}"  # noqa: F405
