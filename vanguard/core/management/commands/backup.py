"""`vanguard backup FILE [--force]`: the database, the uploaded files and a manifest in one tar.gz."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanguard.audit import services as audit_trail
from vanguard.audit.models import Action
from vanguard.core import backup


def size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"


class Command(BaseCommand):
    help = (
        "把数据库(SQLite 在线备份或 pg_dump)和上传的文件(照片)写入一个 tar.gz 备份文件,"
        "附带逐表行数、校验和与审计记录末条哈希。网站运行时也可备份。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="备份文件的路径,例如 /var/backups/vanguard/2025-01-01.tar.gz")
        parser.add_argument("--force", action="store_true", help="文件已存在时覆盖它")

    def handle(self, *args, file: str, force: bool = False, **options) -> None:
        path = Path(file).resolve()
        try:
            manifest = backup.create(path, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        # The trail says a copy of everything left the database (after the copy: it is not in it).
        audit_trail.record(
            action=Action.BACKUP,
            object_type="core.backup",
            object_repr=path.name,
            detail=f"{path} ({manifest['archive_bytes']} bytes, audit #{manifest['audit']['last_id']})",
        )
        tables = manifest["tables"]
        media = manifest["media"]
        audit = manifest["audit"]
        vendor = backup.VENDOR_NAMES[manifest["database"]["vendor"]]
        self.stdout.write(
            self.style.SUCCESS(
                _("已写入备份 %(path)s(%(size)s)") % {"path": path, "size": size(manifest["archive_bytes"])}
            )
        )
        self.stdout.write(
            _("数据库:%(vendor)s,%(tables)d 张表,共 %(rows)d 行(%(size)s)")
            % {
                "vendor": vendor,
                "tables": len(tables),
                "rows": sum(item["rows"] for item in tables.values()),
                "size": size(manifest["database"]["bytes"]),
            }
        )
        self.stdout.write(
            _("文件:%(files)d 个(%(size)s),来自 %(root)s")
            % {"files": media["files"], "size": size(media["bytes"]), "root": settings.MEDIA_ROOT}
        )
        if audit["last_id"] is None:
            self.stdout.write(_("审计记录:0 条"))
        else:
            self.stdout.write(
                _("审计记录:%(count)d 条,末条 #%(id)s,哈希 %(hash)s")
                % {"count": audit["records"], "id": audit["last_id"], "hash": audit["last_hash"]}
            )
        self.stdout.write(
            _("先锋 %(version)s,%(time)s。备份含个人信息:请加密后异地保存(见 docs/backup.md)。")
            % {"version": manifest["vanguard_version"], "time": manifest["created_at"]}
        )
