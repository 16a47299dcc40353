"""The roster workbook (人员名册) as DESIGN.md fixes it: sheet names, columns and the words used in cells.

Everything here is the file format, so it is Chinese whatever the interface language: labels are spelled
out, never taken from the models' translatable choices. The importer and the exporter both read this
module, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from vanguard.org.models import Activist, Cell, Member, Organisation, Person

PATH_SEPARATOR = "/"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


ORGANISATIONS = Sheet(
    "党组织",
    (
        Column("名称", "name", required=True),
        Column("类型", "kind", required=True),
        Column("上级", "parent"),
    ),
)
GRID = Sheet(
    "网格",
    (
        Column("名称", "name", required=True),
        Column("类型", "kind", required=True),
        Column("上级", "parent"),
        Column("社区类型", "community_type"),
    ),
)
PEOPLE = Sheet(
    "人员",
    (
        Column("姓名", "name", required=True),
        Column("性别", "gender"),
        Column("出生日期", "birth_date"),
        Column("身份证号", "id_number"),
        Column("手机号", "mobile"),
        Column("人员类型", "person_type", required=True),
        Column("党员类别", "category"),
        Column("所在党组织", "organisation"),
        Column("入党日期", "join_date"),
        Column("工作单位", "workplace"),
        Column("职业", "occupation"),
        Column("特长", "strengths"),
        Column("居住社区", "residence"),
        Column("备注", "notes"),
    ),
)
SHEETS = (ORGANISATIONS, GRID, PEOPLE)

ORGANISATION_KINDS = {
    "党委": Organisation.Kind.COMMITTEE,
    "党工委": Organisation.Kind.WORKING_COMMITTEE,
    "党总支": Organisation.Kind.GENERAL_BRANCH,
    "党支部": Organisation.Kind.BRANCH,
    "党小组": Organisation.Kind.GROUP,
    "党员服务社": Organisation.Kind.SERVICE_SOCIETY,
}
CELL_KINDS = {
    "单位": Cell.Kind.UNIT,
    "公司": Cell.Kind.COMPANY,
    "分公司": Cell.Kind.SUBSIDIARY,
    "部门": Cell.Kind.DEPARTMENT,
    "班组": Cell.Kind.TEAM,
    "线路": Cell.Kind.LINE,
    "岗位": Cell.Kind.POST,
    "街道": Cell.Kind.STREET,
    "社区": Cell.Kind.COMMUNITY,
    "小区": Cell.Kind.ESTATE,
    "楼栋": Cell.Kind.BUILDING,
    "户": Cell.Kind.HOUSEHOLD,
    "公共区域": Cell.Kind.PUBLIC_AREA,
}
COMMUNITY_TYPES = {
    "文体型": Cell.CommunityType.CULTURE,
    "再就业型": Cell.CommunityType.REEMPLOYMENT,
    "学习型": Cell.CommunityType.LEARNING,
    "共建型": Cell.CommunityType.JOINT,
    "平安型": Cell.CommunityType.SAFETY,
    "环保型": Cell.CommunityType.ENVIRONMENT,
    "科普型": Cell.CommunityType.SCIENCE,
}
GENDERS = {"男": Person.Gender.MALE, "女": Person.Gender.FEMALE}
MEMBER_CATEGORIES = {
    "在职": Member.Category.IN_SERVICE,
    "离退休": Member.Category.RETIRED,
    "流动": Member.Category.FLOATING,
    "协解": Member.Category.RELEASED,
    "家属": Member.Category.DEPENDANT,
    "复转军人": Member.Category.VETERAN,
    "其他": Member.Category.OTHER,
}


@dataclass(frozen=True)
class PersonType:
    """What a 人员类型 means: a membership status, an activist stage, or neither (群众)."""

    member_status: str | None = None
    activist_stage: str | None = None


# DESIGN.md lists the first five; 入党申请人 extends them so that every activist stage round-trips.
PERSON_TYPES = {
    "党员": PersonType(member_status=Member.Status.FULL),
    "预备党员": PersonType(member_status=Member.Status.PROBATIONARY),
    "发展对象": PersonType(activist_stage=Activist.Stage.CANDIDATE),
    "入党积极分子": PersonType(activist_stage=Activist.Stage.ACTIVIST),
    "入党申请人": PersonType(activist_stage=Activist.Stage.APPLICANT),
    "群众": PersonType(),
}
# Strengths are written joined by 、 and read split on 、 , , ; ; (see org.services.strengths_from_text).
STRENGTH_SEPARATOR = "、"


def label_of(mapping: dict[str, str], value: str) -> str:
    """The workbook's word for a stored value: the inverse of one of the mappings above."""
    for label, stored in mapping.items():
        if stored == value:
            return label
    return ""


def person_type_of(person: Person) -> str:
    """The 人员类型 of a person, from their membership or activist record (admitted activists are members)."""
    member = getattr(person, "member", None)
    if member is not None:
        return label_of(
            {k: v.member_status for k, v in PERSON_TYPES.items() if v.member_status}, member.status
        )
    activist = getattr(person, "activist", None)
    if activist is not None and activist.stage != Activist.Stage.ADMITTED:
        return label_of(
            {k: v.activist_stage for k, v in PERSON_TYPES.items() if v.activist_stage}, activist.stage
        )
    return "群众"
