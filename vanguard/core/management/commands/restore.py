"""`vanguard restore FILE`: a `vanguard backup` archive into an empty database of the same kind, then a
check of every table, file and the audit chain against the archive's manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanguard.audit import services as audit_trail
from vanguard.audit.models import Action
from vanguard.core import backup


class Command(BaseCommand):
    help = (
        "把 vanguard backup 写出的备份恢复到空数据库(同为 SQLite 或同为 PostgreSQL)和 MEDIA_ROOT,"
        "然后逐表核对行数与校验和、核对文件并校验审计记录;有任何不符即以非零状态退出。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="vanguard backup 写出的备份文件(.tar.gz)")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file).resolve()
        try:
            manifest, result = backup.restore(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        vendor = backup.VENDOR_NAMES[manifest["database"]["vendor"]]
        self.stdout.write(
            _("已从 %(path)s 恢复:%(vendor)s 数据库,备份于 %(time)s(先锋 %(version)s)。")
            % {
                "path": path,
                "vendor": vendor,
                "time": manifest["created_at"],
                "version": manifest["vanguard_version"],
            }
        )
        if manifest["vanguard_version"] != backup.vanguard_version():
            self.stdout.write(
                self.style.WARNING(
                    _("备份来自先锋 %(theirs)s,当前为 %(ours)s:核对通过后请运行 vanguard migrate。")
                    % {"theirs": manifest["vanguard_version"], "ours": backup.vanguard_version()}
                )
            )
        # Recorded after the check, which compares the trail with the backup's: the restore is the first
        # record after the restored ones, with the check's outcome.
        audit_trail.record(
            action=Action.RESTORE,
            object_type="core.backup",
            object_repr=path.name,
            success=result.ok,
            detail=f"{path}, backup of {manifest['created_at']}, audit #{manifest['audit']['last_id']}",
        )
        for problem in result.table_problems + result.media_problems + result.audit_problems:
            self.stdout.write(self.style.ERROR(problem))
        if not result.table_problems:
            self.stdout.write(
                _("数据表:%(tables)d 张,共 %(rows)d 行,行数与校验和全部与备份一致。")
                % {"tables": result.tables, "rows": result.rows}
            )
        if not result.media_problems:
            self.stdout.write(_("文件:%(files)d 个,逐字节与备份一致。") % {"files": result.media_files})
        if not result.audit_problems:
            audit = manifest["audit"]
            line = _("审计记录完整:共 %(count)d 条") % {"count": result.audit.count}
            if audit["last_id"] is not None:
                line += _(",末条 #%(id)s 哈希与备份一致") % {"id": audit["last_id"]}
            self.stdout.write(line)
        if not result.ok:
            count = len(result.table_problems) + len(result.media_problems) + len(result.audit_problems)
            raise CommandError(_("恢复后的数据与备份不一致:发现 %(count)d 处问题(见上)。") % {"count": count})
        self.stdout.write(self.style.SUCCESS(_("恢复完成,核对无误。")))
