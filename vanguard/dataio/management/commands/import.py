"""`vanguard import FILE.xlsx [--dry-run]`: import a roster workbook (人员名册) from the console.

The console runs with full trust (accounts.scope.SystemActor); the audit trail names the operating-system
user. The plan is printed per sheet; any invalid row is printed with its sheet, row and column, and the
command exits with status 1 having written nothing."""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, IntegrityError, reset_queries
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.dataio import services
from vanguard.dataio.importers.plan import Plan
from vanguard.dataio.workbook import WorkbookError


class Command(BaseCommand):
    help = "导入人员名册(.xlsx):工作表“党组织”“网格”“人员”。有任何一行有误则不写入任何数据。"
    # The system checks load every URL and API module and take longer than importing a thousand rows;
    # `vanguard check` (and every server start) runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="人员名册 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并列出将要新建、更新的内容,不写入")

    def handle(self, *args, file: str, dry_run: bool = False, **options) -> None:
        if not os.path.isfile(file):
            raise CommandError(_("找不到文件:%(file)s") % {"file": file})
        actor = scope.console_actor()
        started = self._writing = time.monotonic()
        try:
            plan = services.roster_import(
                actor=actor,
                path=file,
                filename=os.path.basename(file),
                dry_run=dry_run,
                progress=self._progress,
                before_writing=self._before_writing,
            )
        except WorkbookError as exc:
            raise CommandError(exc.message) from exc
        except (services.ImportConflict, IntegrityError) as exc:
            raise CommandError(_("导入期间数据库中的数据发生了变化,未写入任何数据,请重新导入。")) from exc
        except DatabaseError as exc:
            raise CommandError(_("写入数据库失败,未写入任何数据:%(error)s") % {"error": exc}) from exc
        if not plan.ok:
            self._print_plan(plan)
            for error in plan.sorted_errors():
                self.stdout.write(self.style.ERROR(str(error)))
            raise CommandError(
                _("共有%(rows)d行、%(count)d处错误,未写入任何数据。")
                % {"rows": len(plan.errors_by_row()), "count": len(plan.errors)}
            )
        finished = time.monotonic()
        elapsed = finished - started
        if dry_run:
            self._print_plan(plan)
            self.stdout.write(self.style.WARNING(_("试运行:未写入任何数据。")))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("导入完成(%(seconds).1f 秒):%(summary)s。")
                    % {"seconds": elapsed, "summary": plan.summary_text()}
                )
            )
            if options.get("verbosity", 1) >= 2:
                self.stdout.write(
                    _("读取和校验 %(read).2f 秒,写入 %(write).2f 秒。")
                    % {"read": self._writing - started, "write": finished - self._writing}
                )

    def _print_plan(self, plan: Plan) -> None:
        for line in plan.lines():
            self.stdout.write(line)

    def _before_writing(self, plan: Plan) -> None:
        self._writing = time.monotonic()
        self._print_plan(plan)
        self.stdout.write(_("写入中……"))
        self.stdout.flush()

    def _progress(self, done: int, total: int) -> None:
        # With DEBUG on, Django keeps every query's SQL: a long import would keep thousands of big INSERTs.
        reset_queries()
        self.stdout.write(_("已写入人员 %(done)d/%(total)d") % {"done": done, "total": total})
        self.stdout.flush()
