"""Exports: generators (one module per kind) that yield sheets, and the xlsx formatter that writes them.

`KINDS` is the registry `vanguard export KIND` reads; a later list adds its kind with `register()`.
"""

from __future__ import annotations

from .base import ExportKind, ExportSheet, ListColumn, ListExport
from .members import member_sheets
from .roster import roster_sheets
from .xlsx import CONTENT_TYPE, write_xlsx

__all__ = [
    "CONTENT_TYPE",
    "KINDS",
    "ExportKind",
    "ExportSheet",
    "ListColumn",
    "ListExport",
    "register",
    "write_xlsx",
]

KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    if kind.name in KINDS:
        raise ValueError(f"export kind {kind.name!r} is already registered")
    KINDS[kind.name] = kind
    return kind


register(
    ExportKind(
        name="roster",
        title="人员名册",
        object_type="org.person",
        sheets=roster_sheets,
        description="人员名册:党组织、网格、人员三个工作表,与导入格式相同",
    )
)
register(
    ExportKind(
        name="members",
        title="党员名册",
        object_type="org.member",
        sheets=member_sheets,
        description="党员名册:党员列表的各列及身份证号、手机号",
    )
)
