"""What the time-bank pages export, as sheets for vanguard.dataio's xlsx formatter: one account's statement
(entries oldest first, each with the running balance), read in chunks like every list export."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.dataio.exporters.base import ExportColumn, ExportSheet

from .models import Account, Entry

CHUNK_SIZE = 2000


def statement_title(account: Account) -> str:
    return _("%(holder)s时间银行对账单") % {"holder": holder(account)}


def holder(account: Account) -> str:
    if account.member_id:
        return account.member.person.name
    if account.person_id:
        return account.person.name
    return account.community.name


def _counterparty(entry: Entry) -> str:
    if entry.other_id is None:
        return ""
    return f"{entry.other_id} · {entry.other_name or ''}"


def statement_sheet(account: Account, entries: QuerySet[Entry]) -> ExportSheet:
    columns = [
        ExportColumn(_("时间"), width=18),
        ExportColumn(_("类型"), width=10),
        ExportColumn(_("摘要"), width=40),
        ExportColumn(_("对方账户"), width=24),
        ExportColumn(_("时数"), width=10),
        ExportColumn(_("余额"), width=10),
        ExportColumn(_("经办人"), width=14),
    ]

    def rows():
        for e in entries.iterator(chunk_size=CHUNK_SIZE):
            t = e.transfer
            yield (
                timezone.localtime(t.created_at).replace(tzinfo=None),
                t.get_kind_display(),
                t.memo,
                _counterparty(e),
                e.hours,
                e.running,
                str(t.created_by) if t.created_by_id else "",
            )

    return ExportSheet(statement_title(account)[:31], columns, rows())
