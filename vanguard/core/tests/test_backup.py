"""`vanguard backup FILE` and `vanguard restore FILE`, end to end.

Each site runs as `vanguard` in child processes against its own database: a SQLite file in a temporary
VANGUARD_VAR_DIR and, when DATABASE_URL names a PostgreSQL server, a fresh database on that server too. The
source site is migrated, filled by `vanguard demo` (every domain's tables, 1,600 audit records; about 20 s
on SQLite, 35 s on PostgreSQL) and given two uploaded files; its backup is then restored into empty sites,
which start as copies of the source taken right after `migrate` (a file copy, or a PostgreSQL template).
All sites share one SECRET_KEY: the audit chain's HMAC key derives from it.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import importlib.metadata
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from vanguard.core import backup

VANGUARD = str(Path(sys.executable).with_name("vanguard"))
SECRET_KEY = secrets.token_urlsafe(50)
PHOTO = "posts/photos/backup-test.png"
IMPORT_FILE = "imports/名单 2025.xlsx"

# SQLite always; PostgreSQL too when the suite itself runs on it.
_SERVER = os.environ.get("DATABASE_URL", "")
_DATABASES = ["sqlite", *(["postgresql"] if _SERVER.startswith(("postgres://", "postgresql://")) else [])]

CHECKSUMS = (
    "import json; from vanguard.core.backup import table_checksums; print(json.dumps(table_checksums()))"
)
# A real photo with random pixels, stored as an upload is, on a model-post member's record.
ADD_PHOTO = f"""
import io, os
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from vanguard.posts.models import PostMember
buffer = io.BytesIO()
Image.frombytes("RGB", (64, 48), os.urandom(64 * 48 * 3)).save(buffer, "PNG")
name = default_storage.save({PHOTO!r}, ContentFile(buffer.getvalue()))
assert name == {PHOTO!r}, name
PostMember.objects.filter(pk=PostMember.objects.order_by("pk").first().pk).update(photo=name)
default_storage.save({IMPORT_FILE!r}, ContentFile(os.urandom(3000)))
"""


@dataclass
class Site:
    env: dict[str, str]
    var: Path

    @property
    def media(self) -> Path:
        return self.var / "media"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([VANGUARD, *args], env=self.env, capture_output=True, text=True, timeout=300)
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def checksums(self) -> dict[str, dict]:
        return json.loads(self.run("shell", "-c", CHECKSUMS).stdout.strip().splitlines()[-1])

    def media_files(self) -> dict[str, bytes]:
        return {name: path.read_bytes() for name, path in backup.media_files(self.media)}


@dataclass
class Source:
    vendor: str
    site: Site
    archive: Path
    backup_output: str
    new_site: Callable[[], Site]
    # The source's tables and `audit verify` output, taken once just before the backup (the backup adds
    # its own record to the trail, after the copy; nothing else changes them).
    checksums: dict[str, dict]
    verified: str
    # The source's tables just after the backup.
    after_backup: dict[str, dict]
    # The tables of a new site, before anything is restored into it.
    empty_checksums: dict[str, dict]

    @property
    def manifest(self) -> dict:
        with tarfile.open(self.archive) as tar:
            return json.load(tar.extractfile("manifest.json"))


def _env(var: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "MEDIA_ROOT") and not k.startswith("PYTEST")
    }
    env.update(
        VANGUARD_VAR_DIR=str(var),
        DEBUG="1",
        SECRET_KEY=SECRET_KEY,
        DJANGO_SETTINGS_MODULE="vanguard.settings",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


class _Server:
    """Databases on the PostgreSQL server of DATABASE_URL, dropped at the end."""

    def __init__(self) -> None:
        import dj_database_url
        import psycopg

        parsed = dj_database_url.parse(_SERVER)
        self.admin = psycopg.connect(
            host=parsed["HOST"] or None,
            port=parsed["PORT"] or None,
            user=parsed["USER"] or None,
            password=parsed["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        self.created: list[str] = []

    def create(self, template: str | None = None) -> str:
        name = f"vanguard_backup_{uuid.uuid4().hex[:12]}"
        self.admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.created.append(name)
        return name

    def url(self, name: str) -> str:
        return _SERVER.rsplit("/", 1)[0] + "/" + name

    def close(self) -> None:
        for name in reversed(self.created):
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


@pytest.fixture(scope="module", params=_DATABASES)
def source(request, tmp_path_factory) -> Source:
    root = tmp_path_factory.mktemp(f"backup-{request.param}")
    server = _Server() if request.param == "postgresql" else None
    try:
        source_db = server.create() if server else None
        (root / "source").mkdir()
        site = Site(_env(root / "source", server and server.url(source_db)), root / "source")
        site.run("migrate", "-v0")
        # The empty sites restored into: this database as migrate left it.
        if server:
            pristine = server.create(template=source_db)
        else:
            pristine = root / "pristine.sqlite3"
            shutil.copyfile(site.var / "vanguard.sqlite3", pristine)
        site.run("demo")
        site.run("shell", "-c", ADD_PHOTO)
        archive = root / "site.tar.gz"
        checksums = site.checksums()
        verified = site.run("audit", "verify").stdout
        output = site.run("backup", str(archive)).stdout

        def new_site() -> Site:
            var = root / f"target-{uuid.uuid4().hex[:8]}"
            var.mkdir()
            if server:
                return Site(_env(var, server.url(server.create(template=pristine))), var)
            shutil.copyfile(pristine, var / "vanguard.sqlite3")
            return Site(_env(var, None), var)

        yield Source(
            request.param,
            site,
            archive,
            output,
            new_site,
            checksums=checksums,
            verified=verified,
            after_backup=site.checksums(),
            empty_checksums=new_site().checksums(),
        )
    finally:
        if server:
            server.close()


def _rewrite(archive: Path, target: Path, change: Callable[[str, bytes], tuple[str, bytes] | None]) -> Path:
    """A copy of the archive with each member passed through `change` (None leaves it out)."""
    with tarfile.open(archive) as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            result = change(member.name, old.extractfile(member).read())
            if result is not None:
                info = tarfile.TarInfo(result[0])
                info.size = len(result[1])
                new.addfile(info, io.BytesIO(result[1]))
    return target


TRAIL = "audit_auditrecord"


def _without_trail(tables: dict[str, dict]) -> dict[str, dict]:
    return {table: item for table, item in tables.items() if table != TRAIL}


def _last_record(site: Site) -> list:
    code = (
        "from vanguard.audit.models import AuditRecord; import json; r = AuditRecord.objects.last(); "
        "print(json.dumps([r.action, r.success, r.object_repr]))"
    )
    return json.loads(site.run("shell", "-c", code).stdout.strip().splitlines()[-1])


def _refused(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("CommandError: "), done.stderr
    return lines[0]


def test_a_backup_holds_the_database_the_uploaded_files_and_a_manifest(source):
    with tarfile.open(source.archive) as tar:
        names = set(tar.getnames())
    database = backup.DATABASE_FILES[source.vendor]
    assert names == {"manifest.json", database, f"media/{PHOTO}", f"media/{IMPORT_FILE}"}
    assert source.archive.stat().st_mode & 0o777 == 0o600

    manifest = source.manifest
    assert manifest["format"] == "vanguard-backup"
    assert manifest["vanguard_version"] == importlib.metadata.version("vanguard")
    assert manifest["database"]["vendor"] == source.vendor
    assert dt.datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    assert manifest["tables"]["org_person"]["rows"] > 300
    # The checksums describe what the source holds (unchanged since the backup).
    assert manifest["tables"] == source.checksums
    assert manifest["media"]["files"] == 2
    last = f"末条记录 #{manifest['audit']['last_id']},哈希 {manifest['audit']['last_hash']}"
    assert last in source.verified
    assert manifest["audit"]["records"] == manifest["tables"]["audit_auditrecord"]["rows"] > 1000

    # The backup is recorded in the trail, after the copy: one record more, nothing else changed.
    assert _without_trail(source.after_backup) == _without_trail(source.checksums)
    assert source.after_backup[TRAIL]["rows"] == source.checksums[TRAIL]["rows"] + 1

    assert "已写入备份" in source.backup_output
    assert "文件:2 个" in source.backup_output
    assert manifest["audit"]["last_hash"] in source.backup_output


def test_a_backup_refuses_to_overwrite_a_file_unless_forced(source, tmp_path):
    existing = tmp_path / "existing.tar.gz"
    existing.write_bytes(b"keep me")
    message = _refused(source.site.run("backup", str(existing), check=False))
    assert "已存在" in message and "--force" in message
    assert existing.read_bytes() == b"keep me"

    source.site.run("backup", str(existing), "--force")
    with tarfile.open(existing) as tar:
        tables = json.load(tar.extractfile("manifest.json"))["tables"]
        assert _without_trail(tables) == _without_trail(source.manifest["tables"])
    assert not [p for p in tmp_path.iterdir() if p.name != existing.name]  # no partial files left


def test_restore_into_an_empty_database_brings_back_every_row_the_audit_chain_and_the_files(source):
    # The target holds migrate's rows only.
    assert {table for table, item in source.empty_checksums.items() if item["rows"]} <= backup.MIGRATE_TABLES
    target = source.new_site()
    assert not target.media_files()

    done = target.run("restore", str(source.archive))
    assert "恢复完成,核对无误" in done.stdout
    assert "行数与校验和全部与备份一致" in done.stdout and "文件:2 个,逐字节与备份一致" in done.stdout

    # Every table as backed up; the trail with one record more: the restore's own, after the check.
    restored = target.checksums()
    assert _without_trail(restored) == _without_trail(source.manifest["tables"])
    assert source.manifest["tables"] == source.checksums
    assert restored[TRAIL]["rows"] == source.manifest["audit"]["records"] + 1
    assert _last_record(target) == ["restore", True, source.archive.name]
    assert "审计记录完整" in target.run("audit", "verify").stdout
    assert target.media_files() == source.site.media_files()
    assert (target.media / PHOTO).read_bytes() == (source.site.media / PHOTO).read_bytes()


def test_restore_under_another_secret_key_says_the_audit_key_differs_and_fails(source):
    target = source.new_site()
    target.env["SECRET_KEY"] = secrets.token_urlsafe(50)
    done = target.run("restore", str(source.archive), check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "当前的 SECRET_KEY(或 AUDIT_HMAC_KEY)与备份时不同" in done.stdout
    assert "行数与校验和全部与备份一致" in done.stdout  # the data itself came back whole
    assert "恢复后的数据与备份不一致" in done.stderr


def test_restore_under_another_data_key_says_the_numbers_would_be_unreadable_and_fails(source):
    target = source.new_site()
    target.env["DATA_ENCRYPTION_KEY"] = base64.b64encode(secrets.token_bytes(64)).decode()
    done = target.run("restore", str(source.archive), check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "当前的 DATA_ENCRYPTION_KEY 与备份时不同" in done.stdout
    assert _last_record(target)[:2] == ["restore", False]


def test_restore_refuses_a_database_that_holds_data_and_changes_nothing(source):
    files = source.site.media_files()
    before = source.site.checksums()
    message = _refused(source.site.run("restore", str(source.archive), check=False))
    assert "目标数据库不是空的:accounts_roleassignment(6 行)、accounts_user(7 行)、" in message
    assert "等 49 张表中有数据" in message and "未做任何改动" in message
    assert source.site.checksums() == before
    assert source.site.media_files() == files

    # One account is enough to make a database "not empty"; migrate's own rows are not.
    target = source.new_site()
    target.run("shell", "-c", "from vanguard.accounts.models import User; User.objects.create(username='x')")
    before = target.checksums()
    message = _refused(target.run("restore", str(source.archive), check=False))
    assert "目标数据库不是空的:accounts_user(1 行)中有数据" in message
    assert target.checksums() == before
    assert not target.media_files()


def _bad_archives(source: Source, folder: Path) -> dict[str, Path]:
    data = source.archive.read_bytes()
    database = backup.DATABASE_FILES[source.vendor]

    def garbage_database(name: str, content: bytes) -> tuple[str, bytes]:
        # A database file that is not one, with a manifest that agrees: only the database's own check
        # (SQLite's integrity_check, pg_restore --list) can tell.
        if name == database:
            return name, b"\x00garbage" * 1000
        if name == "manifest.json":
            manifest = json.loads(content)
            manifest["database"]["sha256"] = hashlib.sha256(b"\x00garbage" * 1000).hexdigest()
            return name, json.dumps(manifest).encode()
        return name, content

    (folder / "short.tar.gz").write_bytes(data[: len(data) // 2])
    (folder / "text.tar.gz").write_text("这不是备份文件\n" * 100)
    return {
        "cut short": folder / "short.tar.gz",
        "not an archive": folder / "text.tar.gz",
        "no manifest": _rewrite(
            source.archive, folder / "bare.tar.gz", lambda n, b: None if n == "manifest.json" else (n, b)
        ),
        "database altered": _rewrite(
            source.archive,
            folder / "altered.tar.gz",
            lambda n, b: (n, b[:-100] + bytes(100)) if n == database else (n, b),
        ),
        "a photo altered": _rewrite(
            source.archive,
            folder / "photo.tar.gz",
            lambda n, b: (n, b[::-1]) if n == f"media/{PHOTO}" else (n, b),
        ),
        "a path outside": _rewrite(
            source.archive,
            folder / "escape.tar.gz",
            lambda n, b: (f"media/../../{n[6:]}", b) if n.startswith("media/") else (n, b),
        ),
        "not a database": _rewrite(source.archive, folder / "garbage.tar.gz", garbage_database),
    }


def test_a_corrupt_archive_is_refused_and_changes_nothing(source, tmp_path):
    bad = _bad_archives(source, tmp_path)
    target = source.new_site()
    for reason in ("cut short", "not a database"):
        message = _refused(target.run("restore", str(bad[reason]), check=False))
        assert "不是完好的先锋备份" in message and "未做任何改动" in message, (reason, message)
    assert target.checksums() == source.empty_checksums
    assert not target.media_files()

    message = _refused(target.run("restore", str(tmp_path / "missing.tar.gz"), check=False))
    assert "找不到备份文件" in message


@pytest.mark.django_db(transaction=True)
def test_every_kind_of_damage_is_refused_before_anything_changes(source, tmp_path, settings):
    """The other damages, in this process (quicker), into the test database as the flush leaves it: empty,
    so only the archive's checks stand between it and the restore."""
    settings.MEDIA_ROOT = tmp_path / "media"
    before = backup.table_checksums()
    for reason, archive in _bad_archives(source, tmp_path).items():
        if reason == "not a database" and source.vendor != connection.vendor:
            continue  # refused for the other vendor first
        with pytest.raises(CommandError) as refused:
            call_command("restore", str(archive))
        assert "不是完好的先锋备份" in str(refused.value) and "未做任何改动" in str(refused.value), reason
    assert backup.table_checksums() == before
    assert not settings.MEDIA_ROOT.exists()


