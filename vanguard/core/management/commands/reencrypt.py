"""`vanguard reencrypt`: every encrypted column (身份证号, phone numbers) rewritten under the current key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanguard.audit import services as audit
from vanguard.audit.models import Action
from vanguard.core import crypto


class Command(BaseCommand):
    help = (
        "更换数据加密密钥后运行:把所有加密存储的身份证号和电话号码用当前的 DATA_ENCRYPTION_KEY 重新加密"
        "(旧密钥放在 DATA_ENCRYPTION_KEY_FALLBACKS 中)。在一个事务中完成,要么全部成功,要么不做改动。"
    )

    def handle(self, *args, **options) -> None:
        try:
            counts = crypto.reencrypt()
        except crypto.DecryptionError as exc:
            raise CommandError(
                _(
                    "有数据无法用现有密钥解密(%(error)s):"
                    "请把旧密钥放进 DATA_ENCRYPTION_KEY_FALLBACKS。未做任何改动。"
                )
                % {"error": exc}
            ) from exc
        total = sum(counts.values())
        audit.record(
            action=Action.OTHER,
            object_type="core.encryption",
            detail=f"reencrypt: {total} values under the current key",
        )
        for column, count in counts.items():
            self.stdout.write(f"{column}: {count}")
        self.stdout.write(self.style.SUCCESS(_("已重新加密 %(count)d 个值。") % {"count": total}))
