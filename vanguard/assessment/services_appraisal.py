"""Writes of the democratic appraisal (民主评议党员) of a branch for a year:

    open ──(self-appraisals, votes, paper tallies, conclusions)──▶ closed

- the branch's secretary (or the office above) opens it — an entry for each member of the branch and its
  groups — enters paper tallies, records the organisation's conclusion on each member and closes it once
  every member is concluded;
- each member of the appraisal writes their own self-appraisal and votes once on each of the others
  (changeable while open). Votes are secret: the audit trail records that one was cast, not its grade.

The office's rule (Settings.bar_unregistered, the nearest ancestor's): an in-service member without a
registration confirmed by their community (vanguard.community) cannot be concluded 优秀 or 合格."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, F, IntegerField, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.accounts import scope as access
from vanguard.audit import services as audit
from vanguard.community import selectors as community
from vanguard.org.models import Member, Organisation

from .models import Appraisal, AppraisalEntry, AppraisalVote, Grade
from .services_year import (
    OUT_OF_SCOPE,
    _branch,
    _branch_editor,
    _table,
    _text,
    _user,
    _validate_year,
    bar_unregistered_applies,
)

PAPER_FIELDS = ("paper_excellent", "paper_qualified", "paper_basic", "paper_unqualified")

_APPRAISER = gettext_lazy("只有本支部的书记或党委办公室可以组织民主评议。")


@transaction.atomic
def appraisal_open(*, actor, organisation: Organisation, year: Any) -> Appraisal:
    """Open the branch's appraisal for a year, with an entry for each member of the branch and its groups
    (one INSERT … SELECT). Members who join later are not in it."""
    branch = _branch(organisation)
    if not access.can_edit_under(actor, branch):
        raise ValidationError({"organisation": str(OUT_OF_SCOPE)})
    year = _validate_year(year)
    exists = _("%(name)s%(year)d年度的民主评议已经开始。") % {"name": branch.name, "year": year}
    if Appraisal.objects.filter(organisation=branch, year=year).exists():
        raise ValidationError({"year": exists})
    members = Member.objects.filter(branch.subtree_q("organisation__"))
    if not members.exists():
        raise ValidationError({"organisation": _("%(name)s还没有党员。") % {"name": branch.name}})
    appraisal = Appraisal(organisation=branch, year=year)
    appraisal.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            appraisal.save()
    except IntegrityError:
        raise ValidationError({"year": exists}) from None
    # Every column an annotation, in the INSERT's order (Django 5.2 keeps values_list()'s order in SQL).
    zero, blank = Value(0, output_field=IntegerField()), Value("", output_field=CharField())
    rows = members.annotate(
        a=Value(appraisal.pk, output_field=IntegerField()),
        m=F("pk"),
        s=blank,
        p1=zero,
        p2=zero,
        p3=zero,
        p4=zero,
        c=blank,
        n=blank,
    ).values_list("a", "m", "s", "p1", "p2", "p3", "p4", "c", "n")
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(AppraisalEntry)} (appraisal_id, member_id, self_appraisal, "
            "paper_excellent, paper_qualified, paper_basic, paper_unqualified, conclusion, conclusion_note) "
            + sql,
            params,
        )
        count = cursor.rowcount
    audit.record_save(user=actor, obj=appraisal, before=None, detail=_("评议对象%(n)d人") % {"n": count})
    return appraisal


def _open_entry(entry: AppraisalEntry) -> AppraisalEntry:
    """The entry, read again with its appraisal locked: no write slips past a close."""
    Appraisal.objects.select_for_update().filter(pk=entry.appraisal_id).first()
    stored = AppraisalEntry.objects.select_related(
        "appraisal__organisation", "member__person", "member__organisation"
    ).get(pk=entry.pk)
    if stored.appraisal.status != Appraisal.Status.OPEN:
        raise ValidationError(_("本次民主评议已经结束,不能再修改。"), code="transition")
    return stored


def own_member(actor) -> Member | None:
    person_id = access.scope_of(actor).person_id
    if person_id is None:
        return None
    return Member.objects.filter(person_id=person_id).first()


@transaction.atomic
def appraisal_self(*, actor, entry: AppraisalEntry, text: str) -> AppraisalEntry:
    """A member writes their own self-appraisal (个人自评)."""
    stored = _open_entry(entry)
    s = access.scope_of(actor)
    if not (s.superuser or (s.person_id is not None and s.person_id == stored.member.person_id)):
        raise PermissionDenied(_("个人自评只能由党员本人填写。"))
    before = audit.snapshot(stored)
    stored.self_appraisal = _text(text, "self_appraisal", required=_("请填写个人自评。"))
    stored.save(update_fields=["self_appraisal"])
    audit.record_save(user=actor, obj=stored, before=before)
    return stored


@transaction.atomic
def appraisal_vote(*, actor, entry: AppraisalEntry, grade: str) -> AppraisalVote:
    """One member's vote on another, changeable while the appraisal is open. The vote is secret: the audit
    trail records that it was cast, not the grade."""
    stored = _open_entry(entry)
    voter = own_member(actor)
    if (
        voter is None
        or not AppraisalEntry.objects.filter(appraisal_id=stored.appraisal_id, member=voter).exists()
    ):
        raise PermissionDenied(_("只有参加本次评议的党员可以投票。"))
    if voter.pk == stored.member_id:
        raise ValidationError({"grade": _("不能给自己投票,请填写个人自评。")})
    if grade not in Grade.values:
        raise ValidationError({"grade": _("请选择优秀、合格、基本合格或不合格。")})
    vote = AppraisalVote.objects.filter(entry=stored, voter=voter).first()
    created = vote is None
    if created:
        try:
            with transaction.atomic():
                vote = AppraisalVote.objects.create(entry=stored, voter=voter, grade=grade)
        except IntegrityError:
            # The same voter at the same instant from two devices: the later one stands.
            vote = AppraisalVote.objects.get(entry=stored, voter=voter)
            created = False
    if not created:
        vote.grade = grade
        vote.save(update_fields=["grade", "cast_at"])
    audit.record(
        action="create" if created else "update",
        user=actor,
        obj=vote,
        detail=_("民主评议投票(票面保密)"),
    )
    return vote


def _count(value: Any, field: str) -> int:
    try:
        count = int(value if value not in (None, "") else 0)
    except (TypeError, ValueError):
        raise ValidationError({field: _("请填写整数票数。")}) from None
    if not 0 <= count <= 100000:
        raise ValidationError({field: _("票数应在0到100000之间。")})
    return count


@transaction.atomic
def appraisal_paper(*, actor, entry: AppraisalEntry, counts: Mapping[str, Any]) -> AppraisalEntry:
    """The secretary enters the tally of the paper ballots for one member (票数 per grade)."""
    stored = _open_entry(entry)
    _branch_editor(actor, stored.appraisal.organisation, str(_APPRAISER))
    before = audit.snapshot(stored)
    values = {}
    errors: dict[str, list[str]] = {}
    for name in PAPER_FIELDS:
        try:
            values[name] = _count(counts.get(name), name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    for name, value in values.items():
        setattr(stored, name, value)
    stored.save(update_fields=list(PAPER_FIELDS))
    audit.record_save(user=actor, obj=stored, before=before, detail=_("录入纸质票"))
    return stored


def is_registered_rule_breach(entry: AppraisalEntry, conclusion: str) -> bool:
    """Whether concluding `entry` with `conclusion` breaks the office's rule: 优秀 or 合格 for an in-service
    member without a registration confirmed by their community, where the rule is on."""
    return (
        conclusion in (Grade.EXCELLENT, Grade.QUALIFIED)
        and entry.member.category == Member.Category.IN_SERVICE
        and bar_unregistered_applies(entry.appraisal.organisation)
        and not community.is_registered(entry.member)
    )


@transaction.atomic
def appraisal_conclude(*, actor, entry: AppraisalEntry, conclusion: str, note: str = "") -> AppraisalEntry:
    """The organisation's conclusion (组织评定) on one member, with a note."""
    stored = _open_entry(entry)
    _branch_editor(actor, stored.appraisal.organisation, str(_APPRAISER))
    if stored.member.person.user_id is not None and stored.member.person.user_id == getattr(
        actor, "pk", None
    ):
        raise PermissionDenied(_("不能评定本人,请由上级组织或其他支委评定。"))
    if conclusion not in Grade.values:
        raise ValidationError({"conclusion": _("请选择优秀、合格、基本合格或不合格。")})
    if is_registered_rule_breach(stored, conclusion):
        raise ValidationError(
            {
                "conclusion": _(
                    "%(name)s是在职党员,尚未到居住社区报到(或报到未经社区确认);按党委“未到社区报到者不得评为"
                    "合格”的规定,不能评为“%(grade)s”。请先督促其报到,或评为基本合格、不合格。"
                )
                % {"name": stored.member.person.name, "grade": Grade(conclusion).label}
            }
        )
    before = audit.snapshot(stored)
    stored.conclusion = conclusion
    stored.conclusion_note = _text(note, "conclusion_note")
    stored.concluded_by = _user(actor)
    stored.concluded_at = timezone.now()
    stored.save(update_fields=["conclusion", "conclusion_note", "concluded_by", "concluded_at"])
    audit.record_save(user=actor, obj=stored, before=before)
    return stored


@transaction.atomic
def appraisal_close(*, actor, appraisal: Appraisal) -> Appraisal:
    """Open → closed, once every member has the organisation's conclusion."""
    stored = (
        Appraisal.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=appraisal.pk)
    )
    _branch_editor(actor, stored.organisation, str(_APPRAISER))
    if stored.status != Appraisal.Status.OPEN:
        raise ValidationError(_("本次民主评议已经结束。"), code="transition")
    missing = stored.entries.filter(conclusion="").count()
    if missing:
        raise ValidationError(
            _("还有%(n)d名党员没有组织评定,全部评定后才能结束评议。") % {"n": missing}, code="transition"
        )
    before = audit.snapshot(stored)
    stored.status = Appraisal.Status.CLOSED
    stored.save(update_fields=["status", "updated_at"])
    audit.record_save(user=actor, obj=stored, before=before)
    return stored
