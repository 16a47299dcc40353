"""An import killed half-way (SIGKILL while it writes) leaves the database as it was.

The import runs as `vanguard import` in a child process against its own database: a SQLite file in a
temporary VANGUARD_VAR_DIR, and, when DATABASE_URL names a PostgreSQL server, a fresh database on it. The
child is killed once it reports its first batch of people written inside the import's transaction."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from .import_helpers import PEOPLE_HEADER, id_number, write_large_roster, write_workbook

VANGUARD = str(Path(sys.executable).with_name("vanguard"))
COUNT = (
    "import json;"
    "from vanguard.org.models import Organisation, Cell, Person, Member, Activist;"
    "from vanguard.audit.models import AuditRecord;"
    "print(json.dumps({m.__name__: m.objects.count() "
    "for m in (Organisation, Cell, Person, Member, Activist, AuditRecord)}))"
)


def vanguard(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([VANGUARD, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def counts(env: dict[str, str]) -> dict[str, int]:
    return json.loads(vanguard(env, "shell", "-c", COUNT).strip().splitlines()[-1])


# SQLite always; PostgreSQL too when the suite itself runs on it (as CI's second run does).
_SERVER = os.environ.get("DATABASE_URL", "")
_DATABASES = ["sqlite", *(["postgresql"] if _SERVER.startswith(("postgres://", "postgresql://")) else [])]


@pytest.fixture(params=_DATABASES)
def child_env(request, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        VANGUARD_VAR_DIR=str(tmp_path / "var"),
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="vanguard.settings",
        PYTHONUNBUFFERED="1",
    )
    if request.param == "sqlite":
        yield env
        return
    server = _SERVER
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(server)
    name = f"vanguard_kill_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/" + name
    try:
        yield env
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_an_import_killed_while_writing_leaves_the_database_as_it_was(child_env, tmp_path):
    vanguard(child_env, "migrate", "-v0")
    # Something in the database first, so "as it was" is not merely "empty".
    first = write_workbook(
        tmp_path / "first.xlsx",
        {
            "党组织": [
                ["名称", "类型", "上级"],
                ["起始党委", "党委", ""],
                ["起始支部", "党支部", "起始党委"],
            ],
            "人员": [
                PEOPLE_HEADER,
                ["张三", "", "", id_number(), "13800000000", "党员", "", "起始党委/起始支部", ""],
            ],
        },
    )
    vanguard(child_env, "import", str(first))
    # The console reports a bad row and exits with status 1, writing nothing.
    bad = write_workbook(tmp_path / "bad.xlsx", {"人员": [PEOPLE_HEADER, ["李四", "", "", "", "", "党员"]]})
    refused = subprocess.run([VANGUARD, "import", str(bad)], env=child_env, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "工作表 人员 第2行 所在党组织:人员类型为党员时必须填写所在党组织。" in refused.stdout
    assert "未写入任何数据" in refused.stderr
    before = counts(child_env)
    assert before["Person"] == 1 and before["AuditRecord"] == 4

    big = write_large_roster(tmp_path / "big.xlsx", 20_000)
    child = subprocess.Popen(
        [VANGUARD, "import", str(big)],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(90, child.kill)
    watchdog.start()
    seen: list[str] = []
    try:
        for line in child.stdout:
            seen.append(line)
            if line.startswith("已写入人员"):
                # A batch of people is written inside the import's one transaction: kill it there.
                child.send_signal(signal.SIGKILL)
                break
        child.wait(timeout=30)
    finally:
        watchdog.cancel()
        child.kill()
    assert child.returncode == -signal.SIGKILL, "".join(seen) + child.stderr.read()
    assert "写入中……\n" in seen
    assert not any(line.startswith("导入完成") for line in seen)

    assert counts(child_env) == before
    assert "审计记录完整:共 4 条" in vanguard(child_env, "audit", "verify")
