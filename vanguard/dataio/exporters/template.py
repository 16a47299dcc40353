"""The blank roster workbook (导入模板): the three sheets with their headers and example rows that import
as they stand, and a 说明 sheet that explains every column from the contract itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from vanguard.dataio import roster as contract
from vanguard.org.validators import id_number_check_digit

from .base import ExportColumn, ExportSheet
from .roster import columns_of

GUIDE_SHEET = "说明"

_ID_FIRST17 = "11010519850615001"  # 北京市朝阳区, born 1985-06-15, 17th digit odd: a man
EXAMPLE_ID_NUMBER = _ID_FIRST17 + id_number_check_digit(_ID_FIRST17)
EXAMPLE_MOBILE = "13800138000"

# Example rows by column key. They reference one another (the person's branch and cells are the
# examples of the other sheets), so the template imports as it stands into an empty database.
EXAMPLES: dict[str, list[dict[str, object]]] = {
    contract.ORGANISATIONS.name: [
        {"name": "东风街道党工委", "kind": "党工委", "parent": ""},
        {"name": "南园社区党支部", "kind": "党支部", "parent": "东风街道党工委"},
    ],
    contract.GRID.name: [
        {"name": "东风街道", "kind": "街道", "parent": "", "community_type": ""},
        {"name": "南园社区", "kind": "社区", "parent": "东风街道", "community_type": "学习型"},
        {"name": "东风公交公司", "kind": "公司", "parent": "", "community_type": ""},
    ],
    contract.PEOPLE.name: [
        {
            "name": "张三",
            "gender": "男",
            "birth_date": dt.date(1985, 6, 15),
            "id_number": EXAMPLE_ID_NUMBER,
            "mobile": EXAMPLE_MOBILE,
            "person_type": "党员",
            "category": "在职",
            "organisation": "东风街道党工委/南园社区党支部",
            "join_date": dt.date(2010, 7, 1),
            "workplace": "东风公交公司",
            "occupation": "驾驶员",
            "strengths": "维修、文艺",
            "residence": "东风街道/南园社区",
            "notes": "示例行,导入前请删除或改为实际数据",
        }
    ],
}

_PATH_NOTE = "完整路径:从最上级起的各级名称,用“/”分隔,如“东风街道/南园社区”"
_DATE_NOTE = "日期,如 1985-06-15"

# What each column holds, by sheet and column key: the 说明 sheet's third column.
DESCRIPTIONS: dict[tuple[str, str], str] = {
    (contract.ORGANISATIONS.name, "name"): "党组织名称;同一上级下不能重名,不能含“/”",
    (contract.ORGANISATIONS.name, "kind"): "党组织类型;党小组只能设在党支部下,党员服务社设在社区党组织下",
    (contract.ORGANISATIONS.name, "parent"): f"上级党组织的{_PATH_NOTE};最上级留空",
    (contract.GRID.name, "name"): "网格名称;同一上级下不能重名,不能含“/”",
    (contract.GRID.name, "kind"): "网格类型:单位类(单位至岗位)、居住类(街道至户)或公共区域",
    (contract.GRID.name, "parent"): f"上级网格的{_PATH_NOTE};最上级留空",
    (contract.GRID.name, "community_type"): "只有社区可填",
    (contract.PEOPLE.name, "name"): "姓名",
    (contract.PEOPLE.name, "gender"): "须与身份证号第17位一致",
    (contract.PEOPLE.name, "birth_date"): f"{_DATE_NOTE};须与身份证号中的出生日期一致",
    (contract.PEOPLE.name, "id_number"): "18位居民身份证号,末位可为X;以文本填写,以免Excel改成科学计数",
    (contract.PEOPLE.name, "mobile"): "11位手机号,以文本填写",
    (contract.PEOPLE.name, "person_type"): (
        "群众以外都须填所在党组织(入党申请人、积极分子、发展对象填培养党组织)"
    ),
    (contract.PEOPLE.name, "category"): "党员、预备党员填写",
    (contract.PEOPLE.name, "organisation"): f"党支部、党小组或党员服务社的{_PATH_NOTE}",
    (contract.PEOPLE.name, "join_date"): f"{_DATE_NOTE};入党时须年满18岁",
    (contract.PEOPLE.name, "workplace"): f"工作所在网格(单位、公司、部门、班组、线路、岗位)的{_PATH_NOTE}",
    (contract.PEOPLE.name, "occupation"): "职业",
    (contract.PEOPLE.name, "strengths"): "多个特长用顿号“、”或逗号分隔",
    (contract.PEOPLE.name, "residence"): f"居住所在网格(街道、社区、小区、楼栋、户)的{_PATH_NOTE}",
    (contract.PEOPLE.name, "notes"): "备注",
}

# The words a coded column accepts, from the contract's mappings.
ALLOWED: dict[tuple[str, str], dict] = {
    (contract.ORGANISATIONS.name, "kind"): contract.ORGANISATION_KINDS,
    (contract.GRID.name, "kind"): contract.CELL_KINDS,
    (contract.GRID.name, "community_type"): contract.COMMUNITY_TYPES,
    (contract.PEOPLE.name, "gender"): contract.GENDERS,
    (contract.PEOPLE.name, "person_type"): contract.PERSON_TYPES,
    (contract.PEOPLE.name, "category"): contract.MEMBER_CATEGORIES,
}

GUIDE_COLUMNS = [
    ExportColumn("工作表", width=10),
    ExportColumn("列名", width=12),
    ExportColumn("必填", width=6),
    ExportColumn("说明", width=70),
    ExportColumn("可填写的值", width=60),
]

GENERAL_NOTES = [
    "每个工作表第1行是列名,列的顺序可以调整,不认识的列会被忽略;标*的列必填,其余可留空。",
    "第2行起是示例,导入前请删除或改为实际数据。",
    f"路径:{_PATH_NOTE}。一个工作表可以引用本工作簿前面工作表中新建的节点,或系统中已有的节点。",
    "同一人(身份证号相同,或姓名和手机号都相同)再次导入时更新原有记录,不会重复新增。",
    "导入要么全部成功,要么一条不写:任何一行有误,都会列出其工作表、行号、列名和原因。",
]


def _example_rows(sheet: contract.Sheet) -> Iterator[tuple]:
    for example in EXAMPLES[sheet.name]:
        yield tuple(example.get(c.key, "") for c in sheet.columns)


def _guide_rows() -> Iterator[tuple]:
    for sheet in contract.SHEETS:
        for column in sheet.columns:
            allowed = ALLOWED.get((sheet.name, column.key))
            yield (
                sheet.name,
                column.header,
                "*" if column.required else "",
                DESCRIPTIONS.get((sheet.name, column.key), ""),
                "、".join(allowed) if allowed else "",
            )
    for note in GENERAL_NOTES:
        yield ("全部", "", "", note, "")


def template_sheets() -> Iterator[ExportSheet]:
    for sheet in contract.SHEETS:
        yield ExportSheet(sheet.name, columns_of(sheet), _example_rows(sheet))
    yield ExportSheet(GUIDE_SHEET, GUIDE_COLUMNS, _guide_rows())
