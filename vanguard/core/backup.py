"""Backups of a whole site and their restore: `vanguard backup FILE` and `vanguard restore FILE`.

An archive is a gzip-compressed tar holding, in this order:

- `database.sqlite3` (SQLite: a copy taken through the online backup API, consistent while the site runs)
  or `database.dump` (PostgreSQL: `pg_dump --format=custom`, taken in an exported snapshot);
- `media/...`: every regular file under MEDIA_ROOT (the photos of model posts and residents' requests);
- `manifest.json`, last, so that an archive cut short is missing it and is refused: the Vanguard version,
  the database vendor, the time, per table its row count and a SHA-256 over its rows, the SHA-256 of the
  database file and of every media file, and the audit chain's last record and hash.

The table checksums are computed from the very data that is archived (the SQLite copy, or the PostgreSQL
snapshot pg_dump reads) from Python-level values: the ORM's values of each concrete field, each turned
into a canonical JSON form, rows in primary-key order. A restore recomputes them the same way and compares.

A restore goes only into an EMPTY database of the same vendor. "Empty" means that no table holds rows
except those `migrate` itself fills (MIGRATE_TABLES); a database never migrated is empty too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import importlib.metadata
import ipaddress
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Cast
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.audit import chain, triggers
from vanguard.audit.models import AuditRecord
from vanguard.core import crypto

FORMAT = "vanguard-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# The tables `vanguard migrate` fills on a new database: its own record of migrations, the content types
# and permissions (post_migrate), and the six zone roles migration zones/0002 seeds. A target holding rows
# in these alone counts as empty; the restore replaces them with the backup's.
MIGRATE_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "zones_zonerolekind"}
)

_CHUNK = 2000
_COPY_BUFFER = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused or failed; the message, in Chinese, is for the operator."""


def vanguard_version() -> str:
    try:
        return importlib.metadata.version("vanguard")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# --- Table checksums ------------------------------------------------------------------------------------


def canonical(value: Any) -> Any:
    """A value as JSON the same on SQLite and PostgreSQL: what each backend hands back differs in type
    (memoryview or bytes, an inet object or text, Decimal('1.50') or Decimal('1.5')) but not in meaning."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID | ipaddress.IPv4Address | ipaddress.IPv6Address):
        return str(value)
    if isinstance(value, dict):
        return {str(key): canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return str(value)


def _row_bytes(row: tuple) -> bytes:
    return (
        json.dumps(
            [canonical(value) for value in row], ensure_ascii=False, sort_keys=True, separators=(",", ":")
        ).encode()
        + b"\n"
    )


def _integer_key(key: models.Field) -> bool:
    while key.is_relation:
        key = key.target_field
    return isinstance(key, models.IntegerField)


def checksum_models() -> list[type[models.Model]]:
    """Every table's model: the installed models (many-to-many tables included), one per table, and
    Django's record of applied migrations."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            found.setdefault(meta.db_table, model)
    found.setdefault(MigrationRecorder.Migration._meta.db_table, MigrationRecorder.Migration)
    return [found[table] for table in sorted(found)]


def table_checksum(model: type[models.Model], using: str = "default") -> dict[str, Any]:
    """The row count and a SHA-256 over the rows in primary-key order (the column names first)."""
    fields = [f.attname for f in model._meta.concrete_fields]
    digest = hashlib.sha256(_row_bytes(tuple(fields)))
    # An encrypted column is summed as stored (its ciphertext), read past the field's decryption: the
    # check does not need the data key, and a restore under another key is told so rather than failing.
    columns = [
        Cast(f.attname, models.TextField()) if isinstance(f, crypto.EncryptedCharField) else f.attname
        for f in model._meta.concrete_fields
    ]
    rows = model._base_manager.using(using).order_by("pk").values_list(*columns).iterator(chunk_size=_CHUNK)
    count = 0
    if _integer_key(model._meta.pk):
        # Integer keys sort the same everywhere.
        for row in rows:
            digest.update(_row_bytes(row))
            count += 1
    else:
        # Text keys sort by the database's collation, which differs between servers: sort here instead.
        position = fields.index(model._meta.pk.attname)
        encoded = sorted((str(canonical(row[position])), _row_bytes(row)) for row in rows)
        for _key, data in encoded:
            digest.update(data)
        count = len(encoded)
    return {"rows": count, "sha256": digest.hexdigest()}


def table_checksums(using: str = "default") -> dict[str, dict[str, Any]]:
    """Each existing table of the installed models with its row count and checksum."""
    connection = connections[using]
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
    return {
        model._meta.db_table: table_checksum(model, using)
        for model in checksum_models()
        if model._meta.db_table in existing
    }


