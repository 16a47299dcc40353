from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.db import connection


def _run_vanguard(*args: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    base.update(env)
    base.setdefault("VANGUARD_VAR_DIR", str(tmp_path))
    return subprocess.run(
        [sys.executable, "-m", "vanguard.cli", *args], env=base, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_environment_values(tmp_path):
    result = _run_vanguard(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "vanguard.example.org",
            "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3"),
        },
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_debug_is_left_on(tmp_path):
    result = _run_vanguard(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={"DEBUG": "1", "SECRET_KEY": secrets.token_urlsafe(64)},
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key_when_required(tmp_path):
    result = _run_vanguard("check", env={"DEBUG": "0", "REQUIRE_SECRET_KEY": "1"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_immediate_transactions():
    if connection.vendor == "postgresql":
        # DATABASE_URL chose PostgreSQL: none of SQLite's options may leak into its connection.
        assert "transaction_mode" not in connection.settings_dict["OPTIONS"]
        return
    assert connection.vendor == "sqlite"
    options = connection.settings_dict["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000


def test_language_and_time_zone_are_chinese_first(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert ("en", "English") in settings.LANGUAGES


def test_the_embedded_database_finds_its_directory_when_every_key_comes_from_the_environment(tmp_path):
    var = tmp_path / "fresh" / "var"
    # DATA_ENCRYPTION_KEY comes from the environment the tests set; SECRET_KEY too, here: nothing else
    # creates var/.
    done = _run_vanguard(
        "migrate",
        "--noinput",
        "-v0",
        env={"VANGUARD_VAR_DIR": str(var), "SECRET_KEY": "x" * 50, "DATABASE_URL": ""},
        tmp_path=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (var / "vanguard.sqlite3").exists()
