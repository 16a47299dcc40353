"""情况反馈: what the community reports back each quarter to the branch of every member registered with it
(dual management: 单位与社区双重管理). For a quarter and a set of members, each member's community record —
the registration community, the verified service records and their hours, the service still waiting for
verification, the posts they hold, the pairings active in the quarter and the visits logged in it — in one
query whatever the number of members (each figure is a correlated subquery).

Used by the API (`GET /api/v1/feedback/?organisation=&quarter=2026Q3`), by the printable feedback form, and,
through the assessment's `service_hours` metric (assessment/metrics.py), as a source of the member's score.
Only verified records count as service: a member's own report waits for the community (seed 003: 活动记实)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    DecimalField,
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.org.models import Member, Organisation

from .models import Pairing, PairingVisit, PostClaim, Registration, ServiceRecord

_QUARTER = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")
HOURS = DecimalField(max_digits=10, decimal_places=1)


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """`2026Q3` (case and spaces forgiven); anything else is a ValidationError naming the format."""
        match = _QUARTER.match(text or "")
        if not match or not 2000 <= int(match.group(1)) <= 2100:
            raise ValidationError(_("请按“年份Q季度”填写季度,如 2026Q3。"), code="invalid")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        first_of_next = (dt.date(self.year, 3 * self.number, 28) + dt.timedelta(days=4)).replace(day=1)
        return first_of_next - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return _("%(year)d年第%(quarter)s季度") % {"year": self.year, "quarter": "一二三四"[self.number - 1]}


class _Count(Subquery):
    """COUNT(*) of a correlated queryset as one scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def _count(qs: QuerySet) -> Coalesce:
    return Coalesce(_Count(qs.order_by().values("pk")), Value(0))


class _Sum(Func):
    """SUM() over the whole correlated queryset: an aggregate Django does not group by."""

    function = "SUM"
    output_field = HOURS


def sum_hours(records: QuerySet[ServiceRecord]) -> Coalesce:
    """SUM(hours) of a correlated queryset of service records (0 when none), as one scalar subquery. The
    assessment's `service_hours` metric uses it too."""
    total = records.order_by().annotate(total=_Sum("hours")).values("total")
    return Coalesce(Subquery(total, output_field=HOURS), Value(Decimal("0"), output_field=HOURS))


def member_records(members: QuerySet[Member], quarter: Quarter) -> QuerySet[Member]:
    """`members` with their community record of `quarter` as annotations:

    registration_id, community_id, community_name — the member's confirmed registration (none: empty);
    records_count, service_hours — service records verified, served in the quarter, and their hours;
    waiting_count — records of the quarter still waiting for verification (never counted as hours);
    posts_count — community posts held (claims confirmed by the end of the quarter and not released);
    pairings_count — pairings active at some time in the quarter;
    visits_count — visits of any of the member's pairings in the quarter.
    """
    start, end = quarter.start, quarter.end
    member = OuterRef("pk")
    confirmed = Registration.objects.filter(member_id=member, status=Registration.Status.CONFIRMED).order_by(
        "-confirmed_at", "-pk"
    )
    in_quarter = {"served_on__gte": start, "served_on__lte": end}
    verified = ServiceRecord.objects.filter(
        member_id=member, status=ServiceRecord.Status.VERIFIED, **in_quarter
    )
    waiting = ServiceRecord.objects.filter(
        member_id=member, status=ServiceRecord.Status.REPORTED, **in_quarter
    )
    posts = PostClaim.objects.filter(
        member_id=member, status=PostClaim.Status.CONFIRMED, confirmed_at__date__lte=end
    )
    pairings = Pairing.objects.filter(member_id=member, started_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    )
    visits = PairingVisit.objects.filter(
        pairing__member_id=member, visited_on__gte=start, visited_on__lte=end
    )
    return members.annotate(
        registration_id=Subquery(confirmed.values("pk")[:1]),
        community_id=Subquery(confirmed.values("community_id")[:1]),
        community_name=Coalesce(Subquery(confirmed.values("community__name")[:1]), Value("")),
        records_count=_count(verified),
        service_hours=sum_hours(verified),
        waiting_count=_count(waiting),
        posts_count=_count(posts),
        pairings_count=_count(pairings),
        visits_count=_count(visits),
    )


def registered_members(*, user, organisation: Organisation | None = None) -> QuerySet[Member]:
    """The members the user sees (under `organisation` when given) who are registered with a community:
    the ones a feedback form is due for."""
    members = scope.visible_to(user, Member.objects.all())
    if organisation is not None:
        members = members.filter(organisation.subtree_q("organisation__"))
    registered = Registration.objects.filter(member_id=OuterRef("pk"), status=Registration.Status.CONFIRMED)
    return members.filter(Exists(registered))


def branch_feedback(*, user, organisation: Organisation, quarter: Quarter) -> QuerySet[Member]:
    """The quarter's feedback for the registered members of `organisation` (and below) in the user's sight,
    ordered by organisation and name: one query."""
    return (
        member_records(registered_members(user=user, organisation=organisation), quarter)
        .select_related("person", "organisation")
        .order_by("organisation__path", "person__name_pinyin", "pk")
    )


def member_feedback(member: Member, quarter: Quarter) -> Member:
    """One member's record of the quarter (the printable feedback form), with the same annotations."""
    return member_records(Member.objects.filter(pk=member.pk), quarter).select_related("person").get()