def test_restore_refuses_a_backup_from_the_other_kind_of_database(source, tmp_path):
    other = "postgresql" if source.vendor == "sqlite" else "sqlite"

    def relabel(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["database"].update(vendor=other, file=backup.DATABASE_FILES[other])
            return name, json.dumps(manifest).encode()
        if name == backup.DATABASE_FILES[source.vendor]:
            return backup.DATABASE_FILES[other], data
        return name, data

    archive = _rewrite(source.archive, tmp_path / "other.tar.gz", relabel)
    target = source.new_site()
    message = _refused(target.run("restore", str(archive), check=False))
    names = backup.VENDOR_NAMES
    assert f"该备份来自 {names[other]} 数据库,当前配置的是 {names[source.vendor]} 数据库" in message
    assert target.checksums() == source.empty_checksums
    assert not target.media_files()


@pytest.mark.django_db(transaction=True)
def test_the_backup_command_in_process_describes_the_database_as_it_is(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "posts").mkdir(parents=True)
    (tmp_path / "media" / "posts" / "a.jpg").write_bytes(b"\xff\xd8 not really a photo")
    out = io.StringIO()
    call_command("backup", str(tmp_path / "b.tar.gz"), stdout=out)
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    now = backup.table_checksums()
    assert _without_trail(manifest["tables"]) == _without_trail(now)
    assert now[TRAIL]["rows"] == manifest["tables"][TRAIL]["rows"] + 1  # the backup's own record
    assert manifest["tables"]["org_member"]["rows"] == 2
    assert manifest["media"]["sha256"].keys() == {"posts/a.jpg"}
    assert "已写入备份" in out.getvalue()


def test_canonical_values_do_not_depend_on_how_a_backend_hands_them_back():
    utc = dt.datetime(2025, 1, 1, 4, 0, tzinfo=dt.UTC)
    shanghai = utc.astimezone(dt.timezone(dt.timedelta(hours=8)))
    pairs = [
        (decimal.Decimal("1.50"), decimal.Decimal("1.5")),
        (decimal.Decimal("100"), decimal.Decimal("1E+2")),
        (utc, shanghai),
        (memoryview(b"ab"), b"ab"),
        (uuid.UUID(int=1), str(uuid.UUID(int=1))),
        ({"b": 1, "a": [decimal.Decimal("2.0")]}, {"a": [decimal.Decimal("2")], "b": 1}),
    ]
    for left, right in pairs:
        assert json.dumps(backup.canonical(left), sort_keys=True) == json.dumps(
            backup.canonical(right), sort_keys=True
        )
    assert backup.canonical(True) is True and backup.canonical(None) is None
