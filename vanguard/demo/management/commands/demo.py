"""`vanguard demo [--reset]`: build the demonstration database and print its logins."""

from __future__ import annotations

import time
import unicodedata

from django.core.management.base import BaseCommand

from vanguard.demo import builder


def _width(text: str) -> int:
    # A Chinese character takes two columns in a terminal; pad by display width, not by len().
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return lines


class Command(BaseCommand):
    help = "生成演示数据库(华盛一区、市公交公司、东风街道七个社区)并列出演示账户。可重复运行。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--reset", action="store_true", help="先删除全部演示数据,再重新生成。")

    def handle(self, *args, reset: bool = False, **options) -> None:
        started = time.monotonic()
        counts = builder.build_demo(reset=reset, stdout=self.stdout)
        elapsed = time.monotonic() - started

        summary = "、".join(f"{builder.COUNT_LABELS[key]} {value}" for key, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪({elapsed:.1f} 秒):{summary}。"))
        self.stdout.write("")
        self.stdout.write(f"演示账户(密码均为 {builder.DEMO_PASSWORD}):")
        for line in format_table(("用户名", "角色", "范围", "密码"), builder.login_rows()):
            self.stdout.write(f"  {line}")
        self.stdout.write(
            "  admin、office、secretary、supervisor、auditor 首次登录时"
            "须用手机验证器扫描页面上的二维码绑定动态验证码;"
        )
        self.stdout.write("  member、community 只需密码。")
        self.stdout.write("")
        self.stdout.write(f"启动服务(vanguard runserver)后打开 {builder.DEMO_URL} 登录。")
