"""Writes of residents' requests. Each takes the acting user (None: the resident, by the public form or the
tracking code), checks who may do it, validates with a Chinese message naming the field, adds a step to the
request's timeline and is recorded in the audit trail.

- submit: the public intake (rate-limited per address; consent required with a phone number), or staff
  entering a request taken by phone (channel 工作人员代录);
- dispatch (派单): a worker of the request's community, or the secretary/office over its branch, to a member
  of the community (registered there and confirmed, or living there) or of the branch, or to a team of the
  community;
- take (接单): a member of the community takes a request waiting in its queue;
- accept / start / resolve: the member handling it (resolve may record the time spent as service hours, which
  the community verifies like any self-reported record); an opinion, praise or complaint is answered by its
  branch's secretary (one about a model post in the post's opinion book);
- rate: the resident, by tracking code, once per resolution; a rating of REQUEST_LOW_RATING or less reopens
  the request for the secretary's attention;
- change_urgency, close: the community or the branch, with a reason;
- sweep: escalates what is overdue (the secretary, then the office) and closes resolved requests nobody rated
  within REQUEST_RATING_DAYS days; run by `vanguard requests sweep`."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.accounts import scope as access
from vanguard.audit import services as audit
from vanguard.org.models import Cell, Member
from vanguard.org.validators import today

from . import routing
from .models import (
    CATEGORY_URGENCY,
    OPEN_STATUSES,
    Category,
    Channel,
    Escalation,
    Event,
    Kind,
    ServiceRequest,
    Status,
    Urgency,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone
CODE_LENGTH = 10
DESCRIPTION_LIMIT = 2000
COMMENT_LIMIT = 500
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")

# The text the resident agrees to, kept with its version (REQUEST_CONSENT_VERSION) on each request.
CONSENT_TEXT = gettext_lazy(
    "我同意社区和承办党员使用我留下的电话号码与我联系,仅用于办理本次诉求;"
    "公开页面只显示遮挡后的号码,诉求关闭后号码不再对外提供。"
)


class RateLimited(ValidationError):
    """Too many submissions from one address (the API answers 429)."""


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _now() -> dt.datetime:
    return timezone.now()


def client_key(address: str | None) -> str:
    """A keyed hash of the submitting address: enough to count its submissions, not to recover it."""
    if not address:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def deadlines(urgency: str, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(deadline, respond_by) of a request of `urgency` received or reopened at `start`."""
    hours = settings.REQUEST_DEADLINE_HOURS[urgency]
    respond = min(settings.REQUEST_RESPONSE_HOURS[urgency], hours)
    return start + dt.timedelta(hours=hours), start + dt.timedelta(hours=respond)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _event(
    req: ServiceRequest, action: str, actor=None, note: str = "", at: dt.datetime | None = None
) -> Event:
    return Event.objects.create(request=req, action=action, actor=_user(actor), note=note, at=at or _now())


def _check_rate(client: str) -> None:
    if not client:
        return
    now = _now()
    recent = ServiceRequest.objects.filter(client=client, received_at__gte=now - dt.timedelta(days=1))
    per_hour, per_day = settings.REQUEST_RATE_PER_HOUR, settings.REQUEST_RATE_PER_DAY
    if recent.filter(received_at__gte=now - dt.timedelta(hours=1)).count() >= per_hour:
        raise RateLimited(
            _("提交过于频繁:同一网络每小时最多提交%(n)d次,请稍后再试,急事请拨打服务电话。") % {"n": per_hour},
            code="rate_limited",
        )
    if recent.count() >= per_day:
        raise RateLimited(
            _("提交过于频繁:同一网络每天最多提交%(n)d次,请明天再试,急事请拨打服务电话。") % {"n": per_day},
            code="rate_limited",
        )


