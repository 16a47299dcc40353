"""`vanguard export KIND --out FILE.xlsx`: write an export (roster, members …) of the whole database.

The console's operator can already read everything on the server, so the export is not scoped; it is
recorded in the audit trail under the operating-system user's name."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanguard.accounts.scope import SystemActor, console_actor
from vanguard.audit import services as audit
from vanguard.dataio import exporters


def _kinds_text() -> str:
    return "、".join(f"{name}({kind.description or kind.title})" for name, kind in exporters.KINDS.items())


class Command(BaseCommand):
    help = "导出Excel工作簿:vanguard export roster --out 人员名册.xlsx(roster 的格式与导入相同)。"
    # The system checks load every URL and API module, which an export never uses; `vanguard check` (and
    # every server start) runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", help="导出内容:" + "、".join(exporters.KINDS))
        parser.add_argument("--out", required=True, type=Path, help="写入的 .xlsx 文件")

    def handle(self, *args, kind: str, out: Path, **options) -> None:
        export = exporters.KINDS.get(kind)
        if export is None:
            raise CommandError(
                _("没有“%(kind)s”这种导出。可用的有:%(kinds)s") % {"kind": kind, "kinds": _kinds_text()}
            )
        directory = out.parent if str(out.parent) else Path(".")
        if not directory.is_dir():
            raise CommandError(_("目录 %(dir)s 不存在。") % {"dir": directory})
        username = console_actor().username
        actor = SystemActor(username)
        started = time.monotonic()
        # Written beside the target and renamed when complete: a failed export leaves no half a file.
        handle, partial = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=directory)
        os.close(handle)
        try:
            counts = exporters.write_xlsx(export.sheets(actor), partial)
            os.replace(partial, out)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        summary = "、".join(_("%(sheet)s %(n)d 行") % {"sheet": sheet, "n": n} for sheet, n in counts.items())
        audit.record_export(
            user=None,
            username=username,
            kind=export.name,
            object_type=export.object_type,
            count=export.count(counts),
            detail=_("控制台导出到 %(path)s:%(summary)s(全部数据,含完整身份证号和手机号)")
            % {"path": out.resolve(), "summary": summary},
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                _("已导出%(title)s到 %(path)s(%(seconds).1f 秒):%(summary)s。")
                % {"title": export.title, "path": out, "seconds": elapsed, "summary": summary}
            )
        )
