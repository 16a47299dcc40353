"""`vanguard audit verify` checks the HMAC chain; `vanguard audit purge --before YYYY-MM-DD` removes records
older than the retention period."""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.scope import console_actor
from vanguard.audit import chain, services, triggers
from vanguard.audit.models import AuditRecord


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(_("日期格式应为YYYY-MM-DD,例如2025-01-01。")) from exc


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


class Command(BaseCommand):
    help = "审计记录:verify 校验哈希链;purge --before YYYY-MM-DD 清理184天以前的记录。"

    def add_arguments(self, parser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,purge}")
        verify = subcommands.add_parser("verify", help="逐条重算哈希并检查链接,报告被改动、删除或插入的记录")
        verify.add_argument("--chunk-size", type=int, default=2000, help="每批读取的记录数")
        purge = subcommands.add_parser("purge", help="删除指定日期之前的审计记录(只能是184天以前)")
        purge.add_argument("--before", type=_date, required=True, help="YYYY-MM-DD,删除此日0时之前的记录")

    def handle(self, *args, **options) -> None:
        if options["subcommand"] == "verify":
            self.verify(options["chunk_size"])
        else:
            self.purge(options["before"])

    def verify(self, chunk_size: int) -> None:
        def report(problem: chain.Problem) -> None:
            self.stdout.write(
                self.style.ERROR(f"#{problem.record_id}  {_when(problem.at)}  {problem.message}")
            )

        result = chain.verify(chunk_size=chunk_size, on_problem=report)
        missing = triggers.missing(connections[router.db_for_read(AuditRecord)])
        if missing:
            self.stdout.write(
                self.style.ERROR(
                    _(
                        "数据库缺少防改动触发器:%(names)s"
                        "(运行 `vanguard migrate audit 0001` 再 `vanguard migrate audit` 可重新安装)"
                    )
                    % {"names": ", ".join(missing)}
                )
            )
        if not result.ok or missing:
            raise CommandError(
                _("审计记录校验未通过:共 %(count)d 条,发现 %(problems)d 处问题。")
                % {"count": result.count, "problems": result.problem_count + len(missing)}
            )
        self.stdout.write(self.style.SUCCESS(_("审计记录完整:共 %(count)d 条") % {"count": result.count}))
        last = AuditRecord.objects.order_by("-pk").values_list("pk", "hash").first()
        if last is not None:
            # Noting this down elsewhere lets a later verify notice records cut off the end of the chain.
            self.stdout.write(_("末条记录 #%(id)s,哈希 %(hash)s") % {"id": last[0], "hash": last[1]})

    def purge(self, before: dt.date) -> None:
        try:
            result = services.purge(before=before, username=console_actor().username)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("已清理%(before)s之前的审计记录 %(deleted)d 条;本次清理记为 #%(id)s。")
                % {"before": before.isoformat(), "deleted": result.deleted, "id": result.record.pk}
            )
        )