def _validate_intake(
    *, kind: str, category: str, description: str, name: str, phone: str, consent: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("请选择诉求类型。")
    if category not in Category.values:
        errors["category"] = _("请选择诉求类别。")
    if len(description) < 5:
        errors["description"] = _("请把情况说清楚一些(至少5个字)。")
    elif len(description) > DESCRIPTION_LIMIT:
        errors["description"] = _("内容不能超过%(n)d个字。") % {"n": DESCRIPTION_LIMIT}
    if not name:
        errors["name"] = _("请留下称呼,例如“王阿姨”“李先生”。")
    elif len(name) > 50:
        errors["name"] = _("称呼不能超过50个字。")
    if kind == Kind.REQUEST and not phone:
        errors["phone"] = _("请留下联系电话,承办党员需要与您联系。")
    elif phone and not PHONE.match(phone):
        errors["phone"] = _("请填写正确的手机号或固定电话,例如13812345678或0551-12345678。")
    if phone and not consent:
        errors["consent"] = _("请勾选同意使用您的电话号码联系您,否则无法留下电话。")
    return errors


@dataclass(frozen=True)
class Subject:
    """What the request is about and where: the zone of the board, the chosen cell, the community whose page
    it came from, a model post or a member."""

    zone: Any = None
    cell: Cell | None = None
    community: Cell | None = None
    post: Any = None
    member: Member | None = None


@transaction.atomic
def submit(
    *,
    actor=None,
    kind: str = Kind.REQUEST,
    category: str = Category.OTHER,
    description: str,
    name: str,
    phone: str = "",
    consent: bool = False,
    urgent: bool = False,
    subject: Subject | None = None,
    photo=None,
    channel: str = Channel.ZONE_BOARD,
    client: str = "",
) -> ServiceRequest:
    """A resident's request, opinion, praise or complaint; `photo` is a stored_photo() already checked."""
    subject = subject or Subject()
    description, name = (description or "").strip(), (name or "").strip()
    phone = re.sub(r"\s", "", phone or "")
    if actor is not None:
        if not access.has_any_role(actor):
            raise PermissionDenied(_("只有工作人员可以代录群众诉求。"))
        channel, client = Channel.STAFF, ""
    elif channel == Channel.STAFF:
        channel = Channel.ZONE_BOARD
    errors = _validate_intake(
        kind=kind, category=category, description=description, name=name, phone=phone, consent=consent
    )
    if kind == Kind.REQUEST and subject.zone is None and subject.cell is None and subject.community is None:
        errors["cell"] = _("请选择诉求所在的位置。")
    if kind != Kind.REQUEST and not (subject.zone or subject.post or subject.member):
        errors["kind"] = _("意见、表扬和投诉须针对某个责任区、党员或示范岗。")
    if subject.post is not None and subject.post.status != subject.post.Status.APPROVED:
        errors["post"] = _("该示范岗目前不在岗,不能留言。")
    if errors:
        raise ValidationError(errors)
    _check_rate(client)

    now = _now()
    if kind == Kind.REQUEST:
        route = routing.route_request(
            cell=subject.cell, zone=subject.zone, community=subject.community, phone=phone
        )
        urgency = Urgency.URGENT if urgent else CATEGORY_URGENCY.get(category, Urgency.GENERAL)
        status = Status.ASSIGNED if route.member is not None else Status.QUEUED
    else:
        route = routing.route_opinion(
            zone=subject.zone, post=subject.post, about_member=subject.member, cell=subject.cell
        )
        urgency, status = Urgency.GENERAL, Status.ASSIGNED
    deadline, respond_by = deadlines(urgency, now)
    req = ServiceRequest(
        kind=kind,
        category=category if kind == Kind.REQUEST else Category.OTHER,
        urgency=urgency,
        description=description,
        name=name,
        phone=phone,
        consent_version=settings.REQUEST_CONSENT_VERSION if phone else "",
        consent_at=now if phone else None,
        channel=channel,
        cell=subject.cell,
        zone=route.zone or subject.zone,
        post=subject.post,
        about_member=subject.member,
        community=route.community,
        organisation=route.organisation,
        member=route.member,
        boundary=route.boundary,
        route_note=route.note,
        status=status,
        received_at=now,
        deadline=deadline,
        respond_by=respond_by,
        client=client,
        entered_by=_user(actor),
    )
    if photo:
        req.photo = photo
    for _attempt in range(5):
        req.tracking_code = _new_code()
        try:
            with transaction.atomic():
                req.save()
            break
        except IntegrityError:
            if ServiceRequest.objects.filter(tracking_code=req.tracking_code).exists():
                continue
            raise
    if subject.post is not None:
        from vanguard.posts import services as posts

        kinds = {Kind.OPINION: "opinion", Kind.PRAISE: "praise", Kind.COMPLAINT: "complaint"}
        req.opinion = posts.opinion_submit(
            actor=None, post=subject.post, kind=kinds[kind], content=description, name=name, phone=phone
        )
        req.save(update_fields=["opinion"])
    _event(req, Event.Action.SUBMITTED, actor, at=now)
    if kind == Kind.REQUEST:
        action = Event.Action.ROUTED if route.member is not None else Event.Action.QUEUED
        _event(req, action, note=route.note, at=now)
    audit.record_save(user=actor, obj=req, before=None, detail=_("群众诉求提交"))
    return req


# --- who may act -----------------------------------------------------------------------------------------


def _locked(req: ServiceRequest) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("community", "organisation", "zone__organisation", "member__person", "team", "post")
        .get(pk=req.pk)
    )


