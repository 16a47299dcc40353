"""The signed-in home page is the dashboard (core.views.home renders it): what the user must do now, and
the charts of their scope, drillable down the trees with `?organisation=<id>` and `?cell=<id>`.

Which sections a user gets follows their role assignments, answered from the scope already loaded: the
organisation section for the office, secretaries and supervisors, the grid section for community workers,
the member's own section for a member (a secretary who is also a member gets both). An auditor, or a login
with no role, gets no business figures at all. Each section is a fixed number of queries, so the page is
too, whatever the size of the scope (pinned in tests/test_queries.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from vanguard.accounts import scope
from vanguard.notifications.due import DANGER, INFO, WARNING, DueItem, items_for
from vanguard.org.validators import today
from vanguard.reports import selectors as reports

from . import focus, panels, selectors, selectors_own

_ORDER = {DANGER: 0, WARNING: 1, INFO: 2}


@dataclass
class Dashboard:
    todo: list[DueItem]
    org: panels.OrgPanel | None
    grid: panels.GridPanel | None
    own: panels.OwnPanel | None

    @property
    def charts(self) -> bool:
        return any((self.org, self.grid, self.own))


def dashboard(request: HttpRequest) -> Dashboard | None:
    """The dashboard of the signed-in user; None for a user with no business role. A node asked for
    outside the user's scope raises Http404."""
    user = request.user
    if not scope.has_any_role(user):
        return None
    day = today()
    org_focus = focus.organisation_focus(user, request.GET)
    cell_focus = focus.cell_focus(user, request.GET)
    member = reports.own_member(user=user) if scope.scope_of(user).person_id is not None else None
    own = None
    if member is not None:
        figures = selectors_own.own_figures(user, member, selectors.months_of_year(day))
        own = panels.own_panel(figures)
    return Dashboard(
        # The most urgent first (items_for already sorts them so; the panel must not depend on it).
        todo=sorted(items_for(user), key=lambda item: _ORDER.get(item.severity, len(_ORDER))),
        org=panels.org_panel(user, org_focus, today=day) if org_focus is not None else None,
        grid=panels.grid_panel(user, cell_focus, today=day) if cell_focus is not None else None,
        own=own,
    )
