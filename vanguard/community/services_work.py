"""Writes of the community's work with in-service members: posts and claims (创岗、设岗、认岗、领岗), service
records and their verification (活动记实), which credit the time bank. Each write is scoped (the community's
workers run their community; a member acts for themself), validated with a Chinese message naming the field,
and audited in its transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.audit import services as audit
from vanguard.org.models import Cell, Member
from vanguard.org.validators import today
from vanguard.timebank import services as timebank

from .models import CommunityPost, PostClaim, ServiceRecord
from .services import _is_own, _user, works_in

HALF = Decimal("0.5")


def _worker(actor, community: Cell, message: str) -> None:
    if not works_in(actor, community):
        raise PermissionDenied(message)


@transaction.atomic
def post_create(
    *, actor, community: Cell, name: str, category: str, places: int, description: str = ""
) -> CommunityPost:
    _worker(actor, community, _("只有本社区的工作人员可以设置社区岗位。"))
    if community.kind != Cell.Kind.COMMUNITY:
        raise ValidationError({"community": _("社区岗位须设在社区。")})
    post = CommunityPost(
        community=community,
        name=(name or "").strip(),
        category=category,
        places=places,
        description=description,
    )
    post.full_clean(validate_constraints=False)
    if CommunityPost.objects.filter(community=community, name=post.name).exists():
        raise ValidationError({"name": _("本社区已有名为“%(name)s”的岗位。") % {"name": post.name}})
    post.save()
    audit.record_save(user=actor, obj=post, before=None)
    return post


def _taken(post: CommunityPost) -> int:
    return post.claims.filter(status__in=[PostClaim.Status.CLAIMED, PostClaim.Status.CONFIRMED]).count()


@transaction.atomic
def post_claim(*, actor, post: CommunityPost, member: Member) -> PostClaim:
    """A member claims a post (认岗); the claims waiting and confirmed may not exceed its places."""
    if not _is_own(actor, member):
        raise PermissionDenied(_("只能为自己认领岗位。"))
    locked = CommunityPost.objects.select_for_update(of=("self",)).get(pk=post.pk)
    if not locked.active:
        raise ValidationError(_("“%(name)s”已停止招募。") % {"name": locked.name})
    if locked.claims.filter(
        member=member, status__in=[PostClaim.Status.CLAIMED, PostClaim.Status.CONFIRMED]
    ).exists():
        raise ValidationError(_("您已认领“%(name)s”。") % {"name": locked.name})
    if _taken(locked) >= locked.places:
        raise ValidationError(
            _("“%(name)s”的%(places)d个名额已满,请选择其他岗位。")
            % {"name": locked.name, "places": locked.places}
        )
    claim = PostClaim.objects.create(post=locked, member=member)
    audit.record_save(user=actor, obj=claim, before=None)
    return claim


@transaction.atomic
def claim_confirm(*, actor, claim: PostClaim) -> PostClaim:
    stored = (
        PostClaim.objects.select_for_update(of=("self",)).select_related("post__community").get(pk=claim.pk)
    )
    _worker(actor, stored.post.community, _("只有本社区的工作人员可以确认上岗。"))
    if stored.status != PostClaim.Status.CLAIMED:
        raise ValidationError(_("该认领当前为“%(s)s”,不能确认。") % {"s": stored.get_status_display()})
    before = audit.snapshot(stored)
    stored.status, stored.confirmed_at, stored.confirmed_by = (
        PostClaim.Status.CONFIRMED,
        timezone.now(),
        _user(actor),
    )
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored


def _service_hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("请填写数字。")}) from None
    if hours <= 0 or hours > 24:
        raise ValidationError({"hours": _("时长应大于0且不超过24小时。")})
    if hours % HALF:
        raise ValidationError({"hours": _("时长以0.5小时为单位。")})
    return hours


@transaction.atomic
def service_report(
    *, actor, member: Member, community: Cell, activity: str, served_on: dt.date, hours: Any, **links
) -> ServiceRecord:
    """A service record: reported by the member (unverified until the community verifies it), or entered by
    a worker of the community (verified and credited at once)."""
    own = _is_own(actor, member)
    worker = works_in(actor, community)
    if not (own or worker):
        raise PermissionDenied(_("只能记录自己的服务,或由社区工作人员记录。"))
    if served_on and served_on > today():
        raise ValidationError({"served_on": _("服务日期不能晚于今天。")})
    record = ServiceRecord(
        member=member,
        community=community,
        activity=(activity or "").strip(),
        served_on=served_on,
        hours=_service_hours(hours),
        **links,
    )
    record.full_clean(validate_constraints=False)
    record.save()
    audit.record_save(user=actor, obj=record, before=None)
    if worker and not own:
        return service_verify(actor=actor, record=record)
    return record


@transaction.atomic
def service_verify(*, actor, record: ServiceRecord) -> ServiceRecord:
    """The community verifies a record and it is credited to the member's time-bank account."""
    stored = (
        ServiceRecord.objects.select_for_update(of=("self",))
        .select_related("community", "member")
        .get(pk=record.pk)
    )
    _worker(actor, stored.community, _("只有本社区的工作人员可以核实服务记录。"))
    if stored.status != ServiceRecord.Status.REPORTED:
        raise ValidationError(_("该服务记录当前为“%(s)s”,不能再核实。") % {"s": stored.get_status_display()})
    before = audit.snapshot(stored)
    stored.status, stored.verified_at, stored.verified_by = (
        ServiceRecord.Status.VERIFIED,
        timezone.now(),
        _user(actor),
    )
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    timebank.credit(actor=actor, record=stored)
    return stored


@transaction.atomic
def service_reject(*, actor, record: ServiceRecord, reason: str) -> ServiceRecord:
    stored = (
        ServiceRecord.objects.select_for_update(of=("self",)).select_related("community").get(pk=record.pk)
    )
    _worker(actor, stored.community, _("只有本社区的工作人员可以核实服务记录。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明不予核实的原因。")})
    if stored.status != ServiceRecord.Status.REPORTED:
        raise ValidationError(_("该服务记录当前为“%(s)s”,不能再核实。") % {"s": stored.get_status_display()})
    before = audit.snapshot(stored)
    stored.status, stored.rejection_reason = ServiceRecord.Status.REJECTED, reason
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored
