"""Writes of a member's registration at their home community (登记报到). Each takes the acting user, checks
who may do it, validates with a Chinese message naming the field, and is recorded in the audit trail.

- registration_submit: the member themself (or the console); one submitted or confirmed registration at a
  time, at a cell of kind 社区;
- registration_confirm / registration_return: a worker of that community (or above it in the grid), only
  while the registration is submitted; returning needs a reason."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts import scope as access
from vanguard.audit import services as audit
from vanguard.org.models import Cell, Member

from .models import Registration

Status = Registration.Status


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _is_own(actor, member: Member) -> bool:
    s = access.scope_of(actor)
    return s.superuser or (s.person_id is not None and s.person_id == member.person_id)


works_in = access.works_in  # the scoping module's check, under the name this app's callers use


@transaction.atomic
def registration_submit(
    *,
    actor,
    member: Member,
    community: Cell | None,
    occupation: str = "",
    strengths: str = "",
    wishes: str = "",
) -> Registration:
    """The member registers online, or a worker of the community enters the paper registration form."""
    paper = community is not None and not _is_own(actor, member) and works_in(actor, community)
    if not (_is_own(actor, member) or paper):
        raise PermissionDenied(_("只有党员本人或该社区的工作人员(录入纸质登记表)可以办理报到。"))
    if community is None:
        raise ValidationError({"community": _("请选择报到的社区。")})
    if community.kind != Cell.Kind.COMMUNITY:
        raise ValidationError(
            {
                "community": _("“%(name)s”是%(kind)s,请选择社区。")
                % {"name": community.name, "kind": community.get_kind_display()}
            }
        )
    active = (
        Registration.objects.filter(member=member, status__in=[Status.SUBMITTED, Status.CONFIRMED])
        .select_related("community")
        .first()
    )
    if active is not None:
        raise ValidationError({"community": _active_message(active)})
    registration = Registration(
        member=member,
        community=community,
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        occupation=(occupation or member.person.occupation or "").strip(),
        strengths=(strengths or "").strip(),
        wishes=(wishes or "").strip(),
        channel="paper" if paper else "online",
        entered_by=_user(actor),
    )
    registration.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # Two submissions at the same instant: the unique constraint kept one.
        active = (
            Registration.objects.filter(member=member, status__in=[Status.SUBMITTED, Status.CONFIRMED])
            .select_related("community")
            .first()
        )
        raise ValidationError({"community": _active_message(active)}) from None
    audit.record_save(user=actor, obj=registration, before=None)
    return registration


def _active_message(active: Registration | None) -> str:
    if active is None:
        return _("已有一份报到,请刷新后查看。")
    if active.status == Status.CONFIRMED:
        return _("已在%(name)s报到,无需重复报到。") % {"name": active.community.name}
    return _("已向%(name)s提交报到,正等待社区确认。") % {"name": active.community.name}


def _locked(actor, registration: Registration) -> Registration:
    stored = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("community", "member__person")
        .get(pk=registration.pk)
    )
    if not works_in(actor, stored.community):
        raise PermissionDenied(_("只有报到社区的工作人员可以确认或退回报到。"))
    return stored


def _refuse_unless_submitted(stored: Registration) -> None:
    if stored.status != Status.SUBMITTED:
        raise ValidationError(
            _("%(name)s的报到%(status)s,不能再确认或退回。")
            % {"name": stored.member.person.name, "status": stored.get_status_display()},
            code="transition",
        )


@transaction.atomic
def registration_confirm(*, actor, registration: Registration) -> Registration:
    stored = _locked(actor, registration)
    _refuse_unless_submitted(stored)
    before = audit.snapshot(stored)
    stored.status = Status.CONFIRMED
    stored.confirmed_at = timezone.now()
    stored.confirmed_by = _user(actor)
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored


@transaction.atomic
def registration_return(*, actor, registration: Registration, reason: str) -> Registration:
    stored = _locked(actor, registration)
    _refuse_unless_submitted(stored)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"return_reason": _("退回报到时须填写原因。")})
    before = audit.snapshot(stored)
    stored.status = Status.RETURNED
    stored.returned_at = timezone.now()
    stored.return_reason = reason
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored
