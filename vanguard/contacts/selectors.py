"""Reads of the contacts app: always through the scoping module, counted and dated in SQL.

Each list is one query (plus the paginator's count) whatever its length: the contact counts, the last
talk and "talked with this month" are annotations (Count, Max, Exists), never a query per row.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from vanguard.accounts import scope
from vanguard.org.models import Activist, Member, Organisation, Person
from vanguard.org.validators import today

from .models import ContactAssignment, Talk
from .policies import member_q

# Seed 001: 每个党员每年至少分工联系二至三人 — below LOW is listed, above HIGH is warned about.
LOW = 2
HIGH = 3


# --- months ----------------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    start = month_start(day)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def current_month() -> dt.date:
    return month_start(today())


# --- who sees and manages whose contacts -------------------------------------------------------------------


def managed_members(user) -> QuerySet[Member]:
    """The members whose contacts `user` sees: those of the user's organisations, and the user themself."""
    s = scope.scope_of(user)
    members = Member.objects.all()
    return members if s.superuser else members.filter(member_q(s))


def oversees_contacts(user) -> bool:
    """Office, secretaries and supervisors read the branch's lists; members have their own page."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.any_org_paths)


def may_manage(user, member: Member) -> bool:
    """Assigning and removing contacts is the branch's job (seed 001: 党支部要给党员确定重点联系人): office
    and secretaries over the member's organisation. The member may write the talks, not the assignments."""
    return scope.can_edit_under(user, member.organisation)


def may_log_talk(user, assignment: ContactAssignment) -> bool:
    """The member themself (the policy's owner) or an editor of the member's organisation."""
    return scope.can(user, scope.CREATE, Talk(assignment=assignment))


def own_member(user) -> Member | None:
    """The user's own membership, if their login is linked to a member (their own record: no scope needed)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return None
    return Member.objects.select_related("person", "organisation").filter(person__user=user).first()


# --- the two lists ---------------------------------------------------------------------------------------


def members_below_two(*, user, year: int, organisation: Organisation | None = None) -> QuerySet[Member]:
    """Members with fewer than two contacts (of any kind) in `year`, in the user's organisations."""
    members = managed_members(user)
    if organisation is not None:
        members = members.filter(organisation.subtree_q("organisation__"))
    return (
        members.annotate(contact_count=Count("contacts", filter=Q(contacts__year=year)))
        .filter(contact_count__lt=LOW)
        .select_related("person", "organisation")
        .order_by("organisation__path", "person__name_pinyin", "pk")
    )


def contacts_not_visited(
    *, user, month: dt.date, organisation: Organisation | None = None
) -> QuerySet[ContactAssignment]:
    """The contacts of `month`'s year, already assigned by the end of the month, with no talk or visit
    logged in that month; each with the date of its last talk (any time)."""
    start, end = month_start(month), next_month(month)
    in_month = Talk.objects.filter(assignment=OuterRef("pk"), held_on__gte=start, held_on__lt=end)
    assignments = scope.visible_to(
        user, ContactAssignment.objects.filter(year=start.year, assigned_on__lt=end)
    )
    if organisation is not None:
        assignments = assignments.filter(organisation.subtree_q("member__organisation__"))
    return (
        assignments.filter(~Exists(in_month))
        .annotate(last_talk=Max("talks__held_on"))
        .select_related("member__person", "member__organisation", "person", "person__residence")
        .order_by(
            "member__organisation__path", "member__person__name_pinyin", "member_id", "assigned_on", "pk"
        )
    )


# --- one member's contacts and one contact's talks ------------------------------------------------------


def with_talk_summary(assignments: QuerySet[ContactAssignment]) -> QuerySet[ContactAssignment]:
    """Each assignment with its last talk (Max), its number of talks and whether one is logged this month."""
    start = current_month()
    this_month = Talk.objects.filter(
        assignment=OuterRef("pk"), held_on__gte=start, held_on__lt=next_month(start)
    )
    return assignments.annotate(
        last_talk=Max("talks__held_on"), talk_count=Count("talks"), visited_this_month=Exists(this_month)
    )


def member_contacts(*, user, member: Member, year: int) -> QuerySet[ContactAssignment]:
    assignments = scope.visible_to(user, ContactAssignment.objects.filter(member=member, year=year))
    return (
        with_talk_summary(assignments)
        .select_related("person", "person__residence", "person__activist")
        .order_by("assigned_on", "pk")
    )


def contact_count(*, member: Member, year: int) -> int:
    """How many contacts the member has in `year`: what the warning above three is measured on."""
    return ContactAssignment.objects.filter(member=member, year=year).count()


def assignments(
    *,
    user,
    member: Member | None = None,
    organisation: Organisation | None = None,
    year: int | None = None,
    kind: str = "",
) -> QuerySet[ContactAssignment]:
    """The assignments the user sees, filtered (the API's list)."""
    qs = scope.visible_to(user, ContactAssignment.objects.all())
    if member is not None:
        qs = qs.filter(member=member)
    if organisation is not None:
        qs = qs.filter(organisation.subtree_q("member__organisation__"))
    if year is not None:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return (
        with_talk_summary(qs)
        .select_related("member__person", "member__organisation", "person")
        .order_by("-year", "member__organisation__path", "member__person__name_pinyin", "member_id", "pk")
    )


def assignment_detail(*, user, pk: int) -> ContactAssignment:
    return scope.get_visible_or_404(
        user,
        ContactAssignment.objects.select_related(
            "member__person", "member__organisation", "person", "person__residence", "person__activist"
        ),
        pk=pk,
    )


def talk_list(
    *, user, assignment: ContactAssignment | None = None, member: Member | None = None
) -> QuerySet[Talk]:
    talks = scope.visible_to(user, Talk.objects.all())
    if assignment is not None:
        talks = talks.filter(assignment=assignment)
    if member is not None:
        talks = talks.filter(assignment__member=member)
    return talks.select_related("assignment__member__person", "assignment__person").order_by(
        "-held_on", "-pk"
    )


# --- who may be picked as a contact ---------------------------------------------------------------------


def contact_candidates(*, user) -> QuerySet[Person]:
    """People the user may name as a member's contact: anyone they see (an activist of their branch, a
    resident of their community) or who is already a contact of a member they see. (Whether that person
    may be a contact — not a party member — is the service's rule, with its own message.)"""
    people = Person.objects.all()
    if scope.scope_of(user).superuser:
        return people
    seen = scope.visible_to(user, Person.objects.all()).values("pk")
    kept = scope.visible_to(user, ContactAssignment.objects.filter(person=OuterRef("pk")))
    return people.filter(Q(pk__in=seen) | Exists(kept))


def branch_of(organisation: Organisation) -> Organisation:
    """A group's branch; a branch itself."""
    if organisation.kind == Organisation.Kind.GROUP:
        return Organisation.objects.get(path=organisation.path[: -Organisation.steplen])
    return organisation


def contact_choices(*, user, member: Member) -> QuerySet[Person]:
    """The page's list of people to pick from: the candidates around the member's branch — its activists
    on the way in and the people its members already keep as contacts (last year's, a colleague's). Anyone
    else is entered by name, mobile and residence, and found again by name and mobile."""
    branch = branch_of(member.organisation)
    activists = branch.subtree_q("activist__organisation__") & ~Q(activist__stage=Activist.Stage.ADMITTED)
    kept = ContactAssignment.objects.filter(branch.subtree_q("member__organisation__"), person=OuterRef("pk"))
    return (
        contact_candidates(user=user)
        .filter(activists | Exists(kept), member__isnull=True)
        .exclude(pk=member.person_id)
        .select_related("residence", "activist")
        .order_by("name_pinyin", "pk")
    )