def _own_member(actor) -> Member | None:
    s = access.scope_of(actor)
    if s.person_id is None:
        return None
    return Member.objects.select_related("organisation", "person").filter(person_id=s.person_id).first()


def is_community_worker(actor, req: ServiceRequest) -> bool:
    return req.community_id is not None and access.works_in(actor, req.community)


def is_branch_editor(actor, req: ServiceRequest) -> bool:
    if req.organisation_id and access.can_edit_under(actor, req.organisation):
        return True
    return bool(req.zone_id and access.can_edit_under(actor, req.zone.organisation))


def is_handler(actor, req: ServiceRequest) -> bool:
    """The member handling it, or (dispatched to a team, not yet accepted) a member of the team."""
    s = access.scope_of(actor)
    if s.person_id is None:
        return False
    if req.member_id is not None:
        return req.member.person_id == s.person_id
    return req.team_id is not None and req.team.members.filter(person_id=s.person_id).exists()


def in_community(member: Member, community: Cell | None) -> bool:
    """Serves in the community: registered there and confirmed (双报到), or living there."""
    from vanguard.community.models import Registration

    if community is None:
        return False
    residence = member.person.residence
    if residence is not None and residence.path.startswith(community.path):
        return True
    return Registration.objects.filter(
        member=member, community=community, status=Registration.Status.CONFIRMED
    ).exists()


def _save(req: ServiceRequest, actor, before: dict, action: str, note: str = "") -> ServiceRequest:
    req.save()
    _event(req, action, actor, note=note)
    audit.record_save(user=actor, obj=req, before=before, detail=str(Event.Action(action).label))
    return req


def _refuse_status(req: ServiceRequest, allowed: tuple[str, ...], doing: str) -> None:
    if req.status not in allowed:
        raise ValidationError(
            _("该诉求当前为“%(status)s”,不能%(doing)s。")
            % {"status": req.get_status_display(), "doing": doing}
        )


# --- the loop ----------------------------------------------------------------------------------------------


@transaction.atomic
def dispatch(*, actor, request: ServiceRequest, member: Member | None = None, team=None, note: str = ""):
    """派单: to one member or one volunteer team of the community."""
    req = _locked(request)
    worker, editor = is_community_worker(actor, req), is_branch_editor(actor, req)
    if not (worker or editor):
        raise PermissionDenied(_("只有本社区工作人员或所属党支部书记可以派单。"))
    if req.kind != Kind.REQUEST:
        raise ValidationError(_("意见、表扬和投诉由党支部答复,不派单。"))
    _refuse_status(req, OPEN_STATUSES, _("派单"))
    if (member is None) == (team is None):
        raise ValidationError({"member": _("请选择一名承办党员或一支志愿服务队。")})
    if member is not None:
        allowed = (worker and in_community(member, req.community)) or (
            editor and access.can_edit_under(actor, member.organisation)
        )
        if not allowed:
            raise ValidationError({"member": _("所选党员不在本社区报到或居住,也不属于您管理的党组织。")})
    if team is not None and (not worker or team.community_id != req.community_id):
        raise ValidationError({"team": _("只能派给本社区的志愿服务队。")})
    before = audit.snapshot(req)
    req.member, req.team = member, team
    if member is not None:
        req.organisation = member.organisation
    req.status = Status.ASSIGNED
    target = member.person.name if member is not None else team.name
    return _save(req, actor, before, Event.Action.DISPATCHED, note=(note or "").strip() or target)


