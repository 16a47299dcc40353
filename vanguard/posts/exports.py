"""The model-post list as one sheet for vanguard.dataio's xlsx formatter: each post with its branch, status,
stars (as a number and as ★), naming, dates, members and the month of its latest evaluation."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.dataio.exporters.base import ListColumn, ListExport

from .models import MAX_STARS, Evaluation, ModelPost, PostMember


def star_text(stars: int) -> str:
    return "★" * stars + "☆" * (MAX_STARS - stars)


def _members(post: ModelPost) -> str:
    return "、".join(m.member.person.name for m in post.export_members)


def _local_date(value):
    return None if value is None else timezone.localdate(value)


def _last_month(post: ModelPost) -> str:
    month = post.last_evaluated
    return "" if month is None else f"{month:%Y-%m}"


def posts_export(queryset: QuerySet[ModelPost]) -> ListExport:
    """The posts of `queryset` (the list's filters and the user's scope); members are prefetched per chunk,
    so the export's queries grow with its chunks, not its rows."""
    members = PostMember.objects.select_related("member__person").order_by("order", "pk")
    latest = Evaluation.objects.filter(post=OuterRef("pk")).order_by("-month").values("month")[:1]
    queryset = queryset.annotate(last_evaluated=Subquery(latest)).prefetch_related(
        Prefetch("post_members", members, to_attr="export_members")
    )
    columns = [
        ListColumn(_("示范岗名称"), "name", width=28),
        ListColumn(_("类型"), lambda p: p.get_kind_display(), width=8),
        ListColumn(_("所属党支部"), "organisation.name", width=24),
        ListColumn(_("所在位置"), "location", width=20),
        ListColumn(_("状态"), lambda p: p.get_status_display(), width=10),
        ListColumn(_("星级"), "stars", width=6),
        ListColumn(_("星级图示"), lambda p: star_text(p.stars), width=12),
        ListColumn(_("授牌命名日期"), "named_at", width=14),
        ListColumn(_("审批日期"), lambda p: _local_date(p.decided_at), width=12),
        ListColumn(_("摘牌日期"), "removed_at", width=12),
        ListColumn(_("摘牌原因"), "removal_reason", width=36),
        ListColumn(_("最近评定月份"), _last_month, width=12),
        ListColumn(_("党员"), _members, width=30),
        ListColumn(_("投诉电话"), "complaint_phone", width=16, text=True),
    ]
    return ListExport(title=_("星级党员示范岗"), columns=columns, queryset=queryset)
