from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. The person behind it, when there is one, is linked through `person`."""

    display_name = models.CharField(_("显示名称"), max_length=50, blank=True)
    # None until the user sets a password of their own: a password given by someone else is changed at
    # first login, and every password after 90 days.
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    OFFICE = "office", _("党委办公室")
    SECRETARY = "secretary", _("支部书记")
    COMMUNITY = "community", _("社区工作人员")
    SUPERVISOR = "supervisor", _("监督员")
    MEMBER = "member", _("党员")
    AUDITOR = "auditor", _("审计管理员")


# Roles whose scope is a node of the organisation tree, and the one whose scope is a grid cell.
ORGANISATION_ROLES = (Role.OFFICE, Role.SECRETARY, Role.SUPERVISOR)
GRID_ROLES = (Role.COMMUNITY,)


class RoleAssignment(models.Model):
    """A user acting in a role over a part of a tree: office of a committee, secretary of a branch,
    community worker of a community. A member's and an auditor's scope needs no node."""

    user = models.ForeignKey("accounts.User", models.CASCADE, related_name="roles", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "org.Organisation", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("党组织")
    )
    cell = models.ForeignKey(
        "org.Cell", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("网格")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    models.Q(role__in=ORGANISATION_ROLES, organisation__isnull=False, cell__isnull=True)
                    | models.Q(role__in=GRID_ROLES, cell__isnull=False, organisation__isnull=True)
                    | models.Q(
                        role__in=[Role.MEMBER, Role.AUDITOR], cell__isnull=True, organisation__isnull=True
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        node = self.organisation or self.cell
        return f"{self.user} · {self.get_role_display()}" + (f" · {node}" if node else "")


class LoginAttempt(models.Model):
    """One login attempt, kept for the lockout rule (see lockout.py); the audit trail records them too."""

    username = models.CharField(_("用户名"), max_length=150)
    address = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    successful = models.BooleanField(_("成功"))
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("登录尝试")
        verbose_name_plural = _("登录尝试")
        indexes = [
            models.Index(fields=["username", "at"], name="loginattempt_user_at"),
            models.Index(fields=["address", "at"], name="loginattempt_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.address} {'✓' if self.successful else '✗'}"