@transaction.atomic
def take(*, actor, request: ServiceRequest) -> ServiceRequest:
    """接单: a member of the community takes a request waiting in its queue (or dispatched to their team)."""
    req = _locked(request)
    member = _own_member(actor)
    if member is None:
        raise PermissionDenied(_("只有党员可以接单。"))
    in_team = req.team_id is not None and req.team.members.filter(pk=member.pk).exists()
    if not (in_community(member, req.community) or in_team):
        raise PermissionDenied(_("只能接本人报到或居住社区的诉求。"))
    if not (
        req.status == Status.QUEUED or (req.status == Status.ASSIGNED and in_team and req.member_id is None)
    ):
        raise ValidationError(_("该诉求已有党员承办,不能再接单。"))
    before = audit.snapshot(req)
    now = _now()
    req.member, req.organisation = member, member.organisation
    req.status = Status.ACCEPTED
    req.accepted_at = req.accepted_at or now
    return _save(req, actor, before, Event.Action.TAKEN, note=member.person.name)


@transaction.atomic
def accept(*, actor, request: ServiceRequest) -> ServiceRequest:
    req = _locked(request)
    if not is_handler(actor, req):
        raise PermissionDenied(_("只有承办党员可以受理。"))
    if req.member_id is None:
        return take(actor=actor, request=req)
    _refuse_status(req, (Status.ASSIGNED,), _("受理"))
    before = audit.snapshot(req)
    req.status = Status.ACCEPTED
    req.accepted_at = req.accepted_at or _now()
    return _save(req, actor, before, Event.Action.ACCEPTED)


@transaction.atomic
def start(*, actor, request: ServiceRequest) -> ServiceRequest:
    req = _locked(request)
    if not is_handler(actor, req):
        raise PermissionDenied(_("只有承办党员可以办理。"))
    _refuse_status(req, (Status.ASSIGNED, Status.ACCEPTED), _("开始办理"))
    before = audit.snapshot(req)
    req.status = Status.IN_PROGRESS
    req.accepted_at = req.accepted_at or _now()
    return _save(req, actor, before, Event.Action.STARTED)


@transaction.atomic
def resolve(*, actor, request: ServiceRequest, resolution: str, hours: Any = None) -> ServiceRequest:
    """办结 (a request for help, by the member handling it) or 答复 (an opinion, praise or complaint, by its
    branch). `hours`: the time spent, recorded as a service record for the community to verify."""
    req = _locked(request)
    resolution = (resolution or "").strip()
    if req.kind == Kind.REQUEST:
        if not is_handler(actor, req):
            raise PermissionDenied(_("只有承办党员可以办结。"))
        _refuse_status(req, (Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS), _("办结"))
    else:
        if not is_branch_editor(actor, req):
            raise PermissionDenied(_("只有所属党支部书记或党委办公室可以答复。"))
        if req.opinion_id is not None:
            raise ValidationError(_("对示范岗的留言请在该示范岗的意见簿中答复。"))
        _refuse_status(req, (Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS), _("答复"))
    if not resolution:
        raise ValidationError({"resolution": _("请填写办理情况。")})
    if len(resolution) > DESCRIPTION_LIMIT:
        raise ValidationError({"resolution": _("内容不能超过%(n)d个字。") % {"n": DESCRIPTION_LIMIT}})
    before = audit.snapshot(req)
    if hours not in (None, ""):
        if req.kind != Kind.REQUEST or req.member_id is None:
            raise ValidationError({"hours": _("只有承办党员办结求助时可以记录服务时长。")})
        if req.community_id is None:
            raise ValidationError({"hours": _("该诉求不属于任何社区,不能记为社区服务时长。")})
        if req.service_record_id is not None:
            raise ValidationError({"hours": _("该诉求已记录过服务时长。")})
        from vanguard.community.services_work import service_report

        req.service_record = service_report(
            actor=actor,
            member=req.member,
            community=req.community,
            activity=_("办理群众诉求%(code)s:%(category)s")
            % {"code": req.tracking_code, "category": req.get_category_display()},
            served_on=today(),
            hours=hours,
        )
    now = _now()
    req.resolution = resolution
    req.resolved_at = now
    req.accepted_at = req.accepted_at or now
    req.attention = False
    if req.kind == Kind.PRAISE:
        req.status, req.closed_at = Status.CLOSED, now
    else:
        req.status = Status.RESOLVED
    return _save(req, actor, before, Event.Action.RESOLVED, note=resolution)


