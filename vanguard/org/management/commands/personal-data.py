"""`vanguard personal-data export ID --out FILE.xlsx` writes a person's own copy of their data;
`vanguard personal-data anonymise ID` anonymises them where the rules allow (vanguard/org/personal_data.py).

The console's operator can already read everything on the server, so nothing is scoped; both are recorded
in the audit trail under the operating-system user's name, as `vanguard export` is."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanguard.accounts.scope import console_actor
from vanguard.org import personal_data
from vanguard.org.models import Person


class Command(BaseCommand):
    help = "个人信息:export ID --out 文件.xlsx 导出本人信息副本;anonymise ID 按规定匿名化。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{export,anonymise}")
        export = subcommands.add_parser("export", help="导出此人的个人信息副本(含完整身份证号和手机号)")
        export.add_argument("person_id", type=int, help="人员编号")
        export.add_argument("--out", required=True, type=Path, help="写入的 .xlsx 文件")
        anonymise = subcommands.add_parser("anonymise", help="匿名化此人的个人信息(不能恢复)")
        anonymise.add_argument("person_id", type=int, help="人员编号")

    def handle(self, *args, subcommand: str, person_id: int, **options) -> None:
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise CommandError(_("没有编号为 %(id)d 的人员。") % {"id": person_id})
        if subcommand == "export":
            self.export(person, options["out"])
        else:
            self.anonymise(person)

    def export(self, person: Person, out: Path) -> None:
        directory = out.parent if str(out.parent) else Path(".")
        if not directory.is_dir():
            raise CommandError(_("目录 %(dir)s 不存在。") % {"dir": directory})
        content = personal_data.export_workbook(person, user=console_actor())
        # Written beside the target and renamed when complete: a failed write leaves no half a file.
        handle, partial = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=directory)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.chmod(partial, 0o600)  # someone's personal data: the operator's eyes only
            os.replace(partial, out)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        self.stdout.write(
            self.style.SUCCESS(
                _("已导出人员 #%(id)d 的个人信息到 %(path)s。") % {"id": person.pk, "path": out}
            )
        )

    def anonymise(self, person: Person) -> None:
        try:
            personal_data.anonymise(person, user=console_actor())
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(_("已匿名化人员 #%(id)d 的个人信息。") % {"id": person.pk}))