def key_check() -> str:
    """A short value that depends on the audit chain's key and discloses nothing of it: the HMAC of a fixed
    record. A restore under a different SECRET_KEY / AUDIT_HMAC_KEY can say so instead of "tampered"."""
    values: dict[str, Any] = dict.fromkeys(chain.CHAIN_FIELDS)
    values.update(
        at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), action="backup-key-check", prev_hash=chain.GENESIS
    )
    return chain.compute_hash(values)[:16]


def audit_state(using: str = "default") -> dict[str, Any]:
    last = AuditRecord.objects.using(using).order_by("-pk").values_list("pk", "hash").first()
    return {
        "records": AuditRecord.objects.using(using).count(),
        "last_id": last[0] if last else None,
        "last_hash": last[1] if last else None,
        "key_check": key_check(),
    }


# --- Files ------------------------------------------------------------------------------------------------


class _HashingReader:
    """Hands a file to tarfile while hashing exactly the bytes it reads."""

    def __init__(self, file) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_COPY_BUFFER):
            digest.update(chunk)
    return digest.hexdigest()


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        info = tar.gettarinfo(arcname=name, fileobj=file)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(file)
        tar.addfile(info, reader)
    return {"bytes": info.size, "sha256": reader.digest.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, _BytesReader(data))


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.position + size
        chunk = bytes(self.data[self.position : end])
        self.position += len(chunk)
        return chunk


def media_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(name relative to MEDIA_ROOT, path) of every regular file under it; symbolic links are left out."""
    if not root.is_dir():
        return
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


# --- Databases --------------------------------------------------------------------------------------------


def _sqlite_path(settings_dict: dict[str, Any]) -> Path:
    name = str(settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise BackupError(_("配置的 SQLite 数据库在内存中,无法备份或恢复:请使用数据库文件。"))
    return Path(name)


def _sqlite_copy(source: Path, destination: Path) -> None:
    if not source.is_file():
        raise BackupError(_("数据库文件 %(path)s 不存在。") % {"path": source})
    src = sqlite3.connect(source, timeout=20)
    try:
        dst = sqlite3.connect(destination)
        try:
            # One step: the copy is the database as of one moment, whatever the site writes meanwhile.
            src.backup(dst)
            # The copy carries the source's WAL flag; as a single file it should not.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


@contextlib.contextmanager
def _sqlite_alias(path: Path) -> Iterator[str]:
    """A connection alias to another SQLite file, like the default connection but with no init_command
    (which would turn the file to WAL). The alias lives in this thread only and is not added to the
    configured databases."""
    alias = f"vanguard_backup_{uuid.uuid4().hex[:12]}"
    base = connections["default"].settings_dict
    wrapper = load_backend(base["ENGINE"]).DatabaseWrapper(
        {**base, "NAME": str(path), "OPTIONS": {"timeout": 20}, "CONN_MAX_AGE": 0}, alias
    )
    connections[alias] = wrapper
    try:
        yield alias
    finally:
        wrapper.close()
        with contextlib.suppress(AttributeError):
            del connections[alias]


def _sqlite_integrity(path: Path) -> None:
    try:
        database = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = database.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            database.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(_("备份中的 SQLite 数据库已损坏(%(error)s)。") % {"error": exc}) from exc
    if result != "ok":
        raise BackupError(_("备份中的 SQLite 数据库已损坏(%(error)s)。") % {"error": result})


def _sqlite_restore(source: Path, target: Path) -> None:
    """Copy the backup into the configured database through the backup API, the other way round."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target, timeout=20)
        try:
            # Leave WAL for the copy (a WAL destination must share the source's page size), then return.
            mode = dst.execute("PRAGMA journal_mode").fetchone()[0]
            if mode.lower() == "wal":
                dst.execute("PRAGMA journal_mode=DELETE")
            src.backup(dst)
            if mode.lower() == "wal":
                dst.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            raise BackupError(
                _("无法写入数据库 %(path)s(%(error)s):请先停止网站和其他使用该数据库的程序。")
                % {"path": target, "error": exc}
            ) from exc
        finally:
            dst.close()
    finally:
        src.close()


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("找不到 %(name)s:请安装与数据库服务器版本一致的 PostgreSQL 客户端程序。") % {"name": name}
        )
    return path