@transaction.atomic
def rate(*, request: ServiceRequest, rating: Any, comment: str = "") -> ServiceRequest:
    """The resident's rating, by tracking code: once per resolution. A low rating reopens the request."""
    req = _locked(request)
    if req.status == Status.CLOSED and req.rated_at is not None:
        raise ValidationError(_("该诉求已评价,不能重复评价。"))
    if req.status != Status.RESOLVED:
        if req.rated_at is not None and req.status in OPEN_STATUSES:
            raise ValidationError(_("该诉求已评价,正在重新办理,办结后可再次评价。"))
        raise ValidationError(_("诉求尚未办结,暂不能评价。"))
    try:
        stars = int(rating)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError({"rating": _("请选择1到5颗星。")})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        raise ValidationError({"comment": _("评价不能超过%(n)d个字。") % {"n": COMMENT_LIMIT}})
    before = audit.snapshot(req)
    now = _now()
    req.rating, req.rating_comment, req.rated_at = stars, comment, now
    note = _("%(n)d星") % {"n": stars} + (f":{comment}" if comment else "")
    _event(req, Event.Action.RATED, note=note, at=now)
    if stars <= settings.REQUEST_LOW_RATING:
        req.status = Status.IN_PROGRESS
        req.reopened += 1
        req.attention = True
        # A new deadline for the new resolution; the first response stands (it was given in its window or
        # not), and the resolution that did not satisfy no longer counts as one.
        req.deadline = deadlines(req.urgency, now)[0]
        req.resolved_at = None
        req.save()
        _event(req, Event.Action.REOPENED, at=now)
    else:
        req.status, req.closed_at = Status.CLOSED, now
        req.save()
        _event(req, Event.Action.CLOSED, at=now)
    audit.record_save(user=None, obj=req, before=before, detail=_("群众评价"))
    return req


@transaction.atomic
def change_urgency(*, actor, request: ServiceRequest, urgency: str, reason: str) -> ServiceRequest:
    """The community or the branch changes the urgency (e.g. to 复杂); the deadline counts from receipt."""
    req = _locked(request)
    if not (is_community_worker(actor, req) or is_branch_editor(actor, req)):
        raise PermissionDenied(_("只有本社区工作人员或所属党支部书记可以调整紧急程度。"))
    _refuse_status(req, OPEN_STATUSES, _("调整紧急程度"))
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("请选择紧急程度。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明调整的原因。")})
    before = audit.snapshot(req)
    req.urgency = urgency
    start_at = req.received_at if not req.reopened else max(req.rated_at or req.received_at, req.received_at)
    req.deadline, req.respond_by = deadlines(urgency, start_at)
    if req.deadline > _now():
        req.escalation, req.escalated_at = Escalation.NONE, None
    return _save(req, actor, before, Event.Action.URGENCY, note=f"{req.get_urgency_display()}:{reason}")


