"""Building roster workbooks for the import tests, and proving that an import changed nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import xlsxwriter

from vanguard.audit.models import AuditRecord
from vanguard.org.models import Activist, Cell, Member, Organisation, Person
from vanguard.org.validators import id_number_check_digit

PEOPLE_HEADER = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "手机号",
    "人员类型",
    "党员类别",
    "所在党组织",
    "入党日期",
]
ORG_HEADER = ["名称", "类型", "上级"]
GRID_HEADER = ["名称", "类型", "上级", "社区类型"]


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """An .xlsx at `path` with one worksheet per entry: {sheet name: [header row, *rows]}. Strings are
    written as text (never as formulas or numbers), dates as dates, numbers as numbers."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
    workbook.close()
    return path


def id_number(birth: str = "19800101", serial: int = 1, region: str = "110105") -> str:
    """A valid 身份证号; an odd `serial` is a man's."""
    first17 = f"{region}{birth}{serial:03d}"
    return first17 + id_number_check_digit(first17)


def counts() -> dict[str, int]:
    """Row counts of everything an import may write: equal before and after means nothing was written."""
    return {
        "organisations": Organisation.objects.count(),
        "cells": Cell.objects.count(),
        "people": Person.objects.count(),
        "members": Member.objects.count(),
        "activists": Activist.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


def write_large_roster(path: Path, people: int, *, branches: int = 20) -> Path:
    """A roster of `people` members over `branches` new branches under one new committee, written fast
    (xlsxwriter's constant_memory mode, text cells only)."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    orgs = workbook.add_worksheet("党组织")
    orgs.write_row(0, 0, ORG_HEADER)
    orgs.write_row(1, 0, ["压力测试党委", "党委", ""])
    for b in range(branches):
        orgs.write_row(b + 2, 0, [f"压力测试第{b + 1}支部", "党支部", "压力测试党委"])
    sheet = workbook.add_worksheet("人员")
    sheet.write_row(0, 0, ["姓名", "身份证号", "手机号", "人员类型", "所在党组织", "入党日期"])
    for i in range(people):
        first17 = f"{110000 + i // 1000:06d}19800101{i % 1000:03d}"
        row = i + 1
        sheet.write_string(row, 0, f"测试{i}")
        sheet.write_string(row, 1, first17 + id_number_check_digit(first17))
        sheet.write_string(row, 2, f"13{i:09d}")
        sheet.write_string(row, 3, "党员")
        sheet.write_string(row, 4, f"压力测试党委/压力测试第{i % branches + 1}支部")
        sheet.write_string(row, 5, "2005-07-01")
    workbook.close()
    return path