# Connection options that libpq also reads from the environment.
_PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump / pg_restore: the connection's parameters as libpq variables, so that
    the password never appears in the process list."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    for option, variable in _PG_OPTIONS.items():
        value = (settings_dict.get("OPTIONS") or {}).get(option)
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).strip().splitlines() if line.strip()]
        raise BackupError(
            _("%(what)s失败(%(program)s 退出码 %(code)d):%(error)s。")
            % {
                "what": what,
                "program": Path(command[0]).name,
                "code": done.returncode,
                "error": " / ".join(lines[-5:]) or "-",
            }
        )


def _pg_dump(settings_dict: dict[str, Any], snapshot: str, destination: Path) -> None:
    command = [
        _program("pg_dump"),
        "--format=custom",
        "--no-password",
        f"--snapshot={snapshot}",
        f"--file={destination}",
    ]
    _run(command, pg_environment(settings_dict), _("导出数据库"))


def _pg_check(settings_dict: dict[str, Any], dump: Path) -> None:
    try:
        _run([_program("pg_restore"), "--list", str(dump)], pg_environment(settings_dict), _("读取备份"))
    except BackupError as exc:
        raise BackupError(_("备份中的 PostgreSQL 转储已损坏:%(error)s") % {"error": exc}) from exc


def _pg_restore(settings_dict: dict[str, Any], dump: Path) -> None:
    command = [
        _program("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        # Grants name roles of the source server, which the target may not have.
        "--no-privileges",
        # All or nothing: a failure leaves the database as it was.
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={settings_dict['NAME']}",
        str(dump),
    ]
    try:
        _run(command, pg_environment(settings_dict), _("恢复数据库"))
    except BackupError as exc:
        raise BackupError(_("%(error)s数据库未做任何改动。") % {"error": exc}) from exc


# --- Backup -----------------------------------------------------------------------------------------------


def create(path: Path, *, force: bool = False, using: str = "default") -> dict[str, Any]:
    """Write the archive to `path` and return its manifest. The archive appears only when complete."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(_("%(path)s 是一个目录,请给出备份文件的路径。") % {"path": path})
    if path.exists() and not force:
        raise BackupError(_("文件 %(path)s 已存在;如需覆盖请加 --force。") % {"path": path})
    if not path.parent.is_dir():
        raise BackupError(_("目录 %(path)s 不存在。") % {"path": path.parent})
    if path.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        raise BackupError(
            _("备份文件不能放在 MEDIA_ROOT(%(root)s)之内:它会被备份进自己。") % {"root": settings.MEDIA_ROOT}
        )
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(_("不支持备份 %(vendor)s 数据库。") % {"vendor": vendor})

    work = Path(tempfile.mkdtemp(prefix=".vanguard-backup-", dir=path.parent))
    partial = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.partial"
    try:
        database = work / DATABASE_FILES[vendor]
        if vendor == "sqlite":
            _sqlite_copy(_sqlite_path(connection.settings_dict), database)
            with _sqlite_alias(database) as alias:
                tables = table_checksums(alias)
                audit = audit_state(alias)
        else:
            # pg_dump reads the snapshot this transaction exports, and the checksums are computed inside
            # the same transaction: both see the database as of one moment.
            connection.ensure_connection()
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                _pg_dump(connection.settings_dict, snapshot, database)
                tables = table_checksums(using)
                audit = audit_state(using)

        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "vanguard_version": vanguard_version(),
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "file": DATABASE_FILES[vendor]},
            "tables": tables,
            "audit": audit,
            # Which data key encrypted the numbers in this backup (crypto.key_check; discloses nothing).
            "data_key_check": crypto.key_check(),
        }
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
                manifest["database"].update(_add_file(tar, DATABASE_FILES[vendor], database))
                files = {
                    name: _add_file(tar, f"{MEDIA_DIR}/{name}", item)
                    for name, item in media_files(Path(settings.MEDIA_ROOT))
                }
                manifest["media"] = {
                    "files": len(files),
                    "bytes": sum(item["bytes"] for item in files.values()),
                    "sha256": {name: item["sha256"] for name, item in files.items()},
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                _add_bytes(tar, MANIFEST, data)
            raw.flush()
            os.fsync(raw.fileno())
        if path.exists() and not force:
            raise BackupError(_("文件 %(path)s 已存在;如需覆盖请加 --force。") % {"path": path})
        os.replace(partial, path)
        manifest["archive_bytes"] = path.stat().st_size
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)
        partial.unlink(missing_ok=True)


# --- Restore ----------------------------------------------------------------------------------------------


def _member_target(root: Path, name: str) -> Path:
    """Where an archive member goes under `root`; anything our archives never hold is refused."""
    parts = PurePosixPath(name).parts
    allowed = (
        name == MANIFEST
        or name in DATABASE_FILES.values()
        or (len(parts) > 1 and parts[0] == MEDIA_DIR and not PurePosixPath(name).is_absolute())
    )
    if not allowed or any(part in ("", ".", "..") for part in parts):
        raise BackupError(_("备份中含有不应有的条目:%(name)s") % {"name": name})
    return root.joinpath(*parts)


def unpack(archive: Path, root: Path) -> dict[str, Any]:
    """Extract the archive into `root` and check it whole: the manifest, the database file's and each
    media file's SHA-256. Nothing outside `root` is touched."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                target = _member_target(root, member.name)
                if not member.isfile():
                    raise BackupError(_("备份中含有不应有的条目:%(name)s") % {"name": member.name})
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                with source, target.open("xb") as out:
                    shutil.copyfileobj(source, out, _COPY_BUFFER)
    except FileExistsError as exc:
        raise BackupError(_("备份中有重复的条目:%(name)s") % {"name": exc.filename}) from exc
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(_("无法读取(%(error)s)。") % {"error": exc}) from exc

    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(_("缺少 manifest.json(文件不完整,或不是 vanguard backup 写出的备份)。")) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(_("manifest.json 无法解析(%(error)s)。") % {"error": exc}) from exc
    try:
        if manifest["format"] != FORMAT:
            raise BackupError(_("不是 vanguard backup 写出的备份。"))
        if int(manifest["format_version"]) > FORMAT_VERSION:
            raise BackupError(
                _("备份格式版本 %(version)s 较新,请用更新的先锋恢复。")
                % {"version": manifest["format_version"]}
            )
        database = manifest["database"]
        if database["vendor"] not in DATABASE_FILES or database["file"] != DATABASE_FILES[database["vendor"]]:
            raise BackupError(_("manifest.json 中的数据库类型无法识别。"))
        expected = {database["file"]: str(database["sha256"])}
        for name, sha in manifest["media"]["sha256"].items():
            expected[f"{MEDIA_DIR}/{name}"] = str(sha)
        if not isinstance(manifest["tables"], dict) or not isinstance(manifest["audit"], dict):
            raise TypeError("tables, audit")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BackupError(_("manifest.json 内容不完整(%(error)s)。") % {"error": exc}) from exc

    present = {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()} - {MANIFEST}
    if missing := sorted(expected.keys() - present):
        raise BackupError(_("缺少文件 %(name)s。") % {"name": missing[0]})
    if extra := sorted(present - expected.keys()):
        raise BackupError(_("含有 manifest.json 未列出的文件 %(name)s。") % {"name": extra[0]})
    for name, sha in sorted(expected.items()):
        if _sha256(root / name) != sha:
            raise BackupError(_("文件 %(name)s 的校验和与 manifest.json 不符,备份已损坏。") % {"name": name})
    return manifest


def occupied_tables(using: str = "default") -> list[tuple[str, int]]:
    """The tables holding rows, besides those `migrate` fills, with their row counts."""
    connection = connections[using]
    quote = connection.ops.quote_name
    occupied = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in MIGRATE_TABLES:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # a name from the catalogue, quoted
            count = cursor.fetchone()[0]
            if count:
                occupied.append((table, count))
    return occupied


@dataclass
class Verification:
    tables: int = 0
    rows: int = 0
    table_problems: list[str] = field(default_factory=list)
    media_files: int = 0
    media_problems: list[str] = field(default_factory=list)
    audit: chain.Verification | None = None
    audit_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.table_problems or self.media_problems or self.audit_problems)


