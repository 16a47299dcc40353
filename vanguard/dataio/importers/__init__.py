"""Reading a roster workbook into a plan (see plan.py): phase one of an import, which writes nothing.

    plan = importers.plan_workbook(path, actor=user)      # may raise workbook.WorkbookError
    if plan.ok: services.roster_apply(actor=user, plan=plan)

The sheets are planned in the contract's order, so the people sheet can name nodes that the 党组织 and 网格
sheets of the same workbook create.
"""

from __future__ import annotations

import os

from vanguard.dataio import roster, workbook

from .context import Context
from .people import PeoplePlanner
from .plan import Plan
from .trees import CellPlanner, OrganisationPlanner

_PLANNERS = {
    roster.ORGANISATIONS.name: OrganisationPlanner,
    roster.GRID.name: CellPlanner,
    roster.PEOPLE.name: PeoplePlanner,
}


def plan_workbook(path: str | os.PathLike, *, actor, filename: str = "", sha256: str = "") -> Plan:
    """Check and read the workbook at `path` as `actor` would import it; nothing is written."""
    plan = Plan(filename=filename, sha256=sha256)
    context = Context(actor, plan)
    rows = 0
    with workbook.open_workbook(path) as book:
        for reader in book.sheets:
            plan.summary(reader.name)
            rows += _PLANNERS[reader.name](context, reader).run()
    if rows == 0:
        raise workbook.WorkbookError(workbook.empty_message())
    plan.errors.sort()
    return plan
