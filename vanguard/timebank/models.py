"""社区时间银行: an append-only, double-entry ledger of service hours.

Every movement is a Transfer with exactly two Entries that sum to zero: hours leave one account and arrive in
another. Accounts: a member's, a household's (a resident person, who receives donated hours and pays for help
with them), and each community's issuing account, the counterpart of every credit for verified service (its
balance is minus the hours it has issued; the only account allowed below zero). A balance is the sum of the
account's entries; nothing is ever updated or deleted — a correction is a reversing transfer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.org.models import Cell, Member, Person


class Account(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", _("党员账户")
        HOUSEHOLD = "household", _("居民户账户")
        ISSUER = "issuer", _("社区发行账户")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    community = models.ForeignKey(
        Cell, models.PROTECT, related_name="timebank_accounts", verbose_name=_("社区")
    )
    member = models.OneToOneField(
        Member, models.PROTECT, null=True, blank=True, related_name="timebank_account", verbose_name=_("党员")
    )
    person = models.OneToOneField(
        Person, models.PROTECT, null=True, blank=True, related_name="timebank_account", verbose_name=_("居民")
    )
    created_at = models.DateTimeField(_("开户时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("时间银行账户")
        verbose_name_plural = _("时间银行账户")
        constraints = [
            models.CheckConstraint(
                name="account_owner_matches_kind",
                condition=(
                    Q(kind="member", member__isnull=False, person__isnull=True)
                    | Q(kind="household", member__isnull=True, person__isnull=False)
                    | Q(kind="issuer", member__isnull=True, person__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["community"], condition=Q(kind="issuer"), name="account_one_issuer"
            ),
        ]

    def __str__(self) -> str:
        if self.member_id:
            return str(self.member)
        if self.person_id:
            return str(self.person)
        return f"{self.community} · {self.get_kind_display()}"


class Transfer(models.Model):
    class Kind(models.TextChoices):
        CREDIT = "credit", _("服务入账")
        SPEND = "spend", _("兑换服务")
        DONATE = "donate", _("捐赠")
        REVERSAL = "reversal", _("冲正")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    memo = models.CharField(_("摘要"), max_length=200)
    service_record = models.OneToOneField(
        "community.ServiceRecord",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer",
        verbose_name=_("服务记录"),
    )
    reverses = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲正的交易"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("时间银行交易")
        verbose_name_plural = _("时间银行交易")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.memo}"


class Entry(models.Model):
    transfer = models.ForeignKey(Transfer, models.PROTECT, related_name="entries", verbose_name=_("交易"))
    account = models.ForeignKey(Account, models.PROTECT, related_name="entries", verbose_name=_("账户"))
    hours = models.DecimalField(_("时数"), max_digits=8, decimal_places=1, help_text=_("转入为正,转出为负"))

    class Meta:
        verbose_name = _("记账分录")
        verbose_name_plural = _("记账分录")
        constraints = [models.CheckConstraint(name="entry_hours_nonzero", condition=~Q(hours=0))]
        indexes = [models.Index(fields=["account", "transfer"], name="entry_account")]

    def __str__(self) -> str:
        return f"{self.account} {self.hours:+}"
