"""`vanguard remind [--dry-run]`: tell every user what is due (their notification centre, and email when
EMAIL_HOST is set). Run it once a day from cron or a systemd timer; a second run the same day sends
nothing twice, and a thing still due is told again after REMIND_EVERY_DAYS days."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from vanguard.notifications import services


class Command(BaseCommand):
    help = "提醒:把各用户的待办事项写入通知中心,配置了邮件时再发邮件(每天运行一次)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只列出将要发送的提醒,不保存也不发送")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        result = services.remind(dry_run=dry_run)
        if dry_run:
            for planned in result.planned:
                item = planned.item
                self.stdout.write(f"{planned.username}\t{item.label}:{item.count}\t{item.url}")
            self.stdout.write(
                f"演练:检查用户 {result.users} 名,将发出提醒 {result.created} 条,"
                f"{result.skipped} 条近 {services.remind_every_days()} 天内已提醒过;未保存、未发送。"
            )
            return
        if services.email_enabled():
            mail = f"发送邮件 {result.emailed} 封"
            if result.email_failed:
                mail += f"(失败 {result.email_failed} 封)"
            if result.no_email:
                mail += f",{result.no_email} 名用户未填邮箱"
        else:
            mail = "未配置邮件(EMAIL_HOST),只写入通知中心"
        self.stdout.write(
            f"提醒完成:检查用户 {result.users} 名,新通知 {result.created} 条,"
            f"{result.skipped} 条近 {services.remind_every_days()} 天内已提醒过;{mail}。"
        )