@transaction.atomic
def close(*, actor, request: ServiceRequest, reason: str) -> ServiceRequest:
    """The community or the branch closes a request: a duplicate or not a request (open), or resolved and
    not rated."""
    req = _locked(request)
    if not (is_community_worker(actor, req) or is_branch_editor(actor, req)):
        raise PermissionDenied(_("只有本社区工作人员或所属党支部书记可以关闭诉求。"))
    _refuse_status(req, (*OPEN_STATUSES, Status.RESOLVED), _("关闭"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明关闭的原因。")})
    before = audit.snapshot(req)
    req.status, req.closed_at, req.attention = Status.CLOSED, _now(), False
    return _save(req, actor, before, Event.Action.CLOSED, note=reason)


# --- the daily sweep ---------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    to_secretary: int = 0
    to_office: int = 0
    closed: int = 0


@transaction.atomic
def sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Escalate overdue requests (past the deadline → the secretary; REQUEST_ESCALATE_OFFICE_AFTER_HOURS
    later → the office) and close resolved requests nobody rated within REQUEST_RATING_DAYS. Running it twice
    changes nothing the second time."""
    now = now or _now()
    result = SweepResult()
    office_after = dt.timedelta(hours=settings.REQUEST_ESCALATE_OFFICE_AFTER_HOURS)
    overdue = ServiceRequest.objects.select_for_update().filter(status__in=OPEN_STATUSES, deadline__lt=now)
    steps = (
        (Escalation.SECRETARY, overdue.filter(escalation=Escalation.NONE), "to_secretary"),
        (
            Escalation.OFFICE,
            overdue.filter(escalation__lt=Escalation.OFFICE, deadline__lt=now - office_after),
            "to_office",
        ),
    )
    for level, qs, counter in steps:
        rows = list(qs.values_list("pk", "escalation"))
        if not rows:
            continue
        ids = [pk for pk, _level in rows]
        ServiceRequest.objects.filter(pk__in=ids).update(escalation=level, escalated_at=now, updated_at=now)
        note = str(Escalation(level).label)
        Event.objects.bulk_create(
            Event(request_id=pk, action=Event.Action.ESCALATED, at=now, note=note) for pk in ids
        )
        audit.record_many(
            [
                audit.batch_entry(
                    action="update",
                    model=ServiceRequest,
                    fields=["id", "escalation"],
                    rows=[[pk, int(level)] for pk in ids],
                    before_rows=[[pk, old] for pk, old in rows],
                    detail=_("超期督办"),
                )
            ],
            username="system",
        )
        setattr(result, counter, len(ids))
    stale = ServiceRequest.objects.select_for_update().filter(
        status=Status.RESOLVED, resolved_at__lt=now - dt.timedelta(days=settings.REQUEST_RATING_DAYS)
    )
    ids = list(stale.values_list("pk", flat=True))
    if ids:
        ServiceRequest.objects.filter(pk__in=ids).update(status=Status.CLOSED, closed_at=now, updated_at=now)
        note = _("%(n)d天内未评价,自动关闭") % {"n": settings.REQUEST_RATING_DAYS}
        Event.objects.bulk_create(
            Event(request_id=pk, action=Event.Action.CLOSED, at=now, note=note) for pk in ids
        )
        audit.record_many(
            [
                audit.batch_entry(
                    action="update",
                    model=ServiceRequest,
                    fields=["id", "status"],
                    rows=[[pk, Status.CLOSED.value] for pk in ids],
                    before_rows=[[pk, Status.RESOLVED.value] for pk in ids],
                    detail=note,
                )
            ],
            username="system",
        )
        result.closed = len(ids)
    return result


def opinion_answered(opinion) -> None:
    """A model post's opinion book entry was answered: the request it came from is answered with it."""
    req = ServiceRequest.objects.filter(opinion=opinion).first()
    if req is None or req.status not in OPEN_STATUSES:
        return
    before = audit.snapshot(req)
    now = _now()
    req.resolution, req.resolved_at = opinion.answer, now
    req.accepted_at = req.accepted_at or now
    if req.kind == Kind.PRAISE:
        req.status, req.closed_at = Status.CLOSED, now
    else:
        req.status = Status.RESOLVED
    req.save()
    _event(req, Event.Action.RESOLVED, opinion.answered_by, note=opinion.answer)
    audit.record_save(user=opinion.answered_by, obj=req, before=before, detail=_("示范岗意见簿答复"))