def verify(manifest: dict[str, Any], using: str = "default") -> Verification:
    """Compare the configured database and MEDIA_ROOT with a manifest; run the audit chain's check."""
    result = Verification()
    expected: dict[str, dict[str, Any]] = manifest["tables"]
    actual = table_checksums(using)
    for table in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(table), actual.get(table)
        if want is None:
            if have["rows"]:
                result.table_problems.append(
                    _("表 %(table)s:备份中没有此表,现有 %(rows)d 行") % {"table": table, "rows": have["rows"]}
                )
            continue
        if have is None:
            result.table_problems.append(_("表 %(table)s:数据库中没有此表") % {"table": table})
            continue
        result.tables += 1
        result.rows += have["rows"]
        if want["rows"] != have["rows"]:
            result.table_problems.append(
                _("表 %(table)s:备份 %(want)d 行,现有 %(have)d 行")
                % {"table": table, "want": want["rows"], "have": have["rows"]}
            )
        elif want["sha256"] != have["sha256"]:
            result.table_problems.append(_("表 %(table)s:行数相同但内容不同(校验和不符)") % {"table": table})

    media_root = Path(settings.MEDIA_ROOT)
    for name, sha in sorted(manifest["media"]["sha256"].items()):
        path = media_root.joinpath(*PurePosixPath(name).parts)
        if not path.is_file():
            result.media_problems.append(_("文件 %(name)s 不见了") % {"name": name})
        elif _sha256(path) != sha:
            result.media_problems.append(_("文件 %(name)s 与备份不同") % {"name": name})
        else:
            result.media_files += 1

    result.audit = chain.verify()
    if not result.audit.ok:
        if manifest["audit"].get("key_check") != key_check():
            result.audit_problems.append(
                _("当前的 SECRET_KEY(或 AUDIT_HMAC_KEY)与备份时不同:请使用备份时的密钥,审计记录才能通过校验")
            )
        result.audit_problems += [f"#{p.record_id} {p.message}" for p in result.audit.problems[:20]]
        if result.audit.problem_count > 20:
            result.audit_problems.append(
                _("……审计记录共 %(count)d 处问题") % {"count": result.audit.problem_count}
            )
    if manifest.get("data_key_check", crypto.key_check()) != crypto.key_check():
        result.table_problems.append(
            _(
                "当前的 DATA_ENCRYPTION_KEY 与备份时不同:加密存储的身份证号和电话号码将无法读取,"
                "请使用备份时的数据加密密钥"
            )
        )
    missing = triggers.missing(connections[using])
    if missing:
        result.audit_problems.append(_("数据库缺少防改动触发器:%(names)s") % {"names": ", ".join(missing)})
    last = AuditRecord.objects.using(using).order_by("-pk").values_list("pk", "hash").first()
    want_last = (manifest["audit"]["last_id"], manifest["audit"]["last_hash"])
    if (last or (None, None)) != want_last:
        result.audit_problems.append(
            _("末条审计记录与备份不同:备份 #%(want)s,现有 #%(have)s")
            % {"want": want_last[0], "have": last[0] if last else "-"}
        )
    return result


