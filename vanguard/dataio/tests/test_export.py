"""The roster workbook out of the database (generator and xlsx formatter), the console command and the
blank template: sheets and headers exactly as vanguard/dataio/roster.py fixes them, paths, labels, dates
as dates, numbers as text, the same bytes of data on every run."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from vanguard.accounts.scope import SYSTEM
from vanguard.audit.models import Action, AuditRecord
from vanguard.dataio import exporters
from vanguard.dataio import roster as contract
from vanguard.dataio.exporters.base import ExportColumn, ExportSheet
from vanguard.dataio.exporters.roster import roster_sheets
from vanguard.dataio.exporters.template import EXAMPLES, GUIDE_SHEET, template_sheets
from vanguard.org.models import Activist, Cell, Member, Organisation, Person, Strength
from vanguard.org.tests import factories
from vanguard.org.validators import validate_id_number, validate_mobile

pytestmark = pytest.mark.django_db


def workbook(source: Path | bytes) -> CalamineWorkbook:
    if isinstance(source, bytes):
        return CalamineWorkbook.from_filelike(io.BytesIO(source))
    return CalamineWorkbook.from_path(str(source))


def rows(source: Path | bytes, sheet: str) -> list[list]:
    return workbook(source).get_sheet_by_name(sheet).to_python()


def export(user, tmp_path: Path, name: str = "roster.xlsx") -> Path:
    path = tmp_path / name
    exporters.write_xlsx(roster_sheets(user), str(path))
    return path


def add_roster_extras(world):
    """The world with what a roster carries beyond it: numbers, strengths, an activist and a resident."""
    person = world.member_a.person
    person.id_number = factories.valid_id_number("19800101", "001")
    person.gender = Person.Gender.MALE
    person.notes = "老党员"
    person.save()
    person.strengths.set([Strength.objects.create(name="维修"), Strength.objects.create(name="文艺")])
    activist_person = factories.person("赵小燕", gender=Person.Gender.FEMALE, mobile="13700001111")
    Activist.objects.create(
        person=activist_person, organisation=world.group_a, stage=Activist.Stage.CANDIDATE
    )
    factories.person("钱大妈", residence=world.community, mobile="13600002222")
    Member.objects.filter(pk=world.member_b.pk).update(
        status=Member.Status.PROBATIONARY, category=Member.Category.RETIRED
    )
    return world


@pytest.fixture
def roster(world):
    return add_roster_extras(world)


# --- the roster ----------------------------------------------------------------------------------------


def test_the_roster_has_the_three_sheets_with_the_contracts_headers(roster, tmp_path):
    path = export(SYSTEM, tmp_path)

    assert workbook(path).sheet_names == [s.name for s in contract.SHEETS]
    for sheet in contract.SHEETS:
        assert rows(path, sheet.name)[0] == sheet.headers


def test_the_trees_come_parents_first_with_their_parents_full_path_and_kind_words(roster, tmp_path):
    path = export(SYSTEM, tmp_path)

    assert rows(path, "党组织")[1:] == [
        ["公交公司党委", "党委", ""],
        ["一分公司党支部", "党支部", "公交公司党委"],
        ["第一党小组", "党小组", "公交公司党委/一分公司党支部"],
        ["二分公司党支部", "党支部", "公交公司党委"],
    ]
    assert rows(path, "网格")[1:] == [
        ["东风街道", "街道", "", ""],
        ["南园社区", "社区", "东风街道", "学习型"],
        ["新风社区", "社区", "东风街道", "再就业型"],
        ["公交公司", "公司", "", ""],
        ["一车队", "班组", "公交公司", ""],
    ]


def test_people_carry_type_words_full_paths_dates_as_dates_and_numbers_as_text(roster, tmp_path):
    path = export(SYSTEM, tmp_path)
    people = {row[0]: dict(zip(contract.PEOPLE.headers, row, strict=True)) for row in rows(path, "人员")[1:]}

    assert set(people) == {"王建国", "李红梅", "赵小燕", "钱大妈"}
    wang = people["王建国"]
    assert wang == {
        "姓名": "王建国",
        "性别": "男",
        "出生日期": dt.date(1980, 1, 1),
        "身份证号": Person.objects.get(name="王建国").id_number,
        "手机号": "13812345678",
        "人员类型": "党员",
        "党员类别": "在职",
        "所在党组织": "公交公司党委/一分公司党支部",
        "入党日期": dt.date(2010, 7, 1),
        "工作单位": "公交公司/一车队",
        "职业": "驾驶员",
        "特长": "文艺、维修",
        "居住社区": "东风街道/南园社区",
        "备注": "老党员",
    }
    assert isinstance(wang["身份证号"], str) and isinstance(wang["手机号"], str)
    li = people["李红梅"]
    assert (li["人员类型"], li["党员类别"], li["所在党组织"], li["居住社区"]) == (
        "预备党员",
        "离退休",
        "公交公司党委/二分公司党支部",
        "东风街道/新风社区",
    )
    zhao = people["赵小燕"]
    assert (zhao["人员类型"], zhao["性别"], zhao["党员类别"], zhao["所在党组织"], zhao["特长"]) == (
        "发展对象",
        "女",
        "",
        "公交公司党委/一分公司党支部/第一党小组",
        "",
    )
    qian = people["钱大妈"]
    assert (qian["人员类型"], qian["所在党组织"], qian["入党日期"], qian["手机号"]) == (
        "群众",
        "",
        "",
        "13600002222",
    )


def test_numbers_are_stored_as_strings_in_the_sheet_xml(roster, tmp_path):
    path = export(SYSTEM, tmp_path)
    with zipfile.ZipFile(path) as archive:
        people = archive.read("xl/worksheets/sheet3.xml").decode()
    # constant_memory writes strings inline; a number would be a bare <v>13812345678</v>.
    assert re.search(r'<c r="E2" s="\d+" t="inlineStr"><is><t>13812345678</t></is></c>', people)
    assert "<v>13812345678</v>" not in people


def test_two_exports_of_the_same_data_are_identical_row_by_row(roster, tmp_path):
    first = export(SYSTEM, tmp_path, "a.xlsx")
    second = export(SYSTEM, tmp_path, "b.xlsx")
    for sheet in contract.SHEETS:
        assert rows(first, sheet.name) == rows(second, sheet.name)


def test_the_roster_reads_a_fixed_number_of_queries_whatever_its_size(roster, tmp_path):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export(SYSTEM, tmp_path)
        return len(captured)

    before = queries()
    for i in range(30):
        member = factories.member(
            roster.group_a, f"队员{i}", residence=roster.community, workplace=roster.team
        )
        member.person.strengths.add(Strength.objects.get(name="维修"))
    assert queries() == before


def test_a_secretarys_roster_holds_their_organisations_every_cell_and_their_people(
    roster, secretary_a, tmp_path
):
    path = export(secretary_a, tmp_path)

    # Paths still name the ancestors outside the scope, so an import into the full database finds them.
    assert rows(path, "党组织")[1:] == [
        ["一分公司党支部", "党支部", "公交公司党委"],
        ["第一党小组", "党小组", "公交公司党委/一分公司党支部"],
    ]
    assert len(rows(path, "网格")) == 1 + Cell.objects.count()
    assert sorted(r[0] for r in rows(path, "人员")[1:]) == sorted(["王建国", "赵小燕"])


def test_the_rows_follow_the_contract_if_it_reorders_its_columns(roster, tmp_path, monkeypatch):
    reordered = contract.Sheet("党组织", tuple(reversed(contract.ORGANISATIONS.columns)))
    monkeypatch.setattr(contract, "ORGANISATIONS", reordered)
    path = export(SYSTEM, tmp_path)
    assert rows(path, "党组织")[:2] == [["上级", "类型", "名称"], ["", "党委", "公交公司党委"]]


# --- the formatter -------------------------------------------------------------------------------------


def test_the_formatter_writes_each_type_as_excel_expects(tmp_path):
    path = tmp_path / "types.xlsx"
    sheet = ExportSheet(
        "类型",
        [ExportColumn("文字"), ExportColumn("号码", text=True), ExportColumn("日期"), ExportColumn("数")],
        iter([("甲", "007", dt.date(2024, 2, 29), 3), (None, "", None, 2.5), ("=1+1", "1", None, None)]),
    )
    counts = exporters.write_xlsx([sheet], str(path))

    assert counts == {"类型": 3}
    assert rows(path, "类型") == [
        ["文字", "号码", "日期", "数"],
        ["甲", "007", dt.date(2024, 2, 29), 3.0],
        ["", "", "", 2.5],
        ["=1+1", "1", "", ""],
    ]
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert '<pane ySplit="1"' in xml and 'state="frozen"' in xml  # the header row stays in view
    assert 'formatCode="yyyy-mm-dd"' in styles
    assert "<f>" not in xml  # a string that looks like a formula stays a string


# --- the command ---------------------------------------------------------------------------------------


def test_the_command_writes_the_roster_and_records_the_export(roster, tmp_path):
    out = tmp_path / "名册.xlsx"
    stdout = io.StringIO()
    call_command("export", "roster", "--out", str(out), stdout=stdout)

    assert rows(out, "人员")[0] == contract.PEOPLE.headers
    assert len(rows(out, "人员")) == 1 + Person.objects.count()
    assert "人员 4 行" in stdout.getvalue()
    record = AuditRecord.objects.get(action=Action.EXPORT)
    assert record.user_id is None and record.username
    assert record.object_type == "org.person"
    assert record.after == {"kind": "roster", "count": 4}
    assert str(out.resolve()) in record.detail
    assert list(tmp_path.iterdir()) == [out]  # no partial file left beside it


def test_the_command_exports_the_whole_member_list(roster, tmp_path):
    out = tmp_path / "members.xlsx"
    call_command("export", "members", "--out", str(out), stdout=io.StringIO())

    sheet = rows(out, "党员名册")
    assert sheet[0][-2:] == ["身份证号", "手机号"]
    assert sorted(r[0] for r in sheet[1:]) == sorted(["王建国", "李红梅"])
    assert "13812345678" in [r[-1] for r in sheet[1:]]  # the operator gets full numbers
    assert AuditRecord.objects.get(action=Action.EXPORT).after == {"kind": "members", "count": 2}


def test_an_unknown_kind_is_refused_with_the_list_of_kinds(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("export", "zones", "--out", str(tmp_path / "x.xlsx"))
    assert "zones" in str(error.value)
    for kind in exporters.KINDS:
        assert kind in str(error.value)
    assert not AuditRecord.objects.filter(action=Action.EXPORT).exists()


def test_a_missing_directory_is_refused_before_anything_is_read(tmp_path):
    with pytest.raises(CommandError):
        call_command("export", "roster", "--out", str(tmp_path / "nowhere" / "x.xlsx"))


def test_a_failed_export_leaves_no_file_and_no_record(roster, tmp_path, monkeypatch):
    def broken(user):
        yield ExportSheet("坏", [ExportColumn("列")], (1 / 0 for _ in range(1)))

    monkeypatch.setitem(
        exporters.KINDS, "roster", exporters.ExportKind("roster", "人员名册", "org.person", broken)
    )
    with pytest.raises(ZeroDivisionError):
        call_command("export", "roster", "--out", str(tmp_path / "x.xlsx"))
    assert list(tmp_path.iterdir()) == []
    assert not AuditRecord.objects.filter(action=Action.EXPORT).exists()


# --- the template --------------------------------------------------------------------------------------


def test_the_template_has_the_contracts_headers_valid_examples_and_a_guide(tmp_path):
    path = tmp_path / "template.xlsx"
    exporters.write_xlsx(template_sheets(), str(path))

    assert workbook(path).sheet_names == [*(s.name for s in contract.SHEETS), GUIDE_SHEET]
    for sheet in contract.SHEETS:
        sheet_rows = rows(path, sheet.name)
        assert sheet_rows[0] == sheet.headers
        assert len(sheet_rows) == 1 + len(EXAMPLES[sheet.name])
    person = dict(zip(contract.PEOPLE.headers, rows(path, "人员")[1], strict=True))
    validate_id_number(person["身份证号"])
    validate_mobile(person["手机号"])
    assert isinstance(person["出生日期"], dt.date)
    # The example is consistent with itself: the words are the contract's and the paths name example rows.
    assert person["人员类型"] in contract.PERSON_TYPES
    assert person["党员类别"] in contract.MEMBER_CATEGORIES
    assert person["性别"] in contract.GENDERS
    organisations = {"/".join(filter(None, [r[2], r[0]])): r[1] for r in rows(path, "党组织")[1:]}
    cells = {"/".join(filter(None, [r[2], r[0]])): r[1] for r in rows(path, "网格")[1:]}
    assert contract.ORGANISATION_KINDS[organisations[person["所在党组织"]]] == Organisation.Kind.BRANCH
    assert contract.CELL_KINDS[cells[person["工作单位"]]] in Cell.WORKPLACE_KINDS
    assert contract.CELL_KINDS[cells[person["居住社区"]]] in Cell.RESIDENTIAL_KINDS


def test_the_guide_explains_every_column_marks_the_required_ones_and_lists_the_words(tmp_path):
    path = tmp_path / "template.xlsx"
    exporters.write_xlsx(template_sheets(), str(path))
    guide = rows(path, GUIDE_SHEET)

    explained = {(r[0], r[1]): r for r in guide[1:]}
    for sheet in contract.SHEETS:
        for column in sheet.columns:
            row = explained[(sheet.name, column.header)]
            assert row[2] == ("*" if column.required else "")
            assert row[3]
    assert explained[("党组织", "类型")][4] == "党委、党工委、党总支、党支部、党小组、党员服务社"
    assert "复转军人" in explained[("人员", "党员类别")][4]
    assert "入党积极分子" in explained[("人员", "人员类型")][4]
    assert any("/" in r[3] and "路径" in r[3] for r in guide[1:])


def test_a_sheet_is_named_as_excel_allows_whatever_its_title():
    from vanguard.dataio.exporters.xlsx import sheet_name

    assert sheet_name("2026年度/第一季度[汇总]*?:排名") == "2026年度-第一季度-汇总----排名"
    assert len(sheet_name("很长的名字" * 10)) == 31
    assert sheet_name("   ") == "Sheet"
