"""Each member's contacts among the masses for a year (2–3 key contacts, 联系户 households, activists under
cultivation), and the log of talks and visits with them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.core.models import BaseModel
from vanguard.org.models import Member, Person
from vanguard.org.validators import validate_not_future
from vanguard.zones.models import validate_year


class ContactAssignment(BaseModel):
    class Kind(models.TextChoices):
        KEY = "key", _("联系人")
        HOUSEHOLD = "household", _("联系户")
        CULTIVATION = "cultivation", _("培养对象")

    member = models.ForeignKey(Member, models.CASCADE, related_name="contacts", verbose_name=_("党员"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="contact_of", verbose_name=_("联系对象"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_year])
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.KEY)
    assigned_on = models.DateField(_("确定日期"), validators=[validate_not_future])
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("联系对象")
        verbose_name_plural = _("联系对象")
        constraints = [
            models.UniqueConstraint(fields=["member", "person", "year"], name="contact_unique_per_year")
        ]
        indexes = [models.Index(fields=["member", "year"], name="contact_member_year")]

    def __str__(self) -> str:
        return f"{self.member} → {self.person}({self.year})"

    def clean(self) -> None:
        super().clean()
        if self.member_id and self.person_id and self.member.person_id == self.person_id:
            raise ValidationError({"person": gettext("党员不能把自己列为联系对象。")})


class Talk(BaseModel):
    """A talk or visit with a contact: when, how, what was said, problems raised, follow-up."""

    class Kind(models.TextChoices):
        TALK = "talk", _("谈心")
        VISIT = "visit", _("走访")
        PHONE = "phone", _("电话")

    assignment = models.ForeignKey(
        ContactAssignment, models.CASCADE, related_name="talks", verbose_name=_("联系对象")
    )
    held_on = models.DateField(_("日期"), validators=[validate_not_future])
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices, default=Kind.TALK)
    content = models.TextField(_("谈话内容"))
    problems = models.TextField(_("反映的问题"), blank=True)
    follow_up = models.TextField(_("跟进情况"), blank=True)

    class Meta:
        verbose_name = _("谈心走访")
        verbose_name_plural = _("谈心走访")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["assignment", "held_on"], name="talk_assignment_date")]

    def __str__(self) -> str:
        return f"{self.assignment} {self.held_on}"

    def clean(self) -> None:
        super().clean()
        if self.assignment_id and self.held_on and self.held_on < self.assignment.assigned_on:
            raise ValidationError(
                {
                    "held_on": gettext("谈话日期不能早于确定联系对象的日期(%(date)s)。")
                    % {"date": self.assignment.assigned_on.isoformat()}
                }
            )
