"""The audit trail: one append-only table whose rows are chained by an HMAC (see chain.py).

Rows are written only by `services.record()` and, for bulk writes, `services.record_many()`, which compute
the chain under a lock. Nothing in the application changes or removes a row: the model and its queryset
refuse, and database triggers (migration 0002) refuse too, except the deletion of rows older than the
retention period by `vanguard audit purge`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections, models
from django.utils.translation import gettext_lazy as _

# Nothing younger than this is ever purged; the database triggers carry the same number.
RETENTION_DAYS = 184


class AuditTrailError(Exception):
    """An attempt to change or remove an audit record, or to write one past `services.record()`."""


class Action(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出")
    LOGIN_FAILED = "login_failed", _("登录失败")
    EXPORT = "export", _("导出")
    REVEAL = "reveal", _("查看完整证件号或手机号")
    PURGE = "purge", _("清理审计记录")
    ANONYMISE = "anonymise", _("匿名化个人信息")
    BACKUP = "backup", _("备份")
    RESTORE = "restore", _("恢复备份")
    OTHER = "other", _("其他")


class AuditRecordQuerySet(models.QuerySet):
    """Reads only. `purge_prefix()` is the one way rows leave the table."""

    def update(self, **kwargs):
        raise AuditTrailError("审计记录不可修改。")

    def delete(self):
        raise AuditTrailError("审计记录不可删除;过期记录请用 `vanguard audit purge` 清理。")

    def bulk_create(self, *args, **kwargs):
        raise AuditTrailError("审计记录只能通过 vanguard.audit.services.record() 逐条写入。")

    def bulk_update(self, *args, **kwargs):
        raise AuditTrailError("审计记录不可修改。")

    def update_or_create(self, *args, **kwargs):
        raise AuditTrailError("审计记录不可修改。")

    def _append_chained(self, rows: list[dict]) -> int:
        """Insert rows that services.record_many() has already chained, in chain order: one executemany,
        each value prepared by its field exactly as an ORM insert prepares it.

        Only record_many() calls this, holding the chain's lock; every row must carry its hash."""
        if any(not row.get("hash") or not row.get("prev_hash") for row in rows):
            raise AuditTrailError("审计记录只能通过 vanguard.audit.services.record() 写入。")
        if not rows:
            return 0
        connection = connections[self.db]
        quote = connection.ops.quote_name
        fields = [f for f in self.model._meta.concrete_fields if not f.primary_key]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(self.model._meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        # Text needs no preparing (CharField and TextField hand a str through as it is): skip the call.
        text = [isinstance(f, models.CharField | models.TextField) for f in fields]
        params = [
            [
                value if plain and type(value) is str else f.get_db_prep_save(value, connection)
                for f, plain, value in zip(fields, text, (row[f.attname] for f in fields), strict=True)
            ]
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        return len(rows)

    def purge_prefix(self, *, before_id: int) -> int:
        """Delete the records of the chain's head up to (not including) `before_id`.

        Only services.purge() calls this, after its own retention check; the database triggers still
        refuse any row younger than RETENTION_DAYS."""
        deleted, _by_model = models.QuerySet.delete(self.filter(pk__lt=before_id))
        return deleted


class AuditRecord(models.Model):
    at = models.DateTimeField(_("时间"), db_index=True)
    # The row must outlive the user: no database constraint, and deleting a user leaves the row as it was
    # (SET_NULL would be an UPDATE, which the trail refuses). `username` keeps the name for reading.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("用户"),
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    success = models.BooleanField(_("成功"), default=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    detail = models.TextField(_("说明"), blank=True)
    # Unique: two records can never chain to the same predecessor, whatever goes wrong with the lock.
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, unique=True)
    hash = models.CharField(_("哈希"), max_length=64)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["username", "at"], name="auditrecord_username_at"),
            models.Index(fields=["action", "at"], name="auditrecord_action_at"),
            models.Index(fields=["object_type", "object_id"], name="auditrecord_object"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_action_display()} {self.object_repr}".strip()

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AuditTrailError("审计记录不可修改。")
        if not self.hash or not self.prev_hash:
            raise AuditTrailError("审计记录只能通过 vanguard.audit.services.record() 写入。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailError("审计记录不可删除。")