def _restore_media(source: Path, manifest: dict[str, Any]) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    for name in sorted(manifest["media"]["sha256"]):
        parts = PurePosixPath(name).parts
        target = media_root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
        try:
            shutil.copyfile(source.joinpath(*parts), partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)


def restore(archive: Path, using: str = "default") -> tuple[dict[str, Any], Verification]:
    """Restore the archive into the configured (empty) database and MEDIA_ROOT, then verify."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": archive})
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="vanguard-restore-") as workdir:
        root = Path(workdir)

        def corrupt(exc: BackupError) -> BackupError:
            return BackupError(
                _("%(path)s 不是完好的先锋备份:%(error)s未做任何改动。") % {"path": archive, "error": exc}
            )

        try:
            manifest = unpack(archive, root)
        except BackupError as exc:
            raise corrupt(exc) from exc
        vendor = manifest["database"]["vendor"]
        database = root / manifest["database"]["file"]
        if vendor != connection.vendor:
            raise BackupError(
                _(
                    "该备份来自 %(theirs)s 数据库,当前配置的是 %(ours)s 数据库:只能恢复到同类数据库。"
                    "未做任何改动。"
                )
                % {
                    "theirs": VENDOR_NAMES.get(vendor, vendor),
                    "ours": VENDOR_NAMES.get(connection.vendor, connection.vendor),
                }
            )
        try:
            if vendor == "sqlite":
                _sqlite_integrity(database)
            else:
                _pg_check(connection.settings_dict, database)
        except BackupError as exc:
            raise corrupt(exc) from exc
        occupied = occupied_tables(using)
        if occupied:
            listed = "、".join(
                _("%(table)s(%(rows)d 行)") % {"table": table, "rows": rows} for table, rows in occupied[:10]
            )
            more = _("等 %(count)d 张表") % {"count": len(occupied)} if len(occupied) > 10 else ""
            raise BackupError(
                _(
                    "目标数据库不是空的:%(tables)s%(more)s中有数据。恢复只能写入空数据库"
                    "(新建的数据库,或只运行过 vanguard migrate 的数据库)。未做任何改动。"
                )
                % {"tables": listed, "more": more}
            )
        connection.close()
        if vendor == "sqlite":
            _sqlite_restore(database, _sqlite_path(connection.settings_dict))
        else:
            _pg_restore(connection.settings_dict, database)
        connection.close()
        _restore_media(root / MEDIA_DIR, manifest)
    return manifest, verify(manifest, using)
