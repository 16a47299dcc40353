"""What an import will do, worked out before anything is written: per sheet the rows to create, update and
leave alone, and the errors. `services.roster_apply` carries a plan out; nothing else writes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
ACTIONS = (CREATE, UPDATE, UNCHANGED)
# The preview shows this many rows of each action per sheet; the counts cover them all.
SAMPLE_SIZE = 50


def action_label(action: str) -> str:
    return {CREATE: _("新建"), UPDATE: _("更新"), UNCHANGED: _("未变")}[action]


@dataclass(frozen=True, order=True)
class RowError:
    """One reason a row cannot be imported. `row` is Excel's row number (the header is row 1); `column`
    is the column's header, or "" for a reason about the row as a whole."""

    sheet_order: int
    row: int
    # The column's place in the contract, so that a row's errors read left to right.
    column_order: int
    sheet: str
    column: str
    message: str

    def __str__(self) -> str:
        where = _("工作表 %(sheet)s 第%(row)d行") % {"sheet": self.sheet, "row": self.row}
        return f"{where} {self.column}:{self.message}" if self.column else f"{where}:{self.message}"


@dataclass
class Sample:
    row: int
    text: str
    detail: str = ""


@dataclass
class SheetSummary:
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {a: [] for a in ACTIONS})

    def add(self, action: str, row: int, text: str, detail: str = "") -> None:
        self.counts[action] += 1
        if len(self.samples[action]) < SAMPLE_SIZE:
            self.samples[action].append(Sample(row, text, detail))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class NodeOp:
    """A tree node to create. `parent` is an existing node's pk, the key of a node created earlier in the
    plan, or None for a root; `key` is the node's roster path (东风街道/南园社区)."""

    model: type
    key: str
    name: str
    kind: str
    community_type: str
    parent: int | str | None
    row: int


# The Person fields an import sets, in the order of PersonOp.person. Foreign keys hold an existing node's
# pk or the key of a node the plan creates (a str), resolved when the plan is applied.
PERSON_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "mobile",
    "workplace_id",
    "residence_id",
    "occupation",
    "notes",
)
MEMBER_FIELDS = ("organisation_id", "status", "category", "join_date")
ACTIVIST_FIELDS = ("organisation_id", "stage")


class PersonOp(NamedTuple):
    """A person row to write: the values the person, their membership and activist record will have.

    A tuple rather than model instances: a 100 000-row plan stays a few tens of MB."""

    row: int
    person_pk: int | None
    person: tuple
    member: tuple | None
    activist: tuple | None
    # Names of strengths to set, or None to leave the person's strengths as they are.
    strengths: tuple[str, ...] | None


@dataclass
class Plan:
    filename: str = ""
    sha256: str = ""
    summaries: dict[str, SheetSummary] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    nodes: list[NodeOp] = field(default_factory=list)
    people: list[PersonOp] = field(default_factory=list)
    strength_names: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, name: str) -> SheetSummary:
        if name not in self.summaries:
            self.summaries[name] = SheetSummary(name)
        return self.summaries[name]

    def totals(self) -> dict[str, int]:
        return {a: sum(s.counts[a] for s in self.summaries.values()) for a in ACTIONS}

    def changes(self) -> int:
        totals = self.totals()
        return totals[CREATE] + totals[UPDATE]

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors)

    def errors_by_row(self) -> dict[tuple[str, int], list[RowError]]:
        rows: dict[tuple[str, int], list[RowError]] = {}
        for error in self.errors:
            rows.setdefault((error.sheet, error.row), []).append(error)
        return rows

    def summary_text(self) -> str:
        totals = self.totals()
        return _("新建%(create)d 更新%(update)d 未变%(unchanged)d") % totals

    def lines(self) -> Iterator[str]:
        """The plan per sheet, as the console prints it."""
        for summary in self.summaries.values():
            counts = "  ".join(f"{action_label(a)} {summary.counts[a]}" for a in ACTIONS)
            yield f"{summary.name}:{counts}"
