"""The member list (党员名册) as the page shows it, with its filters, plus 身份证号 and 手机号.

Numbers are masked (138****5678) unless the user may edit the member: office and secretaries get the full
numbers of the members of their own organisations, exactly as the member's edit page would show them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.core.masking import mask_id_number, mask_phone
from vanguard.org import selectors
from vanguard.org.models import Member

from .base import ExportSheet, ListColumn, ListExport


class Numbers:
    """Who sees full numbers, decided per member's organisation, and how many rows showed them."""

    def __init__(self, user) -> None:
        self.user = user
        self.full_rows = 0
        self._full_by_org: dict[int, bool] = {}

    def full(self, member: Member) -> bool:
        org_id = member.organisation_id
        if org_id not in self._full_by_org:
            self._full_by_org[org_id] = scope.can_edit_under(self.user, member.organisation)
        return self._full_by_org[org_id]

    def id_number(self, member: Member) -> str:
        value = member.person.id_number
        if self.full(member):
            # Counted once per row, on the first of its two number columns.
            if value or member.person.mobile:
                self.full_rows += 1
            return value
        return mask_id_number(value)

    def mobile(self, member: Member) -> str:
        value = member.person.mobile
        return value if self.full(member) else mask_phone(value)


def _name(node) -> str:
    return node.name if node is not None else ""


# Only what the columns show: a row is five model instances, and every field loaded is converted on each.
_FIELDS = (
    "status",
    "category",
    "organisation__name",
    "organisation__path",  # whether the numbers are shown in full
    "person__name",
    "person__occupation",
    "person__id_number",
    "person__mobile",
    "person__workplace__name",
    "person__residence__name",
)


def member_list_export(*, user, filters: selectors.MemberFilters | None = None) -> tuple[ListExport, Numbers]:
    """The list of `selectors.member_list` (the page's own query: same filters, same scope, same order)."""
    numbers = Numbers(user)
    # The display words once, not a lazy translation per cell.
    statuses = {value: str(label) for value, label in Member.Status.choices}
    categories = {value: str(label) for value, label in Member.Category.choices}
    export = ListExport(
        title=_("党员名册"),
        columns=[
            ListColumn(_("姓名"), "person.name", width=12),
            ListColumn(_("所在党组织"), lambda m: m.organisation.name, width=24),
            ListColumn(_("党员状态"), lambda m: statuses.get(m.status, m.status)),
            ListColumn(_("党员类别"), lambda m: categories.get(m.category, m.category)),
            ListColumn(_("职业"), "person.occupation", width=14),
            ListColumn(_("工作单位"), lambda m: _name(m.person.workplace), width=20),
            ListColumn(_("居住社区"), lambda m: _name(m.person.residence), width=20),
            ListColumn(_("身份证号"), numbers.id_number, width=21, text=True),
            ListColumn(_("手机号"), numbers.mobile, width=14, text=True),
        ],
        queryset=selectors.member_list(user=user, filters=filters).only(*_FIELDS),
    )
    return export, numbers


def member_sheets(user) -> list[ExportSheet]:
    """The whole list, for the console (`vanguard export members`)."""
    export, _numbers = member_list_export(user=user)
    return [export.sheet()]
