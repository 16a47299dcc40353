"""`vanguard requests sweep`: escalate overdue residents' requests (the secretary, then the office) and close
resolved ones nobody rated in time. Run it every hour or so from cron or a systemd timer; running it twice
changes nothing the second time."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from vanguard.service_requests import services


class Command(BaseCommand):
    help = "群众诉求:超期督办并关闭逾期未评价的诉求(sweep)"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sweep", help="超期督办,关闭逾期未评价的已办结诉求")

    def handle(self, *args, action: str, **options) -> None:
        result = services.sweep()
        self.stdout.write(
            f"提请支部书记督办 {result.to_secretary} 件,提请党委办公室督办 {result.to_office} 件,"
            f"自动关闭 {result.closed} 件。"
        )
